// The child of store_crash_test: appends forever from several threads and
// reports each acknowledged append on stdout, one line per append, until it is
// killed. Usage: store_crash_child <store-dir> <seed>
//   READY <last_position>
//   ACK <stream> <first_version> <first_position> <id>[,<id>...]
// Each event's data names its append and the append's size, so the parent can
// check that no append is partly visible.
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/store/rocksdb_event_store.h"
#include "engine/util/uuid.h"

namespace {

void WriteLine(const std::string& line) {
  // One write(2) below PIPE_BUF is atomic: lines from threads never interleave.
  std::string out = line + "\n";
  if (::write(1, out.data(), out.size()) != static_cast<ssize_t>(out.size())) _exit(3);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <store-dir> <seed>\n", argv[0]);
    return 2;
  }
  relais::RocksDbStoreOptions options;
  options.path = argv[1];
  auto opened = relais::RocksDbEventStore::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  auto& store = **opened;
  WriteLine("READY " + std::to_string(store.LastPosition()));
  const unsigned seed = static_cast<unsigned>(std::stoul(argv[2]));
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(seed * 131 + t);
      while (true) {
        std::string stream = "s" + std::to_string(t) + "-" + std::to_string(rng() % 4);
        size_t n = 1 + rng() % 4;
        std::string append_id = relais::NewUuid();
        std::vector<relais::NewEvent> events;
        std::string ids;
        for (size_t k = 0; k < n; ++k) {
          relais::NewEvent e;
          e.event_id = relais::NewUuid();
          e.type = "crash.test";
          e.data = {{"append", append_id}, {"k", k}, {"of", n}, {"pad", std::string(200, 'x')}};
          ids += (k ? "," : "") + e.event_id;
          events.push_back(std::move(e));
        }
        auto r = store.Append(stream, relais::ExpectedVersion::Any(), std::move(events));
        if (!r.ok()) {
          std::fprintf(stderr, "append: %s\n", r.status().ToString().c_str());
          _exit(1);
        }
        WriteLine("ACK " + stream + " " + std::to_string(r->first_version) + " " + std::to_string(r->first_position) +
                  " " + ids);
      }
    });
  }
  for (auto& th : threads) th.join();
}
