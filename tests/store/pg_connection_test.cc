// PgConnection against the tests' PostgreSQL server: statements prepared once
// and executed by name (again after the session is lost), and pipelines: one
// round trip, one transaction, the first refusal named with its index and
// nothing after it run.
#include <gtest/gtest.h>

#include "engine/store/pg_connection.h"
#include "tests/testing/postgres_schema.h"
#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

using relais::testing::IsOk;

class PgConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = PgConnection::Connect(schema_.conninfo());
    ASSERT_THAT(made, IsOk());
    conn_ = std::move(made).value();
    ASSERT_THAT(conn_->Exec("CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL)"), IsOk());
  }
  uint64_t Count() {
    auto r = conn_->Exec("SELECT count(*) FROM notes");
    EXPECT_THAT(r, IsOk());
    return r.ok() ? r->U64(0, 0) : 0;
  }
  std::string PreparedCount() {
    auto r = conn_->Exec("SELECT count(*)::text FROM pg_prepared_statements");
    EXPECT_THAT(r, IsOk());
    return r.ok() ? std::string(r->Bytes(0, 0)) : "";
  }

  relais::testing::PostgresSchema schema_;
  std::unique_ptr<PgConnection> conn_;
};

constexpr std::string_view kInsert = "INSERT INTO notes (id, body) VALUES ($1, $2)";

TEST_F(PgConnectionTest, AStatementWithParametersIsPreparedOnceAndAgainAfterTheSessionIsLost) {
  for (int i = 1; i <= 3; ++i)
    ASSERT_THAT(conn_->Exec(kInsert, {PgParam::Int(i), PgParam::Text("n" + std::to_string(i))}), IsOk());
  EXPECT_EQ(PreparedCount(), "1");  // the insert, prepared once for three runs
  // The server ends the session: the next statement finds the connection lost.
  auto admin = PgConnection::Connect(schema_.conninfo());
  ASSERT_THAT(admin, IsOk());
  auto pid = conn_->Exec("SELECT pg_backend_pid()::bigint");
  ASSERT_THAT(pid, IsOk());
  ASSERT_THAT((*admin)->Exec("SELECT pg_terminate_backend($1::int)", {PgParam::Int(pid->U64(0, 0))}), IsOk());
  auto lost = conn_->Exec(kInsert, {PgParam::Int(4), PgParam::Text("n4")});
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kUnavailable) << lost.status();
  ASSERT_THAT(conn_->Reset(), IsOk());
  // A new session knows no prepared statement: prepared again, then run.
  ASSERT_THAT(conn_->Exec(kInsert, {PgParam::Int(4), PgParam::Text("n4")}), IsOk());
  EXPECT_EQ(Count(), 4u);
}

TEST_F(PgConnectionTest, APipelineRunsItsStatementsInOrderAndReturnsEachOnesRows) {
  auto done = conn_->Pipeline({{"BEGIN", {}},
                               {kInsert, {PgParam::Int(1), PgParam::Text("a")}},
                               {kInsert, {PgParam::Int(2), PgParam::Text("b")}},
                               {"SELECT body FROM notes WHERE id = $1", {PgParam::Int(2)}},
                               {"SELECT count(*) FROM notes", {}},
                               {"COMMIT", {}}});
  ASSERT_THAT(done, IsOk());
  ASSERT_EQ(done->size(), 6u);
  ASSERT_EQ((*done)[3].rows(), 1);
  EXPECT_EQ((*done)[3].Bytes(0, 0), "b");  // sees the insert before it
  EXPECT_EQ((*done)[4].U64(0, 0), 2u);
  EXPECT_EQ(Count(), 2u);
}

TEST_F(PgConnectionTest, APipelineStopsAtItsFirstRefusalNamesItAndLeavesNothingHalfDone) {
  ASSERT_THAT(conn_->Exec(kInsert, {PgParam::Int(1), PgParam::Text("kept")}), IsOk());
  size_t failed_at = 99;
  auto refused = conn_->Pipeline({{"BEGIN", {}},
                                  {kInsert, {PgParam::Int(2), PgParam::Text("new")}},
                                  {kInsert, {PgParam::Int(1), PgParam::Text("duplicate")}},
                                  {kInsert, {PgParam::Int(3), PgParam::Text("after")}},
                                  {"COMMIT", {}}},
                                 &failed_at);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kAlreadyExists) << refused.status();
  EXPECT_EQ(failed_at, 2u);
  EXPECT_NE(refused.status().message().find("INSERT INTO notes"), std::string::npos) << refused.status();
  // The transaction is left failed, never committed: rolled back, only the first row stays.
  ASSERT_THAT(conn_->Exec("ROLLBACK"), IsOk());
  EXPECT_EQ(Count(), 1u);
  // Without BEGIN the pipeline is one implicit transaction: nothing of it either.
  refused = conn_->Pipeline({{kInsert, {PgParam::Int(5), PgParam::Text("x")}}, {"SELECT 1/0", {}}}, &failed_at);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_EQ(failed_at, 1u);
  EXPECT_EQ(Count(), 1u);
  // The connection goes on.
  ASSERT_THAT(conn_->Pipeline({{kInsert, {PgParam::Int(6), PgParam::Text("y")}}}), IsOk());
  EXPECT_EQ(Count(), 2u);
}

TEST_F(PgConnectionTest, AStatementThatCannotBePreparedIsRefusedWithItsIndex) {
  size_t failed_at = 99;
  auto refused = conn_->Pipeline(
      {{"SELECT 1", {}}, {"SELECT nope FROM notes WHERE id = $1", {PgParam::Int(1)}}, {"SELECT 2", {}}}, &failed_at);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(failed_at, 1u);
  EXPECT_NE(refused.status().message().find("nope"), std::string::npos) << refused.status();
  // Not remembered as prepared: a corrected table makes the same text run.
  ASSERT_THAT(conn_->Exec("ALTER TABLE notes ADD COLUMN nope int"), IsOk());
  EXPECT_THAT(conn_->Exec("SELECT nope FROM notes WHERE id = $1", {PgParam::Int(1)}), IsOk());
}

}  // namespace
}  // namespace relais
