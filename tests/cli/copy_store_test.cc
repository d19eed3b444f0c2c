// relais copy-store as a command: the Sud Val-de-Marnais example imported
// into the embedded store, copied into PostgreSQL and verified; run again it
// resumes with nothing left to copy; a difference made in the target is
// named and the command fails.
#include <gtest/gtest.h>

#include <fstream>

#include "engine/store/pg_connection.h"
#include "tests/testing/postgres_schema.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace relais {
namespace {

using relais::testing::RunProcess;

TEST(CopyStoreCommandTest, TheExampleGoesToPostgresVerifiedAndADifferenceIsNamed) {
  relais::testing::TempDir dir;
  relais::testing::PostgresSchema schema;
  const std::string rocks = dir.Sub("rocks.yaml"), pg = dir.Sub("pg.yaml");
  std::ofstream(rocks) << "data_dir: " << dir.Sub("data") << "\nworkflows_dir: " << RELAIS_SOURCE_DIR
                       << "/workflows\nwebhooks:\n  allowed_ranges: [127.0.0.1/32]\n";
  std::ofstream(pg) << "store:\n  engine: postgres\n  postgres:\n    conninfo: \"" << schema.conninfo()
                    << "\"\nworkflows_dir: " << RELAIS_SOURCE_DIR << "/workflows\n";
  auto imported = RunProcess(
      {RELAIS_BINARY, "import", "--config", rocks, std::string(RELAIS_SOURCE_DIR) + "/examples/sud-val-de-marnais"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  auto copied = RunProcess({RELAIS_BINARY, "copy-store", "--from", rocks, "--to", pg});
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  EXPECT_NE(copied.out.find("copied RocksDB -> PostgreSQL"), std::string::npos) << copied.out;
  EXPECT_NE(copied.out.find("verified: "), std::string::npos) << copied.out;
  EXPECT_EQ(copied.out.find("verified: 0 event"), std::string::npos) << "the example has events: " << copied.out;

  auto again = RunProcess({RELAIS_BINARY, "copy-store", "--from", rocks, "--to", pg});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find(": 0 event(s) after the "), std::string::npos) << again.out;

  auto conn = PgConnection::Connect(schema.conninfo());
  ASSERT_TRUE(conn.ok()) << conn.status();
  ASSERT_TRUE((*conn)->Exec("INSERT INTO relais_kv (key, value) VALUES ('extra', 'x')").ok());
  auto differs = RunProcess({RELAIS_BINARY, "copy-store", "--from", rocks, "--to", pg, "--verify-only"});
  EXPECT_EQ(differs.exit_code, 1) << differs.out;
  EXPECT_NE(differs.err.find("key-value space"), std::string::npos) << differs.err;
}

}  // namespace
}  // namespace relais
