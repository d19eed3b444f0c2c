// Timers across real process restarts and SIGKILL: a timer that fell due
// while no process ran fires exactly once, even when the firing process is
// killed mid-way and restarted.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>

#include "engine/runtime/project.h"
#include "engine/store/rocksdb_event_store.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

extern char** environ;

namespace relais::runtime {
namespace {

using relais::testing::RunProcess;

std::map<std::string, int> CountFollowUps(const std::string& dir, int projects) {
  RocksDbStoreOptions options;
  options.path = dir;
  auto store = std::move(RocksDbEventStore::Open(options)).value();
  std::map<std::string, int> counts;
  for (int i = 0; i < projects; ++i) {
    std::string id = "p" + std::to_string(i);
    auto events = store->ReadStream(ProjectStream(id), 1, 10000);
    EXPECT_TRUE(events.ok());
    for (const auto& e : *events) counts[id] += e.type == "bilan_premiere_annee_du";
  }
  return counts;
}

// Starts `fire` and SIGKILLs it `delay` after it reported READY.
void FireAndKill(const std::string& dir, const char* now, std::chrono::milliseconds delay) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  const char* argv[] = {RELAIS_TIMER_CHILD, dir.c_str(), now, "fire", nullptr};
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, RELAIS_TIMER_CHILD, &actions, nullptr, const_cast<char**>(argv), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  char buf[64];
  ASSERT_GT(read(out[0], buf, sizeof buf), 0);  // READY: the firing starts now
  std::this_thread::sleep_for(delay);           // a random moment inside the firing
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
  close(out[0]);
}

TEST(TimerProcessTest, DueTimersFireExactlyOnceAcrossRestartsAndKills) {
  relais::testing::TempDir dir;
  const std::string store = dir.Sub("store");
  // Enough that the firing (streams in parallel on the fire pool) lasts a few
  // milliseconds, so that a kill can land inside it.
  constexpr int kProjects = 400;
  auto setup = RunProcess({RELAIS_TIMER_CHILD, store, "2003-02-03T09:00:00Z", "setup", std::to_string(kProjects)});
  ASSERT_EQ(setup.exit_code, 0) << setup.err;

  // Before the follow-ups are due, a fresh process fires none of them.
  auto early = RunProcess({RELAIS_TIMER_CHILD, store, "2003-03-01T00:00:00Z", "fire"});
  ASSERT_EQ(early.exit_code, 0) << early.err;
  for (auto& [id, n] : CountFollowUps(store, kProjects)) EXPECT_EQ(n, 0) << id;

  // Every follow-up fell due while nothing ran. Kill the firing process at
  // growing random moments until a kill has landed mid-way (some fired, some
  // not), then let one run finish.
  std::mt19937 rng(7);
  bool interrupted_midway = false;
  for (int kill = 0; kill < 40 && !interrupted_midway; ++kill) {
    FireAndKill(store, "2004-03-01T00:00:00Z", std::chrono::milliseconds(kill * 2 + rng() % 5));
    int fired = 0;
    for (auto& [id, n] : CountFollowUps(store, kProjects)) {
      ASSERT_LE(n, 1) << id << " fired twice";
      fired += n;
    }
    interrupted_midway = fired > 0 && fired < kProjects;
  }
  EXPECT_TRUE(interrupted_midway) << "no kill landed inside the firing";
  auto finish = RunProcess({RELAIS_TIMER_CHILD, store, "2004-03-01T00:00:00Z", "fire"});
  ASSERT_EQ(finish.exit_code, 0) << finish.err;
  auto counts = CountFollowUps(store, kProjects);
  ASSERT_EQ(counts.size(), size_t{kProjects});
  for (auto& [id, n] : counts) EXPECT_EQ(n, 1) << id << ": the follow-up must fire exactly once";

  // Later starts fire nothing more.
  auto again = RunProcess({RELAIS_TIMER_CHILD, store, "2004-03-02T00:00:00Z", "fire"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  for (auto& [id, n] : CountFollowUps(store, kProjects)) EXPECT_EQ(n, 1) << id;
}

}  // namespace
}  // namespace relais::runtime
