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
  prepared_.clear();  // a new session knows none
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

const std::string& PgConnection::NameOf(std::string_view sql) {
  auto [it, added] = names_.try_emplace(std::string(sql));
  if (added) it->second = "relais_" + std::to_string(names_.size());
  return it->second;
}

Status PgConnection::Refusal(pg_result* res, std::string_view sql) const {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string why = res ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
  while (!why.empty() && why.back() == '\n') why.pop_back();
  if (why.empty()) why = "the connection was lost";
  const std::string code = state ? state : "";
  const std::string message = "PostgreSQL refused \"" + FirstWords(sql) + "\": " + why;
  if (!ok() || code.empty() || code.starts_with("08") || code.starts_with("53") || code.starts_with("57") ||
      code.starts_with("40"))
    return Unavailable(message);
  if (code == "23505") return AlreadyExists(message);
  return FailedPrecondition(message);
}

namespace {

struct Wire {
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  explicit Wire(const std::vector<PgParam>& params) {
    for (const PgParam& p : params) {
      values.push_back(p.null ? nullptr : p.value.data());
      lengths.push_back(static_cast<int>(p.value.size()));
      formats.push_back(p.binary ? 1 : 0);
    }
  }
};

bool Succeeded(pg_result* res) {
  const ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace

StatusOr<PgResult> PgConnection::Exec(std::string_view sql, const std::vector<PgParam>& params) {
  const std::string text(sql);
  const Wire wire(params);
  pg_result* res = nullptr;
  if (params.empty()) {
    res = PQexecParams(conn_, text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, /*resultFormat=*/1);
  } else {
    const std::string& name = NameOf(sql);
    if (!prepared_.contains(name)) {
      pg_result* made = PQprepare(conn_, name.c_str(), text.c_str(), static_cast<int>(params.size()), nullptr);
      if (!Succeeded(made)) {
        Status refused = Refusal(made, sql);
        if (made) PQclear(made);
        return refused;
      }
      PQclear(made);
      prepared_.insert(name);
    }
    res = PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), wire.values.data(), wire.lengths.data(),
                         wire.formats.data(), /*resultFormat=*/1);
  }
  if (Succeeded(res)) return PgResult(res);
  Status refused = Refusal(res, sql);
  if (res) PQclear(res);
  return refused;
}

StatusOr<std::vector<PgResult>> PgConnection::Pipeline(const std::vector<PgStatement>& statements, size_t* failed_at) {
  auto lost = [&](size_t at) -> Status {
    if (failed_at) *failed_at = at;
    return Unavailable(std::string("PostgreSQL: the connection was lost: ") + PQerrorMessage(conn_));
  };
  if (PQenterPipelineMode(conn_) != 1) return lost(statements.size());
  // What was sent, in order: a preparation (statement index, its name) or a statement.
  struct Sent {
    size_t statement;
    std::string prepared;  // non-empty: the preparation of this name
  };
  std::vector<Sent> sent;
  std::unordered_set<std::string> preparing;
  bool sending = true;
  for (size_t i = 0; i < statements.size() && sending; ++i) {
    const PgStatement& st = statements[i];
    const std::string text(st.sql);
    const Wire wire(st.params);
    if (st.params.empty()) {
      sending = PQsendQueryParams(conn_, text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1) == 1;
    } else {
      const std::string& name = NameOf(st.sql);
      if (!prepared_.contains(name) && preparing.insert(name).second) {
        sending = PQsendPrepare(conn_, name.c_str(), text.c_str(), static_cast<int>(st.params.size()), nullptr) == 1;
        sent.push_back({i, name});
      }
      sending = sending && PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(st.params.size()),
                                               wire.values.data(), wire.lengths.data(), wire.formats.data(), 1) == 1;
    }
    if (sending) sent.push_back({i, ""});
  }
  if (!sending || PQpipelineSync(conn_) != 1) {
    Status gone = lost(statements.size());
    (void)Reset();  // what the server received is unknown: a new session (out of pipeline mode)
    return gone;
  }
  std::vector<PgResult> out;
  Status first = Status::Ok();
  size_t first_at = statements.size();
  for (const Sent& s : sent) {
    pg_result* res = PQgetResult(conn_);
    if (res == nullptr) {  // the connection broke mid-way
      if (first.ok()) first = lost(s.statement), first_at = s.statement;
      break;
    }
    while (pg_result* more = PQgetResult(conn_)) PQclear(more);  // each answer ends with NULL
    if (Succeeded(res)) {
      if (s.prepared.empty())
        out.emplace_back(res);
      else
        prepared_.insert(s.prepared), PQclear(res);
      continue;
    }
    if (first.ok() && PQresultStatus(res) != PGRES_PIPELINE_ABORTED)
      first = Refusal(res, statements[s.statement].sql), first_at = s.statement;
    PQclear(res);
  }
  if (PQstatus(conn_) == CONNECTION_OK) {
    while (pg_result* res = PQgetResult(conn_)) {  // up to and including the sync point
      const bool sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
      PQclear(res);
      if (sync) break;
    }
    PQexitPipelineMode(conn_);
  }
  if (first.ok() && out.size() != statements.size()) first = lost(out.size()), first_at = out.size();
  if (!first.ok()) {
    if (failed_at) *failed_at = first_at;
    return first;
  }
  return out;
}

}  // namespace relais
