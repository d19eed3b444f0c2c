// Programme milestones across SIGKILL and restart: 240 reminders (80
// programmes, 3 élus each, one append per programme) fall due while no
// process runs. Firing processes are killed inside the firing by
// construction: each is started with a pause point (tests/testing/
// crash_child.h) that stops it at its N-th append, once that append's batch
// (events, timer keys, outbox) is built and before it is committed, while
// other firing threads may be anywhere in theirs; the test SIGKILLs it
// there. Then one runs to the end. Every reminder must be recorded exactly
// once, and each recorded reminder must have its webhook delivery queued
// (the outbox is written in the event's own batch: never one without the
// other).
#include <signal.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <regex>

#include "engine/notify/webhook_keys.h"
#include "engine/runtime/timer_service.h"
#include "engine/store/rocksdb_event_store.h"
#include "tests/testing/child_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace relais::programme {
namespace {

using relais::testing::ChildProcess;
using relais::testing::RunProcess;

constexpr int kProgrammes = 80;
constexpr int kReminders = kProgrammes * 3;
constexpr const char* kDue = "2027-02-08T09:00:00Z";  // 7 days before 15 Feb 2027, 10:00 Paris
// The child fires programmes on up to this many threads (TimerService's
// default, as relais serve uses it). A thread builds its next append's batch
// only after committing its last, so when the (kFireThreads + 1)-th append
// is built, at least one append is committed: a pause there lands strictly
// inside the firing.
const size_t kFireThreads = runtime::TimerOptions{}.fire_threads;

struct Seen {
  std::map<std::string, int> reminders;  // "<programme>/<milestone>" -> reminder_sent events
  std::map<std::string, int> recorded;   // programme -> reminder_sent events
  std::map<std::string, int> queued;     // programme -> queued reminder_sent deliveries
  int total = 0;
};

Seen Read(const std::string& dir) {
  RocksDbStoreOptions options;
  options.path = dir;
  auto store = RocksDbEventStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  Seen seen;
  if (!store.ok()) return seen;
  for (int p = 0; p < kProgrammes; ++p) {
    const std::string id = "prog" + std::to_string(p);
    auto events = (*store)->ReadStream("programme-" + id, 1, 100'000);
    EXPECT_TRUE(events.ok()) << events.status();
    if (!events.ok()) continue;
    for (const RecordedEvent& e : *events)
      if (e.type == "reminder_sent") {
        ++seen.reminders[id + "/" + e.Data()["milestone"].get<std::string>()];
        ++seen.recorded[id];
        ++seen.total;
      }
  }
  auto queue = (*store)->KvScan(std::string(notify::kQueuePrefix), "", 100'000);
  EXPECT_TRUE(queue.ok()) << queue.status();
  if (!queue.ok()) return seen;
  const std::regex lane("^webhook/q/[^/]+/programme-([^/]+)/[0-9]+$");
  for (const KvEntry& entry : *queue) {
    std::smatch m;
    if (!std::regex_match(entry.key, m, lane)) continue;
    auto value = ParseJson(entry.value);
    EXPECT_TRUE(value.ok()) << entry.key;
    if (value.ok() && value->value("type", "") == "reminder_sent") ++seen.queued[m[1].str()];
  }
  return seen;
}

void ExpectConsistent(const Seen& seen) {
  for (const auto& [milestone, n] : seen.reminders) EXPECT_EQ(n, 1) << milestone << " reminded " << n << " times";
  for (int p = 0; p < kProgrammes; ++p) {
    const std::string id = "prog" + std::to_string(p);
    const int recorded = seen.recorded.count(id) ? seen.recorded.at(id) : 0;
    const int queued = seen.queued.count(id) ? seen.queued.at(id) : 0;
    EXPECT_EQ(queued, recorded) << id << ": every recorded reminder has its delivery queued, and no other";
  }
}

TEST(ProgrammeCrashTest, RemindersFireExactlyOnceWithTheirDeliveriesAcrossKills) {
  relais::testing::TempDir dir;
  const std::string store = dir.Sub("store");
  auto setup =
      RunProcess({RELAIS_PROGRAMME_CHILD, store, "2026-12-01T08:00:00Z", "setup", std::to_string(kProgrammes)});
  ASSERT_EQ(setup.exit_code, 0) << setup.err;
  ASSERT_EQ(Read(store).total, 0);

  // Each kill pauses the child at an append: the first at the very first
  // (at most the appends of other threads racing it are committed); the
  // others after at least one append and before the last (80 appends: two
  // stops at the 33rd leave at least 80 - 2 * 32 due).
  const std::vector<size_t> pauses = {1, kFireThreads + 1, kFireThreads + 1};
  ASSERT_LT(2 * kFireThreads + 1, static_cast<size_t>(kProgrammes)) << "the pauses must fall inside the firing";
  int before = 0;
  for (size_t kill = 0; kill < pauses.size(); ++kill) {
    ChildProcess child({RELAIS_PROGRAMME_CHILD, store, kDue, "fire"},
                       {"RELAIS_CRASH_PAUSE_AT_APPEND=" + std::to_string(pauses[kill])});
    ASSERT_TRUE(child.started());
    ASSERT_TRUE(child.WaitFor(std::regex("PAUSED append [0-9]+"), std::chrono::seconds(120)))
        << "kill " << kill + 1 << ": the child never reached append " << pauses[kill] << ":\n"
        << child.output();
    child.Kill(SIGKILL);
    const Seen seen = Read(store);
    ExpectConsistent(seen);
    if (::testing::Test::HasFailure()) return;
    std::printf("kill %zu at append %zu: %d of %d reminders recorded\n", kill + 1, pauses[kill], seen.total,
                kReminders);
    EXPECT_LT(seen.total, kReminders) << "kill " << kill + 1 << " landed after the firing";
    if (pauses[kill] > kFireThreads) {
      EXPECT_GT(seen.total, before) << "kill " << kill + 1 << " landed before any append of the firing";
    }
    before = seen.total;
  }

  auto finish = RunProcess({RELAIS_PROGRAMME_CHILD, store, kDue, "fire"});
  ASSERT_EQ(finish.exit_code, 0) << finish.err;
  Seen seen = Read(store);
  ExpectConsistent(seen);
  EXPECT_EQ(seen.total, kReminders);
  EXPECT_EQ(seen.reminders.size(), static_cast<size_t>(kReminders));

  // A later start fires no reminder again.
  auto again = RunProcess({RELAIS_PROGRAMME_CHILD, store, "2027-02-09T09:00:00Z", "fire"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  seen = Read(store);
  ExpectConsistent(seen);
  EXPECT_EQ(seen.total, kReminders);
}

}  // namespace
}  // namespace relais::programme
