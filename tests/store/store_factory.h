// Builds each EventStore implementation for the shared contract suites.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/store/event_store.h"
#include "engine/store/memory_event_store.h"
#include "engine/store/rocksdb_event_store.h"
#ifdef RELAIS_TEST_WITH_POSTGRES
#include "engine/store/postgres_event_store.h"
#include "tests/testing/postgres_schema.h"
#endif
#include "engine/util/uuid.h"
#include "tests/testing/temp_dir.h"

namespace relais::testing {

// One implementation under test; owns whatever the store needs (a directory).
class StoreUnderTest {
 public:
  virtual ~StoreUnderTest() = default;
  virtual EventStore& store() = 0;
};

struct StoreKind {
  std::string name;
  std::function<std::unique_ptr<StoreUnderTest>(const Clock&)> make;
};

inline std::vector<StoreKind> AllStoreKinds() {
  struct Memory : StoreUnderTest {
    explicit Memory(const Clock& c) : s(c) {}
    EventStore& store() override { return s; }
    MemoryEventStore s;
  };
  struct Rocks : StoreUnderTest {
    explicit Rocks(const Clock& c) {
      RocksDbStoreOptions o;
      o.path = dir.Sub("store");
      o.clock = &c;
      auto opened = RocksDbEventStore::Open(o);
      if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
      s = std::move(opened).value();
    }
    EventStore& store() override { return *s; }
    TempDir dir;
    std::unique_ptr<RocksDbEventStore> s;
  };
  return {{"Memory", [](const Clock& c) { return std::unique_ptr<StoreUnderTest>(new Memory(c)); }},
          {"RocksDb", [](const Clock& c) { return std::unique_ptr<StoreUnderTest>(new Rocks(c)); }}};
}

#ifdef RELAIS_TEST_WITH_POSTGRES
// The PostgreSQL store, each instance in a schema of its own of the test
// server's database (RELAIS_TEST_POSTGRES: the libpq connection string that
// ctest's `postgres` fixture sets; tests/testing/postgres_server.sh).
// uncached: no stream versions nor recent events kept, so every commit
// group reads the versions (two round trips) and every read queries.
inline StoreKind PostgresStoreKind(bool uncached = false) {
  struct Pg : StoreUnderTest {
    Pg(const Clock& c, bool uncached) {
      PostgresStoreOptions o;
      o.conninfo = schema.conninfo();
      o.clock = &c;
      o.read_connections = 2;
      if (uncached) o.stream_versions = o.recent_events = 0;
      auto opened = PostgresEventStore::Open(o);
      if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
      s = std::move(opened).value();
    }
    EventStore& store() override { return *s; }
    PostgresSchema schema;  // outlives the store
    std::unique_ptr<PostgresEventStore> s;
  };
  return {uncached ? "PostgresUncached" : "Postgres",
          [uncached](const Clock& c) { return std::unique_ptr<StoreUnderTest>(new Pg(c, uncached)); }};
}

// Every store: memory, RocksDB and PostgreSQL.
inline std::vector<StoreKind> AllStoreKindsWithPostgres() {
  std::vector<StoreKind> kinds = AllStoreKinds();
  kinds.push_back(PostgresStoreKind());
  return kinds;
}

// Every store, and PostgreSQL also without its caches (the store's own
// contract suites: both commit paths and both read paths).
inline std::vector<StoreKind> AllStoreKindsWithPostgresBothWays() {
  std::vector<StoreKind> kinds = AllStoreKindsWithPostgres();
  kinds.push_back(PostgresStoreKind(/*uncached=*/true));
  return kinds;
}
#endif

inline NewEvent MakeEvent(std::string type, Json data = Json::object(), std::string id = "") {
  NewEvent e;
  e.event_id = id.empty() ? NewUuid() : std::move(id);
  e.type = std::move(type);
  e.data = std::move(data);
  e.metadata.actor = "test";
  return e;
}

}  // namespace relais::testing
