// A funding round over a real `relais serve` (RocksDB in a temp directory,
// loopback HTTP): one keyed track per funder asked
// (tests/workflow/testdata/tour_financement.yaml). Each funder answers for
// itself with its partner token; a key that is not asked is refused
// (unknown_track_key); closing the round requires every funder to have
// answered; the project view shows the keyed tracks, the same after a
// restart (folded from the stored history).
#include <signal.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <boost/beast/http/verb.hpp>

#include "engine/api/authenticator.h"
#include "engine/util/json.h"
#include "tests/testing/child_process.h"
#include "tests/testing/loopback_client.h"
#include "tests/testing/temp_dir.h"

namespace relais::api {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;

constexpr char kCoordinator[] = "kt-coordinator-token";
constexpr char kRegion[] = "kt-region-token";
constexpr char kEtat[] = "kt-etat-token";

using Reply = relais::testing::LoopbackClient::Result;

// One request on a fresh loopback connection, with a deadline.
Reply Call(uint16_t port, http::verb verb, const std::string& target, const std::string& token,
           const Json& body = nullptr) {
  relais::testing::LoopbackClient client(port);
  return client.Call(verb, target, token, body);
}

class KeyedTracksEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    namespace fs = std::filesystem;
    const std::string workflows = dir_.Sub("workflows");
    fs::create_directories(workflows);
    fs::copy_file(std::string(RELAIS_SOURCE_DIR) + "/tests/workflow/testdata/tour_financement.yaml",
                  workflows + "/tour_financement.yaml");
    config_ = dir_.Sub("relais.yaml");
    auto token = [](const char* secret, const std::string& subject, const std::string& role,
                    const std::string& partner) {
      std::string t = "  - sha256: " + Authenticator::Sha256Hex(secret) + "\n    subject: " + subject +
                      "\n    roles: [" + role + "]\n";
      if (!partner.empty()) t += "    partner: " + partner + "\n";
      return t;
    };
    std::ofstream(config_) << "server:\n  listen_address: 127.0.0.1\n  port: 0\n  io_threads: 2\n"
                           << "data_dir: " << dir_.Sub("data") << "\n"
                           << "workflows_dir: " << workflows << "\n"
                           << "api:\n  worker_threads: 2\n"
                           << "tokens:\n"
                           << token(kCoordinator, "person:claire.dumas", "coordinator", "")
                           << token(kRegion, "partner:region", "partner", "region")
                           << token(kEtat, "partner:etat", "partner", "etat");
    Start();
  }
  void TearDown() override {
    if (server_) {
      EXPECT_EQ(server_->Kill(SIGTERM), 0);
    }
  }

  void Start() {
    server_ = std::make_unique<relais::testing::ChildProcess>(
        std::vector<std::string>{RELAIS_BINARY, "serve", "--config", config_});
    ASSERT_TRUE(server_->started());
    port_ = server_->WaitForPort("relais listening on http://127.0.0.1:", 20s);
    ASSERT_NE(port_, 0) << "relais serve did not start";
  }

  Reply Fire(const char* token, const std::string& type, const Json& data) {
    return Call(port_, http::verb::post, "/v1/projects/tour-1/events", token, {{"type", type}, {"data", data}});
  }
  Json Project() {
    Reply r = Call(port_, http::verb::get, "/v1/projects/tour-1", kCoordinator);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }
  static Json Keyed(std::vector<std::pair<std::string, std::string>> steps) {
    Json out = Json::array();
    for (auto& [key, step] : steps) out.push_back({{"key", key}, {"step", step}});
    return out;
  }

  relais::testing::TempDir dir_;
  std::string config_;
  std::unique_ptr<relais::testing::ChildProcess> server_;
  uint16_t port_ = 0;
};

TEST_F(KeyedTracksEndToEndTest, EachFunderAnswersForItselfAndTheRoundClosesOnceAllHaveAnswered) {
  Json create = {{"id", "tour-1"},
                 {"workflow", "tour_financement"},
                 {"title", "Tour de financement 2004"},
                 {"programme", "sud-val-de-marnais"},
                 {"axis", "3"},
                 {"partners", {"region", "etat"}},
                 {"fields", {{"financeurs_sollicites", {"region", "etat"}}}}};
  Reply created = Call(port_, http::verb::post, "/v1/projects", kCoordinator, create);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Project()["state"]["tracks"]["financeurs"], Keyed({{"etat", "en_attente"}, {"region", "en_attente"}}));

  // A third funder asked: its track appears, pending.
  ASSERT_EQ(Fire(kCoordinator, "financeur_sollicite", {{"financeur", "ville"}}).status, 201);
  // The region answers for itself; it may not answer for the State.
  Reply answered = Fire(kRegion, "reponse_financeur", {{"financeur", "region"}, {"reponse", "accorde"}});
  ASSERT_EQ(answered.status, 201) << answered.body;
  EXPECT_EQ(answered.body["events"][0]["data"]["effects"]["keyed_tracks"]["financeurs"]["steps"]["region"], "accorde")
      << answered.body;
  Reply usurped = Fire(kRegion, "reponse_financeur", {{"financeur", "etat"}, {"reponse", "refuse"}});
  EXPECT_EQ(usurped.status, 422);
  EXPECT_EQ(usurped.body.value("code", ""), "guard_failed") << usurped.body;
  // A funder that was never asked.
  Reply unknown = Fire(kCoordinator, "reponse_financeur", {{"financeur", "bpi"}, {"reponse", "accorde"}});
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(unknown.body.value("code", ""), "unknown_track_key") << unknown.body;
  EXPECT_EQ(unknown.body["details"]["keys"], Json::array({"region", "etat", "ville"})) << unknown.body;

  // Not every funder has answered: the round stays open.
  Reply early = Fire(kCoordinator, "tour_clos", Json::object());
  EXPECT_EQ(early.status, 422);
  EXPECT_EQ(early.body.value("code", ""), "guard_failed") << early.body;
  ASSERT_EQ(Fire(kEtat, "reponse_financeur", {{"financeur", "etat"}, {"reponse", "refuse"}}).status, 201);
  ASSERT_EQ(Fire(kCoordinator, "reponse_financeur", {{"financeur", "ville"}, {"reponse", "accorde"}}).status, 201);
  Reply closed = Fire(kCoordinator, "tour_clos", Json::object());
  ASSERT_EQ(closed.status, 201) << closed.body;

  const Json before = Project();
  EXPECT_EQ(before["state"]["phase"], "decision");
  const Json answers = Keyed({{"etat", "refuse"}, {"region", "accorde"}, {"ville", "accorde"}});
  EXPECT_EQ(before["state"]["tracks"]["financeurs"], answers) << "kept after its phase (keep: true)";
  EXPECT_FALSE(before["state"]["tracks"].contains("soutiens"));

  // The definition served to the dashboard names the keying and the step labels.
  Reply def = Call(port_, http::verb::get, "/v1/workflows/tour_financement", kCoordinator);
  ASSERT_EQ(def.status, 200) << def.body;
  EXPECT_EQ(def.body["definition"]["phases"][0]["tracks"][1]["keyed_by"], "state.financeurs_sollicites") << def.body;

  // After a restart the project is folded from the stored history: the same tracks.
  EXPECT_EQ(server_->Kill(SIGTERM), 0);
  server_.reset();
  Start();
  const Json after = Project();
  EXPECT_EQ(after["state"]["tracks"], before["state"]["tracks"]);
  EXPECT_EQ(after["version"], before["version"]);
  ASSERT_EQ(Fire(kCoordinator, "decision_prise", Json::object()).status, 201) << "two grants";
}

}  // namespace
}  // namespace relais::api
