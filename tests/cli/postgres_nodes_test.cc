// Two real `relais serve` nodes on one PostgreSQL database (store.engine:
// postgres): a command made on one node is seen by the other (its read
// model and its project cache follow the commit's notification); a stale
// cache never decides wrongly (the version check refuses it, the node
// reloads); accounts, sessions, tokens, deployed workflows and programmes
// made on one node hold on the other; a node SIGKILLed while commands
// arrive loses none acknowledged.
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <boost/beast/http.hpp>

#include "engine/api/authenticator.h"
#include "tests/programme/programme_fixture.h"
#include "tests/testing/loopback_client.h"
#include "tests/testing/postgres_schema.h"
#include "tests/testing/temp_dir.h"

namespace relais {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;
using Client = relais::testing::LoopbackClient;
using Child = relais::testing::PortedChild;

constexpr char kToken[] = "nodes-coordinator-token";
constexpr char kAdmin[] = "nodes-admin-token";
constexpr char kPassword[] = "un mot de passe assez long";
constexpr char kNadia[] = "nadia.benali@ville.example";
constexpr char kListening[] = "relais listening on http://127.0.0.1:";

class PostgresNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* node : {"a", "b"}) {
      const std::string config = dir_.Sub(std::string("relais-") + node + ".yaml");
      std::ofstream(config) << "server:\n  listen_address: 127.0.0.1\n  port: 0\n  drain_timeout_ms: 1000\n"
                            << "data_dir: " << dir_.Sub(std::string("data-") + node) << "\n"
                            << "store:\n  engine: postgres\n  postgres:\n    conninfo: \"" << schema_.conninfo()
                            << "\"\n    catch_up_interval_ms: 5000\n"
                            << "workflows_dir: " << RELAIS_SOURCE_DIR << "/workflows\n"
                            << "api:\n  rate_limit_per_second: 1000000\n  rate_limit_burst: 1000000\n"
                            << "tokens:\n  - sha256: " << api::Authenticator::Sha256Hex(kToken)
                            << "\n    subject: person:claire.dumas\n    roles: [coordinator]\n"
                            << "  - sha256: " << api::Authenticator::Sha256Hex(kAdmin)
                            << "\n    subject: person:admin.relais\n    roles: [admin]\n";
      configs_.push_back(config);
    }
  }
  std::unique_ptr<Child> Start(int node) {
    auto child = std::make_unique<Child>(std::vector<std::string>{RELAIS_BINARY, "serve", "--config", configs_[node]},
                                         kListening);
    EXPECT_NE(child->port(), 0) << child->output();
    return child;
  }
  static uint64_t VersionOn(uint16_t port) {
    Client c(port);
    auto r = c.Call(http::verb::get, "/v1/projects/action-1", kToken);
    return r.status == 200 ? r.body["version"].get<uint64_t>() : 0;
  }
  static Client::Result Record(uint16_t port, int value, std::optional<uint64_t> if_match = std::nullopt) {
    Client c(port);
    Client::Headers headers;
    if (if_match) headers.push_back({"If-Match", "\"" + std::to_string(*if_match) + "\""});
    return c.Call(http::verb::post, "/v1/projects/action-1/events", kToken,
                  {{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "autre"}, {"valeur", value}}}}, headers);
  }

  // Creates action-1 through the node on port.
  static void CreateAction(uint16_t port) {
    Client c(port);
    auto made = c.Call(http::verb::post, "/v1/projects", kToken,
                       {{"id", "action-1"},
                        {"workflow", "cbe_action"},
                        {"title", "Action 1"},
                        {"programme", "sud-val-de-marnais"},
                        {"axis", "2A"}});
    ASSERT_EQ(made.status, 201) << made.raw;
  }

  relais::testing::TempDir dir_;
  relais::testing::PostgresSchema schema_;
  std::vector<std::string> configs_;
};

bool Eventually(const std::function<bool()>& pred) {
  for (auto end = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < end;) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

TEST_F(PostgresNodesTest, ACommitOnOneNodeIsSeenOnTheOtherAndAStaleCacheNeverDecides) {
  auto a = Start(0), b = Start(1);
  ASSERT_TRUE(a->port() && b->port());
  CreateAction(a->port());
  if (HasFatalFailure()) return;
  const uint64_t created = VersionOn(a->port());
  ASSERT_GT(created, 0u);
  EXPECT_TRUE(Eventually([&] { return VersionOn(b->port()) == created; })) << "B reads what A created";

  auto on_a = Record(a->port(), 1);
  ASSERT_EQ(on_a.status, 201) << on_a.raw;
  const uint64_t v1 = on_a.body["version"].get<uint64_t>();
  EXPECT_TRUE(Eventually([&] { return VersionOn(b->port()) == v1; }))
      << "B's cache follows A's commit: B shows " << VersionOn(b->port()) << ", A wrote " << v1;
  {
    Client c(b->port());
    auto listed = c.Call(http::verb::get, "/v1/projects?programme=sud-val-de-marnais", kToken);
    ASSERT_EQ(listed.status, 200) << listed.raw;
    EXPECT_NE(listed.raw.find("action-1"), std::string::npos) << "B's read model has A's project";
  }

  auto on_b = Record(b->port(), 2, v1);
  ASSERT_EQ(on_b.status, 201) << on_b.raw;
  const uint64_t v2 = on_b.body["version"].get<uint64_t>();
  EXPECT_EQ(v2, v1 + 1);
  // A, told the version it last wrote, is refused: the project moved on B.
  auto stale = Record(a->port(), 3, v1);
  EXPECT_EQ(stale.status, 409) << stale.raw;
  auto fresh = Record(a->port(), 4);
  ASSERT_EQ(fresh.status, 201) << fresh.raw;
  EXPECT_EQ(fresh.body["version"].get<uint64_t>(), v2 + 1) << "A decided on B's change";
  EXPECT_EQ(a->Kill(SIGTERM), 0) << a->output();
  EXPECT_EQ(b->Kill(SIGTERM), 0) << b->output();
}

std::string CookieOf(const Client::Result& r) {
  for (const auto& [name, value] : r.headers)
    if (name == "Set-Cookie" && value.rfind("relais_session=", 0) == 0) return value.substr(15, value.find(';') - 15);
  return "";
}

Client::Result WithCookie(uint16_t port, http::verb verb, const std::string& target, const std::string& session,
                          const Json& body = nullptr, const std::string& csrf = "") {
  Client c(port);
  Client::Headers headers = {{"Cookie", "relais_session=" + session}};
  if (!csrf.empty()) headers.push_back({"X-CSRF-Token", csrf});
  return c.Call(verb, target, "", body, headers);
}

TEST_F(PostgresNodesTest, AccountsWorkflowsAndProgrammesMadeOnOneNodeHoldOnTheOther) {
  auto a = Start(0), b = Start(1);
  ASSERT_TRUE(a->port() && b->port());
  Client on_a(a->port()), on_b(b->port());

  // Invited on A, accepted on B: the session B started is good on A at once.
  auto invited = on_a.Call(http::verb::post, "/v1/invitations", kAdmin,
                           {{"email", kNadia}, {"roles", {"coordinator"}}, {"programmes", Json::array()}});
  ASSERT_EQ(invited.status, 201) << invited.raw;
  const std::string link = invited.body["link"];
  const std::string invitation = link.substr(link.rfind('/') + 1);
  auto accepted =
      on_b.Call(http::verb::post, "/v1/invitations/" + invitation + "/accept", "",
                {{"civility", "Mme"}, {"first_name", "Nadia"}, {"last_name", "Benali"}, {"password", kPassword}});
  ASSERT_EQ(accepted.status, 201) << accepted.raw;
  const std::string session_b = CookieOf(accepted);
  ASSERT_FALSE(session_b.empty());
  auto me_on_a = WithCookie(a->port(), http::verb::get, "/v1/me", session_b);
  ASSERT_EQ(me_on_a.status, 200) << "a session started on B, used on A: " << me_on_a.raw;

  // Her password, set on B, signs her in on A; a token made on A works on B.
  auto signed_in =
      on_a.Call(http::verb::post, "/v1/sign-in/password", "", {{"email", kNadia}, {"password", kPassword}});
  ASSERT_EQ(signed_in.status, 200) << signed_in.raw;
  const std::string session_a = CookieOf(signed_in);
  auto me = WithCookie(a->port(), http::verb::get, "/v1/me", session_a);
  ASSERT_EQ(me.status, 200) << me.raw;
  auto made = WithCookie(a->port(), http::verb::post, "/v1/me/tokens", session_a, {{"name", "tableur"}},
                         me.body.value("csrf_token", ""));
  ASSERT_EQ(made.status, 201) << made.raw;
  const std::string personal = made.body["token"];
  EXPECT_EQ(on_b.Call(http::verb::get, "/v1/me", personal).status, 200) << "a token made on A, used on B";

  // Disabled on B: B decided on the account as A left it (the token made on
  // A is revoked with it), and A refuses the token and both sessions soon.
  auto disabled = on_b.Call(http::verb::put, std::string("/v1/accounts/") + kNadia + "/access", kAdmin,
                            {{"roles", {"coordinator"}}, {"status", "disabled"}});
  ASSERT_EQ(disabled.status, 200) << disabled.raw;
  auto audit = on_b.Call(http::verb::get, "/v1/audit?limit=200", kAdmin);
  ASSERT_EQ(audit.status, 200) << audit.raw;
  EXPECT_NE(audit.raw.find("account.token_revoked"), std::string::npos) << audit.raw;
  EXPECT_TRUE(Eventually([&] {
    Client c(a->port());
    return c.Call(http::verb::get, "/v1/me", personal).status == 401 &&
           WithCookie(a->port(), http::verb::get, "/v1/me", session_a).status == 401 &&
           WithCookie(a->port(), http::verb::get, "/v1/me", session_b).status == 401;
  })) << "A still lets a disabled account in";

  // A workflow deployed on A: B creates a project on it at once, and A
  // reads the project B made.
  std::ifstream file(std::string(RELAIS_SOURCE_DIR) + "/tests/cli/testdata/relance-failover.yaml");
  const std::string source((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto deployed = on_a.Call(http::verb::post, "/v1/workflows", kAdmin,
                            {{"source", source}, {"file_name", "relance-failover.yaml"}});
  ASSERT_EQ(deployed.status, 201) << deployed.raw;
  auto created = on_b.Call(http::verb::post, "/v1/projects", kToken,
                           {{"id", "relance-1"}, {"workflow", "relance_test"}, {"title", "Relance 1"}});
  ASSERT_EQ(created.status, 201) << "B creates on a workflow deployed on A: " << created.raw;
  EXPECT_TRUE(Eventually([&] {
    Client c(a->port());
    return c.Call(http::verb::get, "/v1/projects/relance-1", kToken).status == 200;
  }));
  auto noted =
      on_a.Call(http::verb::post, "/v1/projects/relance-1/events", kToken, {{"type", "note"}, {"data", {{"n", 1}}}});
  EXPECT_EQ(noted.status, 201) << noted.raw;

  // A programme read on B (cached there), changed on A: B shows the change.
  ASSERT_EQ(on_a.Call(http::verb::post, "/v1/programmes", kToken, programme::testing::CbeDefinition()).status, 201);
  EXPECT_TRUE(Eventually([&] {
    Client c(b->port());
    return c.Call(http::verb::get, "/v1/programmes/sud-val-de-marnais", kToken).status == 200;
  }));
  auto renamed = on_a.Call(http::verb::patch, "/v1/programmes/sud-val-de-marnais", kToken,
                           {{"title", "Plate-forme du Sud Val-de-Marnais, renommée"}});
  ASSERT_EQ(renamed.status, 200) << renamed.raw;
  EXPECT_TRUE(Eventually([&] {
    Client c(b->port());
    auto got = c.Call(http::verb::get, "/v1/programmes/sud-val-de-marnais", kToken);
    return got.status == 200 && got.raw.find("renommée") != std::string::npos;
  })) << "B keeps serving the programme as it cached it";
  EXPECT_EQ(a->Kill(SIGTERM), 0) << a->output();
  EXPECT_EQ(b->Kill(SIGTERM), 0) << b->output();
}

TEST_F(PostgresNodesTest, ANodeSigkilledWhileCommandsArriveLosesNoneAcknowledged) {
  auto a = Start(0);
  ASSERT_NE(a->port(), 0);
  CreateAction(a->port());
  if (HasFatalFailure()) return;
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&, w, port = a->port()] {
      Client c(port);
      for (int i = 0; !stop; ++i) {
        auto r =
            c.Call(http::verb::post, "/v1/projects/action-1/events", kToken,
                   {{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "autre"}, {"valeur", w * 1000 + i}}}});
        if (r.status != 201) return;  // the server is gone
        std::lock_guard lock(mu);
        for (const Json& e : r.body["events"]) acknowledged.insert(e["id"].get<std::string>());
      }
    });
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(mu);
      if (acknowledged.size() >= 100) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  a->Kill(SIGKILL);
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_GE(acknowledged.size(), 100u);

  auto b = Start(1);  // another node reads what A acknowledged
  ASSERT_NE(b->port(), 0);
  std::set<std::string> stored;
  Client c(b->port());
  for (uint64_t from = 1;;) {
    auto page =
        c.Call(http::verb::get, "/v1/projects/action-1/events?from=" + std::to_string(from) + "&limit=500", kToken);
    ASSERT_EQ(page.status, 200) << page.raw;
    for (const Json& e : page.body["events"]) stored.insert(e["id"].get<std::string>());
    if (!page.body["has_more"].get<bool>()) break;
    from = page.body["next_from"].get<uint64_t>();
  }
  for (const std::string& id : acknowledged) EXPECT_TRUE(stored.count(id)) << id << " acknowledged, then lost";
  EXPECT_EQ(b->Kill(SIGTERM), 0) << b->output();
}

}  // namespace
}  // namespace relais
