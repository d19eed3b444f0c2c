// relais backup / relais restore on a real `relais serve` under load: a
// backup made through the running server's control socket while commands
// keep arriving holds every event acknowledged before it began, in a gapless
// log; a restore goes into a new directory and refuses one that holds files.
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <boost/beast/http.hpp>

#include "engine/api/authenticator.h"
#include "engine/runtime/project.h"
#include "engine/store/rocksdb_event_store.h"
#include "tests/testing/loopback_client.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace relais {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;
using Client = relais::testing::LoopbackClient;
using relais::testing::RunProcess;

constexpr char kToken[] = "backup-coordinator-token";
constexpr int kProjects = 20;
constexpr int kWriters = 4;

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.Sub("data");
    config_ = dir_.Sub("relais.yaml");
    std::ofstream(config_) << "server:\n  listen_address: 127.0.0.1\n  port: 0\n  drain_timeout_ms: 1000\n"
                           << "data_dir: " << data_ << "\n"
                           << "workflows_dir: " << RELAIS_SOURCE_DIR << "/workflows\n"
                           << "api:\n  rate_limit_per_second: 1000000\n  rate_limit_burst: 1000000\n"
                           << "tokens:\n  - sha256: " << api::Authenticator::Sha256Hex(kToken)
                           << "\n    subject: person:claire.dumas\n    roles: [coordinator]\n";
  }
  relais::testing::ProcessResult Relais(std::vector<std::string> args) {
    args.insert(args.begin(), RELAIS_BINARY);
    return RunProcess(args);
  }

  relais::testing::TempDir dir_;
  std::string data_, config_;
};

// The event ids of a store's whole log, checking it is gapless from 1.
std::set<std::string> LogOf(const std::string& path, uint64_t* last) {
  RocksDbStoreOptions options;
  options.path = path;
  auto store = RocksDbEventStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  std::set<std::string> ids;
  if (!store.ok()) return ids;
  uint64_t expected = 1;
  for (;;) {
    auto page = (*store)->ReadAll(expected, 1000);
    EXPECT_TRUE(page.ok());
    if (!page.ok() || page->events.empty()) break;
    for (const RecordedEvent& e : page->events) {
      EXPECT_EQ(e.position, expected) << "the log has a gap";
      ++expected;
      ids.insert(e.event_id);
    }
  }
  *last = (*store)->LastPosition();
  EXPECT_EQ(*last, expected - 1);
  return ids;
}

TEST_F(BackupTest, AnOnlineBackupUnderLoadHoldsEveryEventAcknowledgedBeforeItBegan) {
  relais::testing::PortedChild server({RELAIS_BINARY, "serve", "--config", config_},
                                      "relais listening on http://127.0.0.1:");
  ASSERT_NE(server.port(), 0) << server.output();
  {
    Client c(server.port());
    for (int i = 0; i < kProjects; ++i) {
      auto r = c.Call(http::verb::post, "/v1/projects", kToken,
                      {{"id", "action-" + std::to_string(i)},
                       {"workflow", "cbe_action"},
                       {"title", "Action " + std::to_string(i)},
                       {"programme", "sud-val-de-marnais"},
                       {"axis", "2A"}});
      ASSERT_EQ(r.status, 201) << r.raw;
    }
  }
  // Writers record what was acknowledged, and whether before the backup began.
  std::mutex mu;
  std::set<std::string> acked_before, acked_all;
  std::atomic<bool> backup_began{false}, stop{false};
  std::atomic<int> during{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w)
    writers.emplace_back([&, w] {
      Client c(server.port());
      for (int i = 0; !stop; ++i) {
        const bool before = !backup_began;
        auto r = c.Call(http::verb::post,
                        "/v1/projects/action-" + std::to_string((i * kWriters + w) % kProjects) + "/events", kToken,
                        {{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "autre"}, {"valeur", i}}}});
        ASSERT_EQ(r.status, 201) << r.raw;
        std::lock_guard lock(mu);
        for (const Json& e : r.body["events"]) {
          acked_all.insert(e["id"].get<std::string>());
          if (before) acked_before.insert(e["id"].get<std::string>());
        }
        if (!before) ++during;
      }
    });
  std::this_thread::sleep_for(500ms);
  backup_began = true;
  auto backup = Relais({"backup", dir_.Sub("backups"), "--config", config_});
  // Writes went on while it ran.
  for (int i = 0; i < 200 && during < 20; ++i) std::this_thread::sleep_for(10ms);
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_NE(backup.out.find("made by the running server"), std::string::npos) << backup.out;
  EXPECT_GE(during.load(), 20) << "commands were acknowledged while the backup ran";
  ASSERT_GT(acked_before.size(), 100u);
  EXPECT_EQ(server.Kill(SIGTERM), 0) << server.output();

  const std::string restored = dir_.Sub("restored");
  auto restore = Relais({"restore", dir_.Sub("backups"), "--to", restored});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  uint64_t last = 0;
  std::set<std::string> in_backup = LogOf(restored, &last);
  for (const std::string& id : acked_before)
    EXPECT_TRUE(in_backup.count(id)) << id << " acknowledged, not in the backup";
  EXPECT_EQ(restore.out.find("last position " + std::to_string(last)) != std::string::npos, true) << restore.out;
  // What it holds beyond was acknowledged too (or in flight): never invented.
  uint64_t live_last = 0;
  std::set<std::string> live = LogOf(data_, &live_last);
  for (const std::string& id : in_backup) EXPECT_TRUE(live.count(id)) << id;
  EXPECT_LE(last, live_last);
  for (const std::string& id : acked_all) EXPECT_TRUE(live.count(id)) << id;

  // A restore never writes over a store; an unknown backup is named.
  auto again = Relais({"restore", dir_.Sub("backups"), "--to", restored});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("is not empty"), std::string::npos) << again.err;
  auto unknown = Relais({"restore", dir_.Sub("backups"), "--to", dir_.Sub("other"), "--id", "99"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no backup 99"), std::string::npos) << unknown.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("other") + "/CURRENT"));
}

TEST_F(BackupTest, WithoutAServerTheStoreIsOpenedAndBackedUpDirectly) {
  {
    relais::testing::PortedChild server({RELAIS_BINARY, "serve", "--config", config_},
                                        "relais listening on http://127.0.0.1:");
    ASSERT_NE(server.port(), 0) << server.output();
    Client c(server.port());
    auto r = c.Call(http::verb::post, "/v1/projects", kToken,
                    {{"id", "action-seule"},
                     {"workflow", "cbe_action"},
                     {"title", "Action seule"},
                     {"programme", "sud-val-de-marnais"},
                     {"axis", "2A"}});
    ASSERT_EQ(r.status, 201) << r.raw;
    EXPECT_EQ(server.Kill(SIGKILL), -1) << "killed: its control socket file stays behind";
  }
  auto backup = Relais({"backup", dir_.Sub("backups"), "--config", config_});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_NE(backup.out.find("store opened directly"), std::string::npos) << backup.out;
  auto list = Relais({"restore", "--list", dir_.Sub("backups")});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out.rfind("1  ", 0), 0u) << list.out;
  ASSERT_EQ(Relais({"restore", dir_.Sub("backups"), "--to", dir_.Sub("restored")}).exit_code, 0);
  uint64_t last = 0, live_last = 0;
  EXPECT_EQ(LogOf(dir_.Sub("restored"), &last), LogOf(data_, &live_last));
  EXPECT_EQ(last, live_last);
  EXPECT_GT(last, 0u);
}

}  // namespace
}  // namespace relais
