// A schema of its own in the tests' PostgreSQL database (the server ctest's
// `postgres` fixture starts; RELAIS_TEST_POSTGRES is its connection string),
// dropped with everything in it at destruction. Tests of the PostgreSQL
// store run side by side in one database this way.
#pragma once

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/store/pg_connection.h"
#include "engine/util/uuid.h"

namespace relais::testing {

class PostgresSchema {
 public:
  // Throws std::runtime_error when the test server is not there.
  PostgresSchema() {
    const char* base = std::getenv("RELAIS_TEST_POSTGRES");
    if (!base)
      throw std::runtime_error(
          "RELAIS_TEST_POSTGRES is not set: run the test through ctest, whose postgres fixture "
          "starts a server");
    base_ = base;
    name_ = "t" + NewUuid();
    for (char& c : name_)
      if (c == '-') c = '_';
    auto admin = PgConnection::Connect(base_);
    if (!admin.ok()) throw std::runtime_error(admin.status().ToString());
    admin_ = std::move(admin).value();
    if (auto made = admin_->Exec("CREATE SCHEMA " + name_); !made.ok())
      throw std::runtime_error(made.status().ToString());
  }
  ~PostgresSchema() { (void)admin_->Exec("DROP SCHEMA " + name_ + " CASCADE"); }
  PostgresSchema(const PostgresSchema&) = delete;
  PostgresSchema& operator=(const PostgresSchema&) = delete;

  // The connection string of the schema (its tables first in the search path).
  std::string conninfo() const { return base_ + " options='-c search_path=" + name_ + "'"; }

 private:
  std::string base_, name_;
  std::unique_ptr<PgConnection> admin_;
};

}  // namespace relais::testing
