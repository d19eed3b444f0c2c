// End-to-end proof of webhooks: a real `relais serve` and a real receiver
// (tests/webhooks/receiver.js on node, verifying every signature with the
// `standardwebhooks` package). Covers 10,000 deliveries across a SIGKILL and
// a receiver that was down, order per project, 410, 429 + Retry-After, 5xx
// then success, a timeout, TLS with a test CA, a refused private target and
// secret rotation. The retry schedule is short through the config.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/api/authenticator.h"
#include "engine/notify/outbox.h"
#include "engine/util/json.h"
#include "engine/util/time_format.h"
#include "tests/testing/child_process.h"
#include "tests/testing/loopback_client.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

extern char** environ;

namespace relais {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using SteadyClock = std::chrono::steady_clock;

constexpr char kCoordinatorToken[] = "wh-coordinator-token";
constexpr char kPartnerToken[] = "wh-partner-token";
constexpr char kOtherPartnerToken[] = "wh-other-partner-token";
constexpr char kSecret1[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kSecret2[] = "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3";

using Client = relais::testing::LoopbackClient;
using Child = relais::testing::PortedChild;

class WebhooksEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_path_ = dir_.Sub("relais.yaml");
    const std::string schedule = RetrySchedule();
    std::ofstream(config_path_)
        << "server:\n  listen_address: 127.0.0.1\n  port: 0\n  drain_timeout_ms: 1000\n"
        << "data_dir: " << dir_.Sub("data") << "\n"
        << "workflows_dir: " << RELAIS_SOURCE_DIR << "/workflows\n"
        << "api:\n  worker_threads: 16\n  stream_keepalive_ms: 200\n  rate_limit_per_second: 1000000\n  "
           "rate_limit_burst: 1000000\n"
        << "webhooks:\n"
        << "  retry_schedule_ms: " << schedule << "\n"
        << "  retry_jitter_percent: 0\n"
        << "  connect_timeout_ms: 1000\n"
        << "  total_timeout_ms: 1000\n"
        << "  max_concurrency_per_endpoint: 16\n"
        << "  secret_overlap_ms: 3600000\n"
        << "  allowed_ranges: [127.0.0.1/32]\n"
        << "  public_base_url: https://relais.example\n"
        << "  max_sleep_ms: 50\n"
        << (ca_file_.empty() ? "" : "  ca_bundle: " + ca_file_ + "\n") << "tokens:\n"
        << "  - sha256: " << api::Authenticator::Sha256Hex(kCoordinatorToken) << "\n"
        << "    subject: person:claire.dumas\n    roles: [coordinator]\n"
        << "  - sha256: " << api::Authenticator::Sha256Hex(kPartnerToken) << "\n"
        << "    subject: partner:ccas-fresnes\n    roles: [partner]\n    partner: ccas-fresnes\n"
        << "  - sha256: " << api::Authenticator::Sha256Hex(kOtherPartnerToken) << "\n"
        << "    subject: partner:afpa\n    roles: [partner]\n    partner: afpa\n";
    StartServer();
  }

  // 100 s of retries: the 10,000 deliveries wait for a receiver that is down while they are made.
  virtual std::string RetrySchedule() const {
    std::string schedule = "[0, 100, 200";
    for (int i = 0; i < 97; ++i) schedule += ", 1000";
    return schedule + "]";
  }

  void StartServer() {
    server_ = std::make_unique<Child>(std::vector<std::string>{RELAIS_BINARY, "serve", "--config", config_path_},
                                      "relais listening on http://127.0.0.1:");
    ASSERT_NE(server_->port(), 0) << "relais serve did not start";
  }
  std::unique_ptr<Child> StartReceiver(uint16_t port = 0, const std::string& tls_cert = "",
                                       const std::string& tls_key = "") {
    std::vector<std::string> args = {
        "node", RECEIVER_JS, "--port", std::to_string(port), "--secrets", std::string(kSecret1) + "," + kSecret2};
    if (!tls_cert.empty()) {
      args.insert(args.end(), {"--tls-cert", tls_cert, "--tls-key", tls_key});
    }
    auto child = std::make_unique<Child>(args, "receiver listening ");
    EXPECT_NE(child->port(), 0) << "the node receiver did not start (run ./scripts/test, which installs it)";
    return child;
  }

  Client::Result Call(http::verb method, const std::string& target, const std::string& token,
                      const Json& body = nullptr) {
    Client c(server_->port());
    return c.Call(method, target, token, body);
  }

  std::string CreateEndpoint(const std::string& url, Json extra = Json::object()) {
    Json body = {{"url", url}, {"secret", kSecret1}};
    body.update(extra);
    auto r = Call(http::verb::post, "/v1/webhooks/endpoints", kPartnerToken, body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body.value("id", "");
  }

  void CreateProject(Client& c, const std::string& id) {
    Json body = {{"id", id},
                 {"workflow", "cbe_action"},
                 {"title", "Mobilité Orly-Rungis"},
                 {"programme", "sud-val-de-marnais"},
                 {"axis", "3"},
                 {"partners", {"ccas-fresnes"}}};
    auto r = c.Call(http::verb::post, "/v1/projects", kCoordinatorToken, body);
    ASSERT_EQ(r.status, 201) << r.raw;
  }
  bool Record(Client& c, const std::string& project, int n) {
    Json cmd = {{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "personnes_placees"}, {"valeur", n}}}};
    return c.Call(http::verb::post, "/v1/projects/" + project + "/events", kCoordinatorToken, cmd).status == 201;
  }

  static Json Received(uint16_t receiver_port) {
    Client c(receiver_port);
    return c.Call(http::verb::get, "/received", "").body;
  }
  // Waits until pred(received) or the timeout; returns the last answer.
  static Json WaitForReceived(uint16_t port, const std::function<bool(const Json&)>& pred,
                              std::chrono::seconds timeout = 60s) {
    Json last;
    for (auto deadline = SteadyClock::now() + timeout; SteadyClock::now() < deadline;) {
      last = Received(port);
      if (last.is_object() && pred(last)) return last;
      std::this_thread::sleep_for(50ms);
    }
    return last;
  }
  Json AttemptsOf(const std::string& delivery) {
    return Call(http::verb::get, "/v1/webhooks/deliveries/" + delivery + "/attempts", kPartnerToken).body;
  }

  relais::testing::TempDir dir_;
  std::string config_path_;
  std::string ca_file_;
  std::unique_ptr<Child> server_;
};

// Topics: an endpoint that declares topics gets exactly the events whose
// type announces one of them (notify: in workflows/cbe.yaml), signed as
// every delivery; topics and event types combine; bad topics are refused.
TEST_F(WebhooksEndToEndTest, AnEndpointWithTopicsGetsExactlyTheEventsAnnouncingThem) {
  auto receiver = StartReceiver();
  ASSERT_NE(receiver->port(), 0);
  const std::string base = "http://127.0.0.1:" + std::to_string(receiver->port());

  // Topic syntax, checked with words that say what was expected.
  struct Bad {
    Json topics;
    std::string says;
  };
  for (const Bad& bad : std::vector<Bad>{{Json::array({"Action.Verdict"}), "topics[0]: 'Action.Verdict' has 'A'"},
                                         {Json::array({"action.verdict", "action..phase"}), "topics[1]: an empty word"},
                                         {Json::array({"action.vérdict"}), "no accents in topics"},
                                         {Json::array({"action."}), "ends with '.'"},
                                         {Json::array({""}), "topics[0]: expected a topic"},
                                         {Json::array({12}), "topics[0]: expected a string"},
                                         {"action.verdict", "topics: expected a list of topics"}}) {
    Json body = {{"url", base + "/ok"}, {"secret", kSecret1}, {"topics", bad.topics}};
    auto r = Call(http::verb::post, "/v1/webhooks/endpoints", kPartnerToken, body);
    EXPECT_EQ(r.status, 400) << bad.topics;
    EXPECT_THAT(r.body.value("detail", ""), HasSubstr(bad.says)) << r.raw;
  }

  const std::string verdicts = CreateEndpoint(base + "/ok?e=verdicts", {{"topics", {"action.verdict"}}});
  const std::string everything = CreateEndpoint(base + "/ok?e=everything");
  const std::string studies =
      CreateEndpoint(base + "/ok?e=studies", {{"topics", {"action.*"}}, {"event_types", {"etude_*"}}});
  // Topics set afterwards, then read back.
  const std::string phases = CreateEndpoint(base + "/ok?e=phases");
  auto patched =
      Call(http::verb::patch, "/v1/webhooks/endpoints/" + phases, kPartnerToken, Json{{"topics", {"action.phase"}}});
  ASSERT_EQ(patched.status, 200) << patched.raw;
  EXPECT_EQ(patched.body["topics"], Json::array({"action.phase"}));
  EXPECT_EQ(Call(http::verb::get, "/v1/webhooks/endpoints/" + verdicts, kPartnerToken).body["topics"],
            Json::array({"action.verdict"}));

  Client c(server_->port());
  CreateProject(c, "topics-1");
  const std::vector<Json> commands = {
      {{"type", "mobilisation_avancee"}, {"data", {{"volet", "partenaires"}, {"etape", "mobilises"}}}},
      {{"type", "etude_lancee"}},
      {{"type", "porteur_identifie"}, {"data", {{"nom", "Association Relais"}, {"nature", "association"}}}},
      {{"type", "verdict_faisabilite"}, {"data", {{"verdict", "positif"}}}},
      {{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "personnes_placees"}, {"valeur", 3}}}},
  };
  for (const Json& cmd : commands) {
    auto r = c.Call(http::verb::post, "/v1/projects/topics-1/events", kCoordinatorToken, cmd);
    ASSERT_EQ(r.status, 201) << cmd << " " << r.raw;
  }

  // What each endpoint must get, from the history and the workflow's notify: lists.
  auto history = c.Call(http::verb::get, "/v1/projects/topics-1/events?limit=100", kCoordinatorToken);
  ASSERT_EQ(history.status, 200);
  auto workflow = c.Call(http::verb::get, "/v1/workflows/cbe_action", kCoordinatorToken);
  ASSERT_EQ(workflow.status, 200);
  std::map<std::string, std::vector<std::string>> topics_of;
  for (const Json& e : workflow.body["definition"]["events"])
    topics_of[e["type"].get<std::string>()] = e["notify"].get<std::vector<std::string>>();
  std::map<std::string, std::vector<uint64_t>> expected;  // endpoint query -> versions
  for (const Json& e : history.body["events"]) {
    const std::string type = e["type"];
    const uint64_t version = e["version"];
    const std::vector<std::string>& topics = topics_of[type];  // none for the runtime's own events
    auto has = [&](const std::string& t) { return std::find(topics.begin(), topics.end(), t) != topics.end(); };
    expected["everything"].push_back(version);
    if (has("action.verdict")) expected["verdicts"].push_back(version);
    if (has("action.phase")) expected["phases"].push_back(version);
    const bool action_topic =
        std::any_of(topics.begin(), topics.end(), [](const std::string& t) { return t.rfind("action.", 0) == 0; });
    if (type.rfind("etude_", 0) == 0 && action_topic) expected["studies"].push_back(version);
  }
  ASSERT_EQ(expected["verdicts"].size(), 1u);  // the scenario does reach each case
  ASSERT_EQ(expected["studies"].size(), 1u);
  ASSERT_EQ(expected["phases"].size(), 2u);  // etude_lancee, verdict_faisabilite
  ASSERT_EQ(expected["everything"].size(), history.body["events"].size());

  auto received_by = [](const Json& received, const std::string& name) {
    std::map<uint64_t, Json> by_version;  // deduplicated by version (one event each)
    for (const Json& r : received["received"])
      if (r["path"] == "/ok?e=" + name) by_version[r["version"].get<uint64_t>()] = r;
    return by_version;
  };
  auto all_in = [&](const Json& received) {
    for (const auto& [name, versions] : expected)
      if (received_by(received, name).size() < versions.size()) return false;
    return true;
  };
  Json received = WaitForReceived(receiver->port(), all_in);
  ASSERT_TRUE(all_in(received)) << received.dump();
  std::this_thread::sleep_for(500ms);  // anything extra would arrive meanwhile
  received = Received(receiver->port());
  EXPECT_EQ(received["rejected"], 0) << "every delivery is signed";
  for (const auto& [name, versions] : expected) {
    std::vector<uint64_t> got;
    for (const auto& [version, r] : received_by(received, name)) {
      got.push_back(version);
      EXPECT_EQ(r["project"], "topics-1");
      EXPECT_FALSE(r["verified_with"].empty());
    }
    EXPECT_EQ(got, versions) << name;
  }
  // Each delivery carries its event's topics.
  for (const auto& [version, r] : received_by(received, "everything")) {
    const std::string type = r["type"];
    EXPECT_EQ(r["topics"], Json(topics_of[type])) << type;
  }
  const Json verdict = received_by(received, "verdicts").begin()->second;
  EXPECT_EQ(verdict["type"], "verdict_faisabilite");
  EXPECT_EQ(verdict["topics"], Json::array({"action.verdict", "action.phase"}));
}

TEST_F(WebhooksEndToEndTest, TenThousandDeliveriesSurviveASigkillAndADownReceiverExactlyOnceAfterDedup) {
  // The receiver's port is taken, then the receiver stopped: every delivery
  // piles up (its head retried) until it comes back.
  uint16_t receiver_port;
  {
    auto probe = StartReceiver();
    receiver_port = probe->port();
    ASSERT_NE(receiver_port, 0);
  }
  const std::string endpoint = CreateEndpoint("http://127.0.0.1:" + std::to_string(receiver_port) + "/ok");
  ASSERT_FALSE(endpoint.empty());

  constexpr int kProjects = 20;
  constexpr int kCommandsPerProject = 498;  // + 2 creation events each: 10,000 deliveries
  std::atomic<int> failures{0};
  std::vector<std::thread> loaders;
  for (int t = 0; t < 10; ++t) {
    loaders.emplace_back([&, t] {
      Client c(server_->port());
      for (int p = t; p < kProjects; p += 10) {
        const std::string id = "wh-" + std::to_string(p);
        CreateProject(c, id);
        for (int n = 0; n < kCommandsPerProject; ++n)
          if (!Record(c, id, n)) ++failures;
      }
    });
  }
  for (auto& t : loaders) t.join();
  ASSERT_EQ(failures.load(), 0);
  auto pending = Call(http::verb::get, "/v1/webhooks/endpoints/" + endpoint + "/deliveries?limit=500", kPartnerToken);
  ASSERT_EQ(pending.status, 200);
  EXPECT_EQ(pending.body["deliveries"].size(), 500u) << "deliveries wait while the receiver is down";

  auto receiver = StartReceiver(receiver_port);
  ASSERT_EQ(receiver->port(), receiver_port);
  // Kill the server in the middle of delivering.
  WaitForReceived(receiver_port, [](const Json& r) { return r["received"].size() >= 1500; });
  server_->Kill(SIGKILL);
  const size_t before_restart = Received(receiver_port)["received"].size();
  EXPECT_LT(before_restart, 10'000u) << "the kill came too late to prove anything";
  StartServer();

  // The expected set: every event the store holds, times the endpoint.
  std::set<std::string> expected;
  std::map<std::string, std::string> project_of;
  for (int p = 0; p < kProjects; ++p) {
    const std::string id = "wh-" + std::to_string(p);
    for (uint64_t from = 1;;) {
      auto page = Call(http::verb::get, "/v1/projects/" + id + "/events?limit=500&from=" + std::to_string(from),
                       kCoordinatorToken);
      ASSERT_EQ(page.status, 200) << page.raw;
      for (const Json& e : page.body["events"]) {
        std::string webhook_id = notify::WebhookId(e["id"].get<std::string>(), endpoint);
        expected.insert(webhook_id);
        project_of[webhook_id] = id;
      }
      if (!page.body["has_more"].get<bool>()) break;
      from = page.body["next_from"].get<uint64_t>();
    }
  }
  ASSERT_EQ(expected.size(), 10'000u);

  Json all = WaitForReceived(
      receiver_port,
      [&](const Json& r) {
        std::set<std::string> ids;
        for (const Json& x : r["received"]) ids.insert(x["id"].get<std::string>());
        return ids.size() >= expected.size();
      },
      180s);
  std::set<std::string> got;
  std::map<std::string, uint64_t> last_version;  // per project, first arrivals only
  bool in_order = true;
  for (const Json& x : all["received"]) {
    const std::string id = x["id"];
    if (!got.insert(id).second) continue;  // a redelivery after the crash
    uint64_t v = x["version"];
    std::string project = x["project"];
    if (v <= last_version[project]) in_order = false;
    last_version[project] = v;
    EXPECT_EQ(x["link"], "https://relais.example/v1/projects/" + project);
  }
  EXPECT_EQ(got, expected) << "dedup by webhook-id gives exactly the expected set";
  EXPECT_TRUE(in_order) << "per project, each event first arrives after the earlier ones";
  EXPECT_EQ(all["rejected"], 0) << "every signature verified";
  std::printf("webhooks e2e: %zu accepted before the SIGKILL, %zu requests in all for %zu deliveries\n", before_restart,
              all["received"].size(), expected.size());
}

TEST_F(WebhooksEndToEndTest, OutcomesGoneBusyFlakySlowAndTheirAttempts) {
  auto receiver = StartReceiver();
  const std::string base = "http://127.0.0.1:" + std::to_string(receiver->port());
  Json only_created = {{"event_types", {"project_created"}}};
  const std::string gone = CreateEndpoint(base + "/gone", only_created);
  const std::string busy = CreateEndpoint(base + "/busy", only_created);
  const std::string flaky = CreateEndpoint(base + "/flaky", only_created);
  const std::string slow = CreateEndpoint(base + "/slow", only_created);
  Client c(server_->port());
  CreateProject(c, "outcomes");

  WaitForReceived(
      receiver->port(), [](const Json& r) { return r["received"].size() >= 3; }, 30s);
  auto delivered = [&](const std::string& path) {
    const Json all = Received(receiver->port());
    for (const Json& x : all["received"])
      if (x["path"] == path) return x;
    return Json();
  };
  for (const char* path : {"/busy", "/flaky", "/slow"}) {
    ASSERT_TRUE(delivered(path).is_object()) << path << " " << Received(receiver->port()).dump();
  }

  // 429 with Retry-After: 1: the second attempt waits a second, not the 100 ms schedule.
  Json busy_attempts = AttemptsOf(delivered("/busy")["id"]);
  ASSERT_EQ(busy_attempts["attempts"].size(), 2u) << busy_attempts.dump();
  EXPECT_EQ(busy_attempts["attempts"][0]["status"], 429);
  EXPECT_EQ(busy_attempts["attempts"][0]["retry_after_s"], 1);
  EXPECT_EQ(busy_attempts["attempts"][1]["status"], 200);
  auto t0 = ParseIso8601(busy_attempts["attempts"][0]["at"].get<std::string>());
  auto t1 = ParseIso8601(busy_attempts["attempts"][1]["at"].get<std::string>());
  EXPECT_GE(*t1 - *t0, 990ms);

  Json flaky_attempts = AttemptsOf(delivered("/flaky")["id"]);
  ASSERT_EQ(flaky_attempts["attempts"].size(), 3u) << flaky_attempts.dump();
  EXPECT_EQ(flaky_attempts["attempts"][0]["status"], 500);
  EXPECT_EQ(flaky_attempts["attempts"][0]["excerpt"], "status 500");
  EXPECT_EQ(flaky_attempts["attempts"][2]["status"], 200);

  Json slow_attempts = AttemptsOf(delivered("/slow")["id"]);
  ASSERT_EQ(slow_attempts["attempts"].size(), 2u) << slow_attempts.dump();
  EXPECT_EQ(slow_attempts["attempts"][0]["status"], 0);
  EXPECT_THAT(slow_attempts["attempts"][0]["excerpt"].get<std::string>(), HasSubstr("timed out"));
  EXPECT_GE(slow_attempts["attempts"][0]["latency_ms"].get<double>(), 900.0);
  EXPECT_EQ(slow_attempts["attempts"][1]["status"], 200);

  // 410 disables the endpoint; the coordinator hears it on the live stream.
  auto gone_state = Call(http::verb::get, "/v1/webhooks/endpoints/" + gone, kPartnerToken);
  ASSERT_EQ(gone_state.status, 200);
  EXPECT_EQ(gone_state.body["active"], false);
  EXPECT_THAT(gone_state.body["disabled_reason"].get<std::string>(), HasSubstr("410"));
  Client stream(server_->port());
  EXPECT_TRUE(stream.StreamUntil("/v1/stream", kCoordinatorToken, "webhook_endpoint_disabled", 10s));
  auto gone_log = Call(http::verb::get, "/v1/webhooks/endpoints/" + gone + "/attempts", kPartnerToken);
  ASSERT_EQ(gone_log.status, 200);
  ASSERT_EQ(gone_log.body["attempts"].size(), 1u);
  EXPECT_EQ(gone_log.body["attempts"][0]["status"], 410);
  EXPECT_EQ(Received(receiver->port())["rejected"], 0);
  // Another partner sees none of it.
  EXPECT_EQ(Call(http::verb::get, "/v1/webhooks/endpoints/" + gone, kOtherPartnerToken).status, 404);
}

// Each attempt's outcome reaches, once stored, the live streams of those who
// may see its partner's deliveries (the deliveries page re-reads on it), and
// no one else's; the notices carry no id, so Last-Event-ID stays an event's.
TEST_F(WebhooksEndToEndTest, EachAttemptIsAnnouncedOnTheLiveStreamsOfThoseWhoSeeItsPartner) {
  auto receiver = StartReceiver();
  const std::string flaky = CreateEndpoint("http://127.0.0.1:" + std::to_string(receiver->port()) + "/flaky",
                                           {{"event_types", {"project_created"}}});
  std::string partner_seen, other_seen;
  auto partner = std::async(std::launch::async, [&] {
    Client s(server_->port());
    return s.StreamUntil("/v1/stream", kPartnerToken, "\"outcome\":\"delivered\"", 30s, &partner_seen);
  });
  auto other = std::async(std::launch::async, [&] {
    Client s(server_->port());
    return s.StreamUntil("/v1/stream", kOtherPartnerToken, "delivery_attempt", 4s, &other_seen);
  });
  // Both streams are open before the event (notices go to the streams open when announced).
  bool open = false;
  for (auto deadline = SteadyClock::now() + 10s; !open && SteadyClock::now() < deadline;) {
    Client m(server_->port());
    open = m.Call(http::verb::get, "/metrics", "").raw.find("relais_api_streams_open 2") != std::string::npos;
    if (!open) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(open);
  Client c(server_->port());
  CreateProject(c, "announced");
  ASSERT_TRUE(partner.get()) << partner_seen;
  EXPECT_FALSE(other.get()) << "another partner hears nothing of it: " << other_seen;

  // 500, 500, then 200: three notices in order, each the stored attempt record.
  std::vector<Json> notices;
  for (size_t at = 0; (at = partner_seen.find("event: delivery_attempt\ndata: ", at)) != std::string::npos;) {
    at += std::strlen("event: delivery_attempt\ndata: ");
    notices.push_back(Json::parse(partner_seen.substr(at, partner_seen.find('\n', at) - at)));
  }
  ASSERT_EQ(notices.size(), 3u) << partner_seen;
  const Json stored = AttemptsOf(notices[0]["delivery"]);
  ASSERT_EQ(stored["attempts"].size(), 3u) << stored.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(notices[i]["endpoint"], flaky);
    EXPECT_EQ(notices[i]["attempt"], i + 1);
    EXPECT_EQ(notices[i]["status"], i < 2 ? 500 : 200);
    EXPECT_EQ(notices[i]["outcome"], i < 2 ? "failed" : "delivered");
    EXPECT_EQ(notices[i]["at"], stored["attempts"][i]["at"]) << "the notice is the stored record";
  }
  const size_t last_id =
      partner_seen.rfind("\nid: ") == std::string::npos ? partner_seen.find("id: ") : partner_seen.rfind("\nid: ");
  ASSERT_NE(last_id, std::string::npos) << "the project's event came first, with its id";
  EXPECT_LT(last_id, partner_seen.find("event: delivery_attempt")) << "the event is streamed before its attempts";
}

// Three attempts (1 + two retries), then a dead letter.
class WebhooksDeadLetterEndToEndTest : public WebhooksEndToEndTest {
 protected:
  std::string RetrySchedule() const override { return "[100, 200]"; }

  // The endpoint's dead letters once pred holds of them, or at the timeout.
  Json DeadLettersOnce(const std::string& endpoint, const std::function<bool(const Json&)>& pred,
                       std::chrono::seconds timeout) {
    Json dead;
    for (auto deadline = SteadyClock::now() + timeout; SteadyClock::now() < deadline;) {
      dead = Call(http::verb::get, "/v1/webhooks/dead-letters?endpoint=" + endpoint, kPartnerToken).body;
      if (dead.is_object() && pred(dead["dead_letters"])) break;
      std::this_thread::sleep_for(50ms);
    }
    return dead;
  }
};

TEST_F(WebhooksDeadLetterEndToEndTest, ADeliveryThatFailsEveryAttemptIsADeadLetterThatAReplayDelivers) {
  auto receiver = StartReceiver();
  const std::string endpoint = CreateEndpoint("http://127.0.0.1:" + std::to_string(receiver->port()) + "/failing3",
                                              {{"event_types", {"indicateur_*"}}});
  Client c(server_->port());
  CreateProject(c, "dead-letter");
  ASSERT_TRUE(Record(c, "dead-letter", 1));
  Json dead = DeadLettersOnce(
      endpoint, [](const Json& letters) { return letters.size() == 1; }, 30s);
  ASSERT_EQ(dead["dead_letters"].size(), 1u) << dead.dump();
  const Json letter = dead["dead_letters"][0];  // a copy: dead is read again below
  EXPECT_EQ(letter["attempts"], 3);
  EXPECT_EQ(letter["last_status"], 500);
  EXPECT_EQ(letter["type"], "indicateur_enregistre");
  EXPECT_EQ(Received(receiver->port())["received"].size(), 0u);
  // Another partner may not replay it: it does not exist for them.
  const std::string replay = "/v1/webhooks/dead-letters/" + letter["id"].get<std::string>() + "/replay";
  EXPECT_EQ(Call(http::verb::post, replay, kOtherPartnerToken).status, 404);

  auto replayed = Call(http::verb::post, replay, kPartnerToken);
  ASSERT_EQ(replayed.status, 202) << replayed.raw;
  EXPECT_EQ(replayed.body["replayed"], 1);
  Json got = WaitForReceived(receiver->port(), [](const Json& r) { return r["received"].size() >= 1; });
  ASSERT_EQ(got["received"].size(), 1u) << got.dump();
  EXPECT_EQ(got["received"][0]["attempt"], 4) << "the replay is the delivery's fourth attempt";
  EXPECT_EQ(got["received"][0]["id"], letter["id"]) << "same webhook-id: the receiver deduplicates";
  dead = DeadLettersOnce(
      endpoint, [](const Json& letters) { return letters.empty(); }, 10s);
  EXPECT_TRUE(dead["dead_letters"].empty()) << "delivered: no longer a dead letter: " << dead.dump();

  // The endpoint's log, filtered as the deliveries page asks: by outcome, by
  // period, a page at a time.
  const std::string log = "/v1/webhooks/endpoints/" + endpoint + "/attempts";
  auto failed = Call(http::verb::get, log + "?outcome=failed", kPartnerToken);
  ASSERT_EQ(failed.status, 200) << failed.raw;
  EXPECT_EQ(failed.body["attempts"].size(), 3u) << failed.raw;
  auto delivered = Call(http::verb::get, log + "?outcome=delivered", kPartnerToken).body["attempts"];
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0]["delivery"], letter["id"]) << "the replay, delivered";
  const std::string replayed_at = delivered[0]["at"];
  EXPECT_EQ(Call(http::verb::get, log + "?since=" + replayed_at, kPartnerToken).body["attempts"].size(), 1u)
      << "since is inclusive";
  EXPECT_EQ(Call(http::verb::get, log + "?until=" + replayed_at, kPartnerToken).body["attempts"].size(), 3u)
      << "until is exclusive";
  EXPECT_EQ(Call(http::verb::get, log + "?since=2999-01-01T00:00:00Z", kPartnerToken).body["attempts"].size(), 0u);
  auto first = Call(http::verb::get, log + "?limit=2", kPartnerToken).body;
  ASSERT_EQ(first["attempts"].size(), 2u);
  ASSERT_TRUE(first["next_after"].is_string()) << first.dump();
  auto second =
      Call(http::verb::get, log + "?limit=2&after=" + first["next_after"].get<std::string>(), kPartnerToken).body;
  ASSERT_EQ(second["attempts"].size(), 2u) << second.dump();
  EXPECT_EQ(second["attempts"][1]["outcome"], "delivered") << "oldest first: the replay last";
  EXPECT_EQ(Call(http::verb::get, log + "?outcome=lost", kPartnerToken).status, 400);
  EXPECT_EQ(Call(http::verb::get, log + "?since=yesterday", kPartnerToken).status, 400);
}

TEST_F(WebhooksEndToEndTest, RefusesPrivateTargetsAndBadInputWithClearErrors) {
  auto r = Call(http::verb::post, "/v1/webhooks/endpoints", kPartnerToken, {{"url", "http://10.0.0.7/hook"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.raw, HasSubstr("private address"));
  r = Call(http::verb::post, "/v1/webhooks/endpoints", kPartnerToken, {{"url", "http://169.254.169.254/latest"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.raw, HasSubstr("metadata"));
  r = Call(http::verb::post, "/v1/webhooks/endpoints", kPartnerToken, {{"url", "gopher://x"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.raw, HasSubstr("http:// or https://"));
  r = Call(http::verb::post, "/v1/webhooks/endpoints", kPartnerToken,
           {{"url", "http://127.0.0.1:1/x"}, {"event_types", {"bad type!"}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.raw, HasSubstr("event_types[0]"));
  r = Call(http::verb::post, "/v1/webhooks/endpoints", kPartnerToken,
           {{"url", "http://127.0.0.1:1/x"}, {"secret", "short"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.raw, HasSubstr("whsec_"));
  r = Call(http::verb::post, "/v1/webhooks/endpoints", kPartnerToken, {{"url", "http://127.0.0.1:1/x"}, {"colour", 1}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.raw, HasSubstr("unknown member 'colour'"));
  EXPECT_EQ(Call(http::verb::get, "/v1/webhooks/endpoints", kPartnerToken).body["endpoints"].size(), 0u)
      << "nothing half-created";
  r = Call(http::verb::post, "/v1/webhooks/dead-letters/replay", kPartnerToken, {{"since", "yesterday"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.raw, HasSubstr("since"));
}

TEST_F(WebhooksEndToEndTest, SecretRotationSignsWithBothSecretsDuringTheOverlap) {
  auto receiver = StartReceiver();
  const std::string endpoint = CreateEndpoint("http://127.0.0.1:" + std::to_string(receiver->port()) + "/ok",
                                              {{"event_types", {"indicateur_*"}}});
  Client c(server_->port());
  CreateProject(c, "rotation");
  ASSERT_TRUE(Record(c, "rotation", 1));
  WaitForReceived(receiver->port(), [](const Json& r) { return r["received"].size() >= 1; });
  auto rotated = Call(http::verb::post, "/v1/webhooks/endpoints/" + endpoint + "/rotate-secret", kPartnerToken,
                      {{"secret", kSecret2}});
  ASSERT_EQ(rotated.status, 200) << rotated.raw;
  EXPECT_EQ(rotated.body["secret"], kSecret2);
  EXPECT_EQ(rotated.body["secrets"].size(), 2u);
  ASSERT_TRUE(Record(c, "rotation", 2));
  Json r = WaitForReceived(receiver->port(), [](const Json& got) { return got["received"].size() >= 2; });
  ASSERT_EQ(r["received"].size(), 2u);
  EXPECT_EQ(r["received"][0]["signatures"], 1);
  EXPECT_THAT(r["received"][0]["verified_with"], ElementsAre(0));
  EXPECT_EQ(r["received"][1]["signatures"], 2);
  EXPECT_THAT(r["received"][1]["verified_with"], ElementsAre(0, 1)) << "both the old and the new secret verify";
}

class WebhooksTlsEndToEndTest : public WebhooksEndToEndTest {
 protected:
  void SetUp() override {
    // A test CA and a certificate for 127.0.0.1, made with the openssl CLI.
    const std::string d = dir_.path().string();
    auto run = [](std::vector<std::string> argv) {
      auto r = relais::testing::RunProcess(argv);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    };
    run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
         "/CN=Relais Test CA", "-keyout", d + "/ca.key", "-out", d + "/ca.pem"});
    run({"/usr/bin/openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout",
         d + "/server.key", "-out", d + "/server.csr"});
    std::ofstream(d + "/ext.cnf") << "subjectAltName=IP:127.0.0.1\n";
    run({"/usr/bin/openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
         "-CAcreateserial", "-days", "2", "-extfile", d + "/ext.cnf", "-out", d + "/server.pem"});
    // A certificate for 127.0.0.1 that no trusted CA issued.
    run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", d + "/rogue.key", "-out", d + "/rogue.pem"});
    ca_file_ = d + "/ca.pem";
    WebhooksEndToEndTest::SetUp();
  }
};

TEST_F(WebhooksTlsEndToEndTest, DeliversOverHttpsVerifiedAgainstTheConfiguredCa) {
  const std::string d = dir_.path().string();
  auto receiver = StartReceiver(0, d + "/server.pem", d + "/server.key");
  const std::string good = CreateEndpoint("https://127.0.0.1:" + std::to_string(receiver->port()) + "/ok",
                                          {{"event_types", {"project_created"}}});
  // A certificate from an unknown CA (self-signed) is refused.
  auto untrusted = StartReceiver(0, d + "/rogue.pem", d + "/rogue.key");
  const std::string bad = CreateEndpoint("https://127.0.0.1:" + std::to_string(untrusted->port()) + "/ok",
                                         {{"event_types", {"project_created"}}});
  Client c(server_->port());
  CreateProject(c, "tls");
  // The receiver answers 200 only to a request whose signature verified.
  auto first_attempt = [&](const std::string& endpoint) {
    for (auto deadline = SteadyClock::now() + 20s; SteadyClock::now() < deadline; std::this_thread::sleep_for(50ms)) {
      Json log = Call(http::verb::get, "/v1/webhooks/endpoints/" + endpoint + "/attempts", kPartnerToken).body;
      if (!log["attempts"].empty()) return log["attempts"][0];
    }
    return Json();
  };
  Json ok = first_attempt(good);
  ASSERT_TRUE(ok.is_object());
  EXPECT_EQ(ok["status"], 200);
  EXPECT_EQ(ok["outcome"], "delivered");
  EXPECT_EQ(ok["excerpt"], "ok");
  Json refused = first_attempt(bad);
  ASSERT_TRUE(refused.is_object());
  EXPECT_EQ(refused["status"], 0);
  EXPECT_THAT(refused["excerpt"].get<std::string>(), HasSubstr("TLS handshake"));
}

}  // namespace
}  // namespace relais
