#include "engine/store/pg_connection.h"

#include <libpq-fe.h>

#include <cstring>

namespace relais {
namespace {

std::string FirstWords(std::string_view sql) {
  std::string out(sql.substr(0, 60));
  for (char& c : out)
    if (c == '\n') c = ' ';
  return sql.size() > 60 ? out + "..." : out;
}

}  // namespace

void PgResult::Free(pg_result* r) { PQclear(r); }
int PgResult::rows() const { return PQntuples(r_.get()); }
bool PgResult::IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }

std::string_view PgResult::Bytes(int row, int col) const {
  return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
}

uint64_t PgResult::U64(int row, int col) const {
  std::string_view b = Bytes(row, col);
  uint64_t v = 0;
  for (unsigned char c : b) v = (v << 8) | c;  // network order, 4 or 8 bytes
  return v;
}

StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& conninfo) {
  pg_conn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return Unavailable("PostgreSQL: out of memory while connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    PQfinish(conn);
    return Unavailable("cannot connect to PostgreSQL: " + why);
  }
  // The server's notices ("already exists, skipping") are not errors: not printed.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::ok() const { return PQstatus(conn_) == CONNECTION_OK; }

Status PgConnection::Reset() {
  PQreset(conn_);
  if (ok()) return Status::Ok();
  std::string why = PQerrorMessage(conn_);
  while (!why.empty() && why.back() == '\n') why.pop_back();
  return Unavailable("cannot reconnect to PostgreSQL: " + why);
}

int PgConnection::Socket() const { return PQsocket(conn_); }

StatusOr<std::vector<std::pair<std::string, std::string>>> PgConnection::Notifications() {
  if (PQconsumeInput(conn_) == 0) return Unavailable(std::string("PostgreSQL: ") + PQerrorMessage(conn_));
  std::vector<std::pair<std::string, std::string>> out;
  while (PGnotify* n = PQnotifies(conn_)) {
    out.emplace_back(n->relname, n->extra ? n->extra : "");
    PQfreemem(n);
  }
  return out;
}

std::string PgConnection::QuoteIdentifier(std::string_view name) const {
  char* quoted = PQescapeIdentifier(conn_, name.data(), name.size());
  if (!quoted) return "\"\"";
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

Status PgConnection::ExecScript(std::string_view sql) {
  const std::string text(sql);
  pg_result* res = PQexec(conn_, text.c_str());
  const ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  std::string why = res ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
  if (res) PQclear(res);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Status::Ok();
  while (!why.empty() && why.back() == '\n') why.pop_back();
  return ok() ? FailedPrecondition("PostgreSQL refused a script: " + why) : Unavailable("PostgreSQL: " + why);
}

StatusOr<PgResult> PgConnection::Exec(std::string_view sql, const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const PgParam& p : params) {
    values.push_back(p.null ? nullptr : p.value.data());
    lengths.push_back(static_cast<int>(p.value.size()));
    formats.push_back(p.binary ? 1 : 0);
  }
  const std::string text(sql);
  pg_result* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                                lengths.data(), formats.data(), /*resultFormat=*/1);
  const ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return PgResult(res);
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string why = res ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
  while (!why.empty() && why.back() == '\n') why.pop_back();
  const std::string code = state ? state : "";
  if (res) PQclear(res);
  const std::string message = "PostgreSQL refused \"" + FirstWords(sql) + "\": " + why;
  if (!ok() || code.empty() || code.starts_with("08") || code.starts_with("53") || code.starts_with("57") ||
      code.starts_with("40"))
    return Unavailable(message);
  if (code == "23505") return AlreadyExists(message);
  return FailedPrecondition(message);
}

}  // namespace relais
