// Programme milestones across SIGKILL and restart: 240 reminders (80
// programmes, 3 élus each) fall due while no process runs; a firing process
// is killed at growing random moments until a kill lands mid-way, then one
// runs to the end. Every reminder must be recorded exactly once, and each
// recorded reminder must have its webhook delivery queued (the outbox is
// written in the event's own batch: never one without the other).
#include <signal.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <random>
#include <regex>
#include <thread>

#include "engine/notify/webhook_keys.h"
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
  auto setup = RunProcess({RELAIS_PROGRAMME_CHILD, store, "2026-12-01T08:00:00Z", "setup", std::to_string(kProgrammes)});
  ASSERT_EQ(setup.exit_code, 0) << setup.err;
  ASSERT_EQ(Read(store).total, 0);

  std::mt19937 rng(11);
  bool interrupted_midway = false;
  for (int kill = 0; kill < 80 && !interrupted_midway; ++kill) {
    ChildProcess child({RELAIS_PROGRAMME_CHILD, store, kDue, "fire"});
    ASSERT_TRUE(child.started());
    ASSERT_TRUE(child.WaitFor(std::regex("READY"), std::chrono::seconds(60))) << child.output();
    std::this_thread::sleep_for(std::chrono::microseconds(kill * 500 + rng() % 500));  // somewhere in the firing
    child.Kill(SIGKILL);
    const Seen seen = Read(store);
    ExpectConsistent(seen);
    if (::testing::Test::HasFailure()) return;
    interrupted_midway = seen.total > 0 && seen.total < kReminders;
    if (interrupted_midway)
      std::printf("kill %d landed mid-way: %d of %d reminders recorded\n", kill + 1, seen.total, kReminders);
  }
  EXPECT_TRUE(interrupted_midway) << "no kill landed inside the firing";

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
