// A timer burst in a real `relais serve`, SIGKILLed in the middle of it.
// timer_process_child prepares 2,000 actions in portage with a 2003 clock:
// their one-year follow-ups fell due in 2004, so a server started on the
// real clock finds them all overdue and fires them as one burst, through
// the TimerScheduler and the same TimerService as in production. The server
// is killed at growing moments after it says it listens, until a kill has
// landed inside the burst three times (some follow-ups recorded, not all);
// then a server runs until every follow-up is recorded and stops cleanly.
// Every follow-up must be recorded exactly once and none of their timers may
// stay pending: no timer lost, none fired twice.
#include <signal.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <thread>

#include "engine/runtime/project.h"
#include "engine/runtime/timer_keys.h"
#include "engine/store/rocksdb_event_store.h"
#include "tests/testing/loopback_client.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace relais::runtime {
namespace {

using namespace std::chrono_literals;
using relais::testing::RunProcess;

constexpr int kProjects = 2000;
constexpr char kFollowUp[] = "bilan_premiere_annee_du";

struct StoreCount {
  std::map<std::string, int> fired;  // project -> follow-ups recorded
  int pending = 0;                   // follow-up timers still due
};

StoreCount Count(const std::string& dir) {
  RocksDbStoreOptions options;
  options.path = dir;
  auto store = std::move(RocksDbEventStore::Open(options)).value();
  StoreCount c;
  for (int i = 0; i < kProjects; ++i) {
    const std::string id = "p" + std::to_string(i);
    auto events = store->ReadStream(ProjectStream(id), 1, 10000);
    EXPECT_TRUE(events.ok());
    int& n = c.fired[id];
    for (const auto& e : *events) n += e.type == kFollowUp;
  }
  auto due = store->KvScan(std::string(kTimerDuePrefix), "", 100'000);
  EXPECT_TRUE(due.ok());
  for (const KvEntry& entry : *due) {
    auto json = ParseJson(entry.value);
    auto timer = json.ok() ? DueTimer::FromJson(*json) : StatusOr<DueTimer>(json.status());
    EXPECT_TRUE(timer.ok()) << entry.key;
    if (timer.ok() && timer->fires == kFollowUp) ++c.pending;
  }
  return c;
}

std::string WriteConfig(const relais::testing::TempDir& dir, const std::string& store) {
  const std::string path = dir.Sub("relais.yaml");
  std::ofstream(path) << "server:\n  listen_address: 127.0.0.1\n  port: 0\n  drain_timeout_ms: 1000\n"
                      << "data_dir: " << store << "\n"
                      << "workflows_dir: " << RELAIS_SOURCE_DIR << "/workflows\n";
  return path;
}

// The value of a metric without labels in a Prometheus text, or -1.
double Metric(const std::string& text, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("\n" + name + " ([0-9.e+]+)\n"))) return -1;
  return std::stod(m[1]);
}

TEST(TimerBurstKillTest, AServerKilledInsideABurstLosesNoTimerAndFiresNoneTwice) {
  relais::testing::TempDir dir;
  const std::string store = dir.Sub("store");
  auto setup = RunProcess({RELAIS_TIMER_CHILD, store, "2003-02-03T09:00:00Z", "setup", std::to_string(kProjects)});
  ASSERT_EQ(setup.exit_code, 0) << setup.err;
  const std::string config = WriteConfig(dir, store);
  {
    StoreCount before = Count(store);
    ASSERT_EQ(before.pending, kProjects) << "every follow-up armed";
  }

  // Kills at growing moments, until three have landed inside the burst.
  std::mt19937 rng(11);
  int midway = 0;
  int kills = 0;
  for (int k = 0; k < 60 && midway < 3; ++k) {
    relais::testing::PortedChild server({RELAIS_BINARY, "serve", "--config", config},
                                        "relais listening on http://127.0.0.1:");
    ASSERT_NE(server.port(), 0) << server.output();
    std::this_thread::sleep_for(std::chrono::milliseconds(k * 10 + rng() % 10));
    server.Kill(SIGKILL);
    ++kills;
    StoreCount after = Count(store);
    int fired = 0;
    for (auto& [id, n] : after.fired) {
      ASSERT_LE(n, 1) << id << " fired twice";
      fired += n;
    }
    EXPECT_EQ(fired + after.pending, kProjects) << "each follow-up is either recorded or still pending";
    if (fired == kProjects) break;  // the burst ended before this kill
    if (fired > 0) ++midway;
    std::printf("kill %d: %d of %d follow-ups recorded\n", kills, fired, kProjects);
  }
  EXPECT_GE(midway, 1) << "no kill landed inside the burst in " << kills << " tries";

  // A server runs until the burst is over (the fired-timer count stays still
  // for a second), and stops cleanly.
  {
    relais::testing::PortedChild server({RELAIS_BINARY, "serve", "--config", config},
                                        "relais listening on http://127.0.0.1:");
    ASSERT_NE(server.port(), 0) << server.output();
    double last = -1;
    auto still_since = std::chrono::steady_clock::now();
    for (auto deadline = std::chrono::steady_clock::now() + 90s; std::chrono::steady_clock::now() < deadline;) {
      relais::testing::LoopbackClient c(server.port());
      const double fired = Metric(c.Call(boost::beast::http::verb::get, "/metrics", "").raw, "relais_timers_fired");
      if (fired != last) {
        last = fired;
        still_since = std::chrono::steady_clock::now();
      } else if (fired > 0 && std::chrono::steady_clock::now() - still_since > 1s) {
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(server.Kill(SIGTERM), 0) << server.output();
  }
  StoreCount end = Count(store);
  EXPECT_EQ(end.pending, 0) << "no follow-up timer left";
  for (auto& [id, n] : end.fired) EXPECT_EQ(n, 1) << id << ": recorded exactly once";
}

}  // namespace
}  // namespace relais::runtime
