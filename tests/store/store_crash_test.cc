// Real crashes: a child process appends continuously and reports every
// acknowledged append; we SIGKILL it at random moments, reopen the store each
// time and check that every acknowledged event is there, that no append is
// partly visible, and that positions and versions stay gapless.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>

#include "engine/store/rocksdb_event_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

extern char** environ;

namespace relais {
namespace {

struct Ack {
  std::string stream;
  uint64_t first_version;
  uint64_t first_position;
  std::vector<std::string> ids;
};

Ack ParseAck(const std::string& line) {
  std::istringstream in(line);
  std::string word, ids;
  Ack a;
  in >> word >> a.stream >> a.first_version >> a.first_position >> ids;
  std::stringstream split(ids);
  for (std::string id; std::getline(split, id, ',');) a.ids.push_back(id);
  return a;
}

// Runs the child until it has acknowledged `acks_before_kill` appends, then
// SIGKILLs it; returns every complete ACK line it printed.
std::vector<Ack> RunAndKill(const std::string& dir, unsigned seed, int acks_before_kill) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::string seed_arg = std::to_string(seed);
  const char* argv[] = {RELAIS_CRASH_CHILD, dir.c_str(), seed_arg.c_str(), nullptr};
  pid_t pid;
  EXPECT_EQ(posix_spawn(&pid, RELAIS_CRASH_CHILD, &actions, nullptr, const_cast<char**>(argv), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);

  std::vector<Ack> acks;
  std::string buffer;
  bool killed = false;
  char chunk[4096];
  while (true) {
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;  // EOF: the child is gone
    buffer.append(chunk, n);
    size_t nl;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      if (line.rfind("ACK ", 0) == 0) acks.push_back(ParseAck(line));
    }
    if (!killed && static_cast<int>(acks.size()) >= acks_before_kill) {
      kill(pid, SIGKILL);  // mid-flight: the child's threads are appending right now
      killed = true;
    }
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(killed) << "child ended by itself; status " << status;
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  return acks;  // a partial last line (cut by the kill) was never acknowledged
}

TEST(StoreCrashTest, AcknowledgedAppendsSurviveSigkill) {
  testing::TempDir dir;
  const std::string path = dir.Sub("store");
  std::mt19937 rng(20261123);
  constexpr int kKills = 24;
  std::vector<Ack> acked;
  for (int round = 0; round < kKills; ++round) {
    auto acks = RunAndKill(path, rng(), 1 + static_cast<int>(rng() % 400));
    acked.insert(acked.end(), acks.begin(), acks.end());

    RocksDbStoreOptions options;
    options.path = path;
    auto opened = RocksDbEventStore::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    EventStore& store = **opened;
    auto all = store.ReadAll(1, 10'000'000);
    ASSERT_TRUE(all.ok()) << all.status();
    const auto& events = all->events;
    ASSERT_EQ(events.size(), store.LastPosition());

    std::map<std::string, uint64_t> stream_version;
    std::map<std::string, std::pair<size_t, size_t>> appends;  // append id -> (seen, of)
    std::map<std::string, const RecordedEvent*> by_id;
    for (size_t i = 0; i < events.size(); ++i) {
      const RecordedEvent& e = events[i];
      ASSERT_EQ(e.position, i + 1) << "round " << round << ": gap in global positions";
      ASSERT_EQ(e.version, ++stream_version[e.stream_id]) << "round " << round << ": gap in " << e.stream_id;
      Json data = e.Data();
      auto& [seen, of] = appends[data["append"].get<std::string>()];
      ++seen;
      of = data["of"].get<size_t>();
      by_id[e.event_id] = &e;
    }
    for (const auto& [append, counts] : appends)
      ASSERT_EQ(counts.first, counts.second) << "round " << round << ": append " << append << " partly visible";
    for (const Ack& a : acked) {
      for (size_t k = 0; k < a.ids.size(); ++k) {
        auto it = by_id.find(a.ids[k]);
        ASSERT_NE(it, by_id.end()) << "round " << round << ": acknowledged event " << a.ids[k] << " lost";
        EXPECT_EQ(it->second->stream_id, a.stream);
        EXPECT_EQ(it->second->version, a.first_version + k);
        EXPECT_EQ(it->second->position, a.first_position + k);
      }
    }
  }
  RecordProperty("acknowledged_appends", static_cast<int>(acked.size()));
  EXPECT_GT(acked.size(), 1000u) << "the child should have done real work";
}

}  // namespace
}  // namespace relais
