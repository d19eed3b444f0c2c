// PgConnection: a thin wrapper of one libpq connection (Debian libpq-dev),
// enough for the PostgreSQL event store: parameterised statements with text
// or binary parameters, binary results, and errors mapped to Status.
//
// Thread-safety: one connection is used by one thread at a time (the store
// keeps a committer connection and a pool of readers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/util/status.h"

struct pg_conn;
struct pg_result;

namespace relais {

// A statement parameter: text, bytes (sent binary, for bytea), or NULL.
struct PgParam {
  std::string value;
  bool binary = false;
  bool null = false;
  static PgParam Text(std::string v) { return {std::move(v), false, false}; }
  static PgParam Bytes(std::string v) { return {std::move(v), true, false}; }
  static PgParam Int(uint64_t v) { return {std::to_string(v), false, false}; }
  static PgParam Null() { return {"", false, true}; }
};

// The rows of a statement, in binary format: bigint columns read with U64,
// text and bytea columns with Bytes.
class PgResult {
 public:
  explicit PgResult(pg_result* r) : r_(r, &Free) {}
  int rows() const;
  bool IsNull(int row, int col) const;
  std::string_view Bytes(int row, int col) const;
  // A bigint (int8) or integer (int4) column.
  uint64_t U64(int row, int col) const;

 private:
  static void Free(pg_result* r);
  std::unique_ptr<pg_result, void (*)(pg_result*)> r_;
};

// One statement of a pipeline: its SQL (one statement) and parameters.
struct PgStatement {
  std::string_view sql;
  std::vector<PgParam> params;
};

class PgConnection {
 public:
  // Connects with a libpq connection string (multi-host strings with
  // target_session_attrs=read-write find the primary). Errors: kUnavailable,
  // with libpq's reason.
  static StatusOr<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement. Errors: kUnavailable (the connection is lost or the
  // server refuses for now: SQLSTATE classes 08, 53, 57, 40), kAlreadyExists
  // (23505, a unique key), kFailedPrecondition (other errors), each with the
  // server's message and the statement's first words.
  // A statement with parameters is prepared once per connection (named after
  // its text) and then executed by name: PostgreSQL parses and plans it once.
  StatusOr<PgResult> Exec(std::string_view sql, const std::vector<PgParam>& params = {});
  // Runs statements in order in one round trip (libpq pipeline mode), each
  // prepared as Exec does. Within BEGIN ... COMMIT they are one transaction;
  // outside one, the server runs them in one implicit transaction. Returns
  // every statement's rows, or the first refusal (errors as Exec) with its
  // index in *failed_at (statements.size() when the connection was lost
  // before any answer); the statements after a refusal are not run.
  // Statements and results are small here (a commit group): the whole
  // pipeline is written before its results are read.
  StatusOr<std::vector<PgResult>> Pipeline(const std::vector<PgStatement>& statements, size_t* failed_at = nullptr);
  // Runs several statements without parameters (a migration). Errors: as Exec.
  Status ExecScript(std::string_view sql);
  // Notifications (LISTEN): the socket to wait on, then Notifications()
  // reads what arrived, as (channel, payload) pairs. Errors: kUnavailable.
  int Socket() const;
  StatusOr<std::vector<std::pair<std::string, std::string>>> Notifications();
  // Quotes an identifier (a LISTEN channel) for SQL.
  std::string QuoteIdentifier(std::string_view name) const;
  // Whether the connection is up; a lost one is re-established by Reset.
  bool ok() const;
  Status Reset();

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  // The name sql is (or will be) prepared under on this connection.
  const std::string& NameOf(std::string_view sql);
  Status Refusal(pg_result* res, std::string_view sql) const;
  pg_conn* conn_;
  // Statements by text: their names (relais_1, ...), and which of them the
  // current session has prepared (forgotten when the connection is reset).
  std::unordered_map<std::string, std::string> names_;
  std::unordered_set<std::string> prepared_;
};

}  // namespace relais
