// End-to-end: a real `relais serve` process (a ChildProcess, ephemeral port from
// a temp config, short timeouts) and a real HTTP client (Beast, sync with
// deadlines). The only test file of tests/api that includes Beast. Checks the
// wiring, durability across a restart, and that bad input of every kind gets
// its error while the server keeps serving other clients.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/api/authenticator.h"
#include "engine/util/json.h"
#include "tests/testing/child_process.h"
#include "tests/testing/exchange_recorder.h"
#include "tests/testing/temp_dir.h"

namespace relais::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using SteadyClock = std::chrono::steady_clock;

constexpr char kCoordinatorToken[] = "e2e-coordinator-token";
constexpr char kPartnerToken[] = "e2e-partner-token";

// A blocking HTTP/1.1 client over one connection; every read has a deadline.
class Client {
 public:
  explicit Client(uint16_t port) : stream_(ioc_) {
    beast::error_code ec;
    stream_.socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    connected_ = !ec;
  }
  bool connected() const { return connected_; }

  beast::error_code Send(std::string_view raw) {
    beast::error_code ec;
    net::write(stream_.socket(), net::buffer(raw.data(), raw.size()), ec);
    return ec;
  }

  struct Result {
    beast::error_code ec;
    http::response<http::string_body> res;
    int status() const { return ec ? -1 : res.result_int(); }
    Json Body() const { return Json::parse(res.body(), nullptr, false); }
    std::string Type() const {
      Json b = Body();
      return b.is_object() ? b.value("type", "") : "";
    }
  };

  Result Read(std::chrono::milliseconds timeout = 10s) {
    Result r;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 24);
    stream_.expires_after(timeout);
    http::async_read(stream_, buffer_, parser, [&](beast::error_code ec, std::size_t) { r.ec = ec; });
    ioc_.restart();
    ioc_.run();
    if (!r.ec) r.res = parser.release();
    return r;
  }

  Result Request(std::string_view raw) {
    if (auto ec = Send(raw)) return Result{ec, {}};
    Result r = Read();
    if (!r.ec) Record(std::string(raw), r.res);
    return r;
  }

  // For tests/openapi's response validation (when RELAIS_RECORD_EXCHANGES is set).
  static void Record(const std::string& raw, const http::response<http::string_body>& res) {
    if (!relais::testing::RecordingExchanges()) return;
    auto [method, target] = relais::testing::RequestLineOf(raw);
    relais::testing::Exchange e{
        "socket", method,    target, static_cast<int>(res.result_int()), std::string(res[http::field::content_type]),
        {},       res.body()};
    for (const auto& field : res) e.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    relais::testing::RecordExchange(e);
  }

  // Reads raw bytes until needle has arrived (true) or the deadline passes
  // or the connection ends (false). Everything read is kept in raw().
  bool ReadUntil(std::string_view needle, std::chrono::milliseconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    while (raw_.find(needle) == std::string::npos) {
      if (SteadyClock::now() >= deadline) return false;
      beast::error_code result;
      char scratch[4096];
      size_t got = 0;
      stream_.expires_at(deadline);
      stream_.async_read_some(net::buffer(scratch), [&](beast::error_code ec, std::size_t n) {
        result = ec;
        got = n;
      });
      ioc_.restart();
      ioc_.run();
      raw_.append(scratch, got);
      if (result) {
        closed_ = result != beast::error::timeout;
        return raw_.find(needle) != std::string::npos;
      }
    }
    return true;
  }
  const std::string& raw() const { return raw_; }
  bool closed() const { return closed_; }

  // Reads until the server closes; returns what ended the read.
  beast::error_code WaitForClose(std::chrono::milliseconds timeout) {
    beast::error_code result;
    std::function<void()> read_more;
    char scratch[1024];
    read_more = [&] {
      stream_.async_read_some(net::buffer(scratch), [&](beast::error_code ec, std::size_t) {
        if (ec) {
          result = ec;
          return;
        }
        read_more();
      });
    };
    stream_.expires_after(timeout);
    read_more();
    ioc_.restart();
    ioc_.run();
    return result;
  }

 private:
  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
  std::string raw_;
  bool closed_ = false;
};

std::string Req(std::string_view method, std::string_view target, std::string_view token, std::string_view body = "",
                std::string_view content_type = "application/json", std::string_view extra = "") {
  std::string r = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: relais\r\n";
  if (!token.empty()) r += "Authorization: Bearer " + std::string(token) + "\r\n";
  if (!body.empty() || method == "POST") {
    if (!content_type.empty()) r += "Content-Type: " + std::string(content_type) + "\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  r += std::string(extra) + "\r\n" + std::string(body);
  return r;
}

// One `relais serve` child process; SIGTERM and reaped on destruction.
class ServerProcess {
 public:
  explicit ServerProcess(const std::string& config_path) : child_({RELAIS_BINARY, "serve", "--config", config_path}) {
    if (child_.started()) port_ = child_.WaitForPort("relais listening on http://127.0.0.1:", 20s);
  }

  uint16_t port() const { return port_; }
  // SIGTERM, then the exit status (-1 if a signal ended it).
  int Stop() { return child_.Kill(SIGTERM); }

 private:
  relais::testing::ChildProcess child_;
  uint16_t port_ = 0;
};

class ApiEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_path_ = dir_.Sub("relais.yaml");
    std::ofstream(config_path_) << "server:\n"
                                   "  listen_address: 127.0.0.1\n"
                                   "  port: 0\n"
                                   "  io_threads: 2\n"
                                   "  body_limit_bytes: 65536\n"
                                   "  header_limit_bytes: 4096\n"
                                   "  read_timeout_ms: 400\n"
                                   "  idle_timeout_ms: 5000\n"
                                   "  drain_timeout_ms: 2000\n"
                                   "data_dir: "
                                << dir_.Sub("data") << "\n"
                                << "workflows_dir: " << RELAIS_SOURCE_DIR << "/workflows\n"
                                << "runtime:\n  timer_max_sleep_ms: 1000\n"
                                   "api:\n  worker_threads: 4\n  stream_keepalive_ms: 200\n"
                                   "tokens:\n"
                                   "  - sha256: "
                                << Authenticator::Sha256Hex(kCoordinatorToken) << "\n"
                                << "    subject: person:claire.dumas\n    roles: [coordinator]\n"
                                   "  - sha256: "
                                << Authenticator::Sha256Hex(kPartnerToken) << "\n"
                                << "    subject: partner:afpa\n    roles: [partner]\n    partner: afpa\n";
    server_ = std::make_unique<ServerProcess>(config_path_);
    ASSERT_NE(server_->port(), 0) << "relais serve did not start";
  }

  Client::Result Call(std::string raw) {
    Client c(server_->port());
    EXPECT_TRUE(c.connected());
    return c.Request(raw);
  }

  void CreateProject(const std::string& id) {
    Json body = {{"id", id},
                 {"workflow", "cbe_action"},
                 {"title", "Mobilité Orly-Rungis"},
                 {"programme", "sud-val-de-marnais"},
                 {"axis", "3"},
                 {"partners", {"ccas-fresnes"}}};
    auto r = Call(Req("POST", "/v1/projects", kCoordinatorToken, body.dump()));
    ASSERT_EQ(r.status(), 201) << r.res.body();
  }

  relais::testing::TempDir dir_;
  std::string config_path_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ApiEndToEndTest, CreateCommandReadAndSurviveARestart) {
  CreateProject("e2e-1");
  Json cmd = {{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "personnes_placees"}, {"valeur", 4}}}};
  auto first = Call(Req("POST", "/v1/projects/e2e-1/events", kCoordinatorToken, cmd.dump(), "application/json",
                        "Idempotency-Key: e2e-key\r\n"));
  ASSERT_EQ(first.status(), 201) << first.res.body();
  auto again = Call(Req("POST", "/v1/projects/e2e-1/events", kCoordinatorToken, cmd.dump(), "application/json",
                        "Idempotency-Key: e2e-key\r\n"));
  ASSERT_EQ(again.status(), 201);
  EXPECT_EQ(again.res.body(), first.res.body());
  EXPECT_EQ(again.res["Idempotent-Replayed"], "true");
  auto state = Call(Req("GET", "/v1/projects/e2e-1", kCoordinatorToken));
  ASSERT_EQ(state.status(), 200);
  EXPECT_EQ(state.Body()["version"], 3);
  EXPECT_EQ(state.res["ETag"], "\"3\"");
  // The partner token (afpa) is not a partner of this project.
  EXPECT_EQ(Call(Req("GET", "/v1/projects/e2e-1", kPartnerToken)).status(), 404);
  EXPECT_EQ(Call(Req("GET", "/v1/projects/e2e-1", "")).status(), 401);
  auto metrics = Call(Req("GET", "/metrics", ""));
  EXPECT_THAT(metrics.res.body(), HasSubstr("route=\"/v1/projects/{id}/events\""));

  EXPECT_EQ(server_->Stop(), 0) << "SIGTERM is a clean exit";
  server_ = std::make_unique<ServerProcess>(config_path_);
  ASSERT_NE(server_->port(), 0);
  auto reloaded = Call(Req("GET", "/v1/projects/e2e-1/events?limit=10", kCoordinatorToken));
  ASSERT_EQ(reloaded.status(), 200) << reloaded.res.body();
  EXPECT_EQ(reloaded.Body()["events"].size(), 3u);
  EXPECT_EQ(reloaded.Body()["events"][2]["metadata"]["actor"], "person:claire.dumas");
}

// What a refusal says, over a real server: every unmet condition with the
// file's words in French and English, reason in the language the request
// prefers, where the rule is without any path of the server's files.
TEST_F(ApiEndToEndTest, RefusalsListEveryUnmetConditionInTheCallersLanguageWithoutPaths) {
  const std::string workflow = R"yaml(workflow: mots
version: 1
labels: {fr: "Mots", en: "Words"}
state:
  type: object
  properties:
    porteur: {type: string}
    budget: {type: integer}
phases:
  - id: debut
    labels: {fr: "Début", en: "Start"}
  - id: fin
    labels: {fr: "Fin", en: "End"}
    terminal: true
initial: debut
events:
  - type: finir
    labels: {fr: "Finir", en: "Finish"}
    roles: [coordinator]
    requires:
      - guard: "exists(state.porteur)"
        message: {fr: "il faut un porteur", en: "a lead is needed"}
      - guard: "state.budget >= 100"
        message: "budget insuffisant"
      - "state.budget > 1000"
    transitions:
      - to: fin
)yaml";
  auto deployed =
      Call(Req("POST", "/v1/workflows?file_name=mots.yaml", kCoordinatorToken, workflow, "application/yaml"));
  ASSERT_EQ(deployed.status(), 201) << deployed.res.body();
  Json body = {{"id", "e2e-mots"}, {"workflow", "mots"},        {"title", "Mots"}, {"programme", "sud-val-de-marnais"},
               {"axis", "3"},      {"fields", {{"budget", 50}}}};
  ASSERT_EQ(Call(Req("POST", "/v1/projects", kCoordinatorToken, body.dump())).status(), 201);

  const std::string finir = R"({"type": "finir"})";
  auto english = Call(Req("POST", "/v1/projects/e2e-mots/events", kCoordinatorToken, finir, "application/json",
                          "Accept-Language: de-DE, en-GB;q=0.9, fr;q=0.5\r\n"));
  ASSERT_EQ(english.status(), 422) << english.res.body();
  Json problem = english.Body();
  EXPECT_EQ(problem["code"], "guard_failed");
  EXPECT_EQ(problem["reason"], "a lead is needed; budget insuffisant; condition not met: state.budget > 1000");
  EXPECT_EQ(problem["detail"], problem["reason"]);
  EXPECT_EQ(problem["messages"]["fr"],
            "il faut un porteur; budget insuffisant; condition non remplie : state.budget > 1000");
  EXPECT_EQ(problem["messages"]["en"], problem["reason"]);
  const Json& unmet = problem["details"]["unmet"];
  ASSERT_EQ(unmet.size(), 3u) << problem;
  EXPECT_EQ(unmet[0]["guard"], "exists(state.porteur)");
  EXPECT_EQ(unmet[0]["messages"], Json({{"fr", "il faut un porteur"}, {"en", "a lead is needed"}}));
  EXPECT_EQ(unmet[1]["values"], Json({{"state.budget", 50}}));
  EXPECT_EQ(unmet[2]["messages"], nullptr);
  // Lines and columns of the guards in the file above.
  EXPECT_EQ(unmet[0]["at"], Json({{"workflow", "mots"}, {"line", 21}, {"column", 16}}));
  EXPECT_EQ(unmet[1]["at"]["line"], 23);
  EXPECT_EQ(unmet[2]["at"], Json({{"workflow", "mots"}, {"line", 25}, {"column", 9}}));
  // The first one where it always was.
  EXPECT_EQ(problem["details"]["guard"], "exists(state.porteur)");
  EXPECT_EQ(problem["details"]["at"], unmet[0]["at"]);

  auto french = Call(Req("POST", "/v1/projects/e2e-mots/events", kCoordinatorToken, finir, "application/json",
                         "Accept-Language: fr-FR,fr;q=0.9,en;q=0.8\r\n"));
  EXPECT_EQ(french.Body()["reason"], french.Body()["messages"]["fr"]);
  // No language stated: the file's French words.
  auto plain = Call(Req("POST", "/v1/projects/e2e-mots/events", kCoordinatorToken, finir));
  EXPECT_EQ(plain.Body()["reason"], "il faut un porteur; budget insuffisant; condition not met: state.budget > 1000");

  // The workflows read from the server's directory at start show their
  // file's name only; nothing the API says of them names a directory.
  const std::string source_dir = RELAIS_SOURCE_DIR;
  auto cbe = Call(Req("GET", "/v1/workflows/cbe_action", kCoordinatorToken));
  ASSERT_EQ(cbe.status(), 200);
  EXPECT_EQ(cbe.Body()["file_name"], "cbe.yaml");
  EXPECT_EQ(cbe.res.body().find(source_dir), std::string::npos);
  auto list = Call(Req("GET", "/v1/workflows", kCoordinatorToken));
  EXPECT_EQ(list.res.body().find(source_dir), std::string::npos);
  EXPECT_EQ(list.res.body().find("/workflows/"), std::string::npos);
  CreateProject("e2e-where");
  auto refused = Call(Req("POST", "/v1/projects/e2e-where/events", kCoordinatorToken, R"({"type": "etude_lancee"})"));
  ASSERT_EQ(refused.status(), 422);
  EXPECT_EQ(refused.res.body().find(source_dir), std::string::npos) << refused.res.body();
  EXPECT_EQ(refused.res.body().find(".yaml"), std::string::npos) << refused.res.body();
  EXPECT_EQ(refused.Body()["details"]["at"]["workflow"], "cbe_action");
}

// Data that does not fit the event's schema, over a real server: a French
// caller reads French words naming the fields by their labels, an English
// caller English ones; the machine fields stay as they were.
TEST_F(ApiEndToEndTest, SchemaRefusalsAreWordedInTheCallersLanguageWithLabels) {
  const std::string workflow = R"yaml(workflow: montants
version: 1
labels: {fr: "Montants", en: "Amounts"}
state:
  type: object
  required: [titre]
  properties:
    titre: {type: string, labels: {fr: "Titre", en: "Title"}}
    montant: {type: integer}
phases:
  - id: debut
    labels: {fr: "Début", en: "Start"}
initial: debut
events:
  - type: accorder
    labels: {fr: "Accorder", en: "Grant"}
    roles: [coordinator]
    data:
      type: object
      required: [montant, motif]
      properties:
        montant: {type: integer, minimum: 0, labels: {fr: "Montant accordé (€)", en: "Amount granted (€)"}}
        motif: {type: string, labels: {fr: "Motif", en: "Reason"}}
    set:
      montant: event.montant
)yaml";
  auto deployed =
      Call(Req("POST", "/v1/workflows?file_name=montants.yaml", kCoordinatorToken, workflow, "application/yaml"));
  ASSERT_EQ(deployed.status(), 201) << deployed.res.body();

  // The creation's fields are checked against the state schema, in words too.
  Json bad_creation = {{"id", "e2e-montants"}, {"workflow", "montants"},
                       {"title", "Montants"},  {"programme", "sud-val-de-marnais"},
                       {"axis", "3"},          {"fields", {{"titre", 12}}}};
  auto refused_creation = Call(Req("POST", "/v1/projects", kCoordinatorToken, bad_creation.dump(), "application/json",
                                   "Accept-Language: fr-FR\r\n"));
  ASSERT_EQ(refused_creation.status(), 422) << refused_creation.res.body();
  EXPECT_EQ(refused_creation.Body()["code"], "invalid_data");
  EXPECT_EQ(refused_creation.Body()["reason"], "Titre : il faut du texte, pas un nombre entier.");

  Json body = bad_creation;
  body["fields"] = {{"titre", "Montants"}};
  ASSERT_EQ(Call(Req("POST", "/v1/projects", kCoordinatorToken, body.dump())).status(), 201);
  const std::string accorder = R"({"type": "accorder", "data": {"montant": -5000}})";
  auto french = Call(Req("POST", "/v1/projects/e2e-montants/events", kCoordinatorToken, accorder, "application/json",
                         "Accept-Language: fr-FR,fr;q=0.9,en;q=0.8\r\n"));
  ASSERT_EQ(french.status(), 422) << french.res.body();
  Json problem = french.Body();
  EXPECT_EQ(problem["code"], "invalid_data");
  EXPECT_EQ(problem["reason"],
            "Motif : ce champ est obligatoire et n'est pas renseigné. "
            "Montant accordé (€) : -5000 est inférieur au minimum, 0.");
  EXPECT_EQ(problem["detail"], problem["reason"]);
  EXPECT_EQ(problem["reason"].get<std::string>().find("less than"), std::string::npos);
  const Json& violations = problem["details"]["violations"];
  ASSERT_EQ(violations.size(), 2u) << problem;
  // The machine fields as before; each violation in words beside them.
  Json by_keyword;
  for (const auto& v : violations) by_keyword[v["keyword"].get<std::string>()] = v;
  EXPECT_EQ(by_keyword["minimum"]["path"], "$.montant");
  EXPECT_EQ(by_keyword["minimum"]["message"], "value -5000 is less than the minimum 0");
  EXPECT_EQ(by_keyword["minimum"]["messages"]["fr"], "Montant accordé (€) : -5000 est inférieur au minimum, 0.");
  EXPECT_EQ(by_keyword["required"]["path"], "$.motif");
  EXPECT_EQ(by_keyword["required"]["messages"]["en"], "Reason: this field is required and missing.");

  auto english = Call(Req("POST", "/v1/projects/e2e-montants/events", kCoordinatorToken, accorder, "application/json",
                          "Accept-Language: en-GB, fr;q=0.5\r\n"));
  ASSERT_EQ(english.status(), 422) << english.res.body();
  EXPECT_EQ(english.Body()["reason"],
            "Reason: this field is required and missing. Amount granted (€): -5000 is below the minimum, 0.");
  EXPECT_EQ(english.Body()["messages"]["fr"], problem["reason"]);
  // No language stated: the English message as before, for machines.
  auto plain = Call(Req("POST", "/v1/projects/e2e-montants/events", kCoordinatorToken, accorder));
  EXPECT_EQ(plain.Body()["reason"], "invalid data at $.motif: missing required property 'motif'");
}

TEST_F(ApiEndToEndTest, BadInputGetsItsProblemNeverA500) {
  CreateProject("e2e-bad");
  const std::string target = "/v1/projects/e2e-bad/events";
  const std::string base = "https://relais.dev/problems/";
  struct Case {
    std::string name;
    std::string raw;
    int status;
    std::string type;
  };
  std::vector<Case> cases = {
      {"truncated JSON", Req("POST", target, kCoordinatorToken, R"({"type": "indicateur_enregis)"), 400, "bad-json"},
      {"invalid JSON", Req("POST", target, kCoordinatorToken, R"({"type" "x"})"), 400, "bad-json"},
      {"10,000-level nesting",
       Req("POST", target, kCoordinatorToken, std::string(10'000, '[') + std::string(10'000, ']')), 400, "bad-json"},
      {"huge number",
       Req("POST", target, kCoordinatorToken,
           R"({"type": "indicateur_enregistre", "data": {"indicateur": "autre", "valeur": 1e400}})"),
       400, "bad-json"},
      {"invalid UTF-8", Req("POST", target, kCoordinatorToken, "{\"type\": \"\xc3\x28\"}"), 400, "bad-json"},
      {"wrong content type", Req("POST", target, kCoordinatorToken, R"({"type": "x"})", "text/csv"), 415,
       "unsupported-media-type"},
      {"no content type", Req("POST", target, kCoordinatorToken, R"({"type": "x"})", ""), 415,
       "unsupported-media-type"},
      {"oversized body", Req("POST", target, kCoordinatorToken, std::string(70'000, ' ')), 413, "payload-too-large"},
      {"oversized headers",
       Req("GET", "/v1/projects/e2e-bad", kCoordinatorToken, "", "", "X-Big: " + std::string(8000, 'h') + "\r\n"), 431,
       "headers-too-large"},
      {"refused by the workflow", Req("POST", target, kCoordinatorToken, R"({"type": "etude_lancee"})"), 422,
       "refused-by-workflow"},
      {"stale If-Match",
       Req("POST", target, kCoordinatorToken, R"({"type": "suspendre"})", "application/json", "If-Match: \"1\"\r\n"),
       409, "version-conflict"},
      {"unknown route", Req("GET", "/v1/nothing-here", kCoordinatorToken), 404, "not-found"},
      {"bad token", Req("GET", "/v1/workflows", "wrong"), 401, "unauthorized"},
  };
  for (const Case& c : cases) {
    auto r = Call(c.raw);
    EXPECT_EQ(r.status(), c.status) << c.name << ": " << r.res.body();
    EXPECT_EQ(r.Type(), base + c.type) << c.name;
  }
  // And the server still serves.
  EXPECT_EQ(Call(Req("GET", "/v1/projects/e2e-bad", kCoordinatorToken)).status(), 200);
}

TEST_F(ApiEndToEndTest, SlowClientIsCutOffWhileOthersAreServed) {
  CreateProject("e2e-slow");
  const auto start = SteadyClock::now();
  std::promise<beast::error_code> slow_result;
  std::thread slow([&] {
    // One byte every 50 ms; read_timeout_ms is 400, the request needs ~5 s.
    Client client(server_->port());
    const std::string request = Req("GET", "/v1/projects/e2e-slow", kCoordinatorToken);
    beast::error_code ec;
    for (char c : request) {
      ec = client.Send(std::string_view(&c, 1));
      if (ec || SteadyClock::now() - start > 5s) break;
      std::this_thread::sleep_for(50ms);
    }
    slow_result.set_value(ec ? ec : client.WaitForClose(200ms));
  });
  // Meanwhile another client is served, several times over one connection.
  Client other(server_->port());
  for (int i = 0; i < 5; ++i) {
    auto r = other.Request(Req("GET", "/v1/projects/e2e-slow", kCoordinatorToken));
    EXPECT_EQ(r.status(), 200);
  }
  beast::error_code ec = slow_result.get_future().get();
  slow.join();
  EXPECT_TRUE(ec) << "the slow connection was never closed";
  EXPECT_LT(SteadyClock::now() - start, 3s) << "the slow client was not cut off by the read timeout";
  EXPECT_EQ(Call(Req("GET", "/v1/projects/e2e-slow", kCoordinatorToken)).status(), 200);
}

TEST_F(ApiEndToEndTest, ConcurrentClientsAreAllServed) {
  CreateProject("e2e-many");
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Client c(server_->port());
      for (int i = 0; i < 10; ++i) {
        Json cmd = {{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "autre"}, {"valeur", t * 100 + i}}}};
        auto r = c.Request(Req("POST", "/v1/projects/e2e-many/events", kCoordinatorToken, cmd.dump()));
        if (r.status() == 201) ++created;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 80);
  auto state = Call(Req("GET", "/v1/projects/e2e-many", kCoordinatorToken));
  EXPECT_EQ(state.Body()["version"], 82);
}

TEST_F(ApiEndToEndTest, LiveStreamDeliversCommitsKeepsAliveAndClosesOnShutdown) {
  CreateProject("e2e-live");
  Client live(server_->port());
  ASSERT_TRUE(live.Send(Req("GET", "/v1/stream", kCoordinatorToken)) == beast::error_code{});
  ASSERT_TRUE(live.ReadUntil("\r\n\r\n", 5s)) << live.raw();
  EXPECT_THAT(live.raw(), ::testing::StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(live.raw(), HasSubstr("text/event-stream"));
  EXPECT_THAT(live.raw(), ::testing::Not(HasSubstr("Content-Length")));
  Json cmd = {{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "autre"}, {"valeur", 7}}}};
  auto r = Call(Req("POST", "/v1/projects/e2e-live/events", kCoordinatorToken, cmd.dump()));
  ASSERT_EQ(r.status(), 201);
  const uint64_t position = r.Body()["events"][0]["position"];
  ASSERT_TRUE(live.ReadUntil("id: " + std::to_string(position) + "\nevent: indicateur_enregistre\ndata: ", 5s))
      << live.raw();
  // Silence is broken by keep-alive comments (stream_keepalive_ms: 200).
  ASSERT_TRUE(live.ReadUntil(":\n\n", 3s)) << live.raw();
  // Resuming from before that event replays it.
  Client resumed(server_->port());
  ASSERT_TRUE(resumed.Send(Req("GET", "/v1/stream", kCoordinatorToken, "", "",
                               "Last-Event-ID: " + std::to_string(position - 1) + "\r\n")) == beast::error_code{});
  ASSERT_TRUE(resumed.ReadUntil("id: " + std::to_string(position) + "\n", 5s)) << resumed.raw();
  // Shutdown closes the streams and the process exits cleanly.
  const auto start = SteadyClock::now();
  EXPECT_EQ(server_->Stop(), 0);
  EXPECT_LT(SteadyClock::now() - start, 5s);
  EXPECT_FALSE(live.ReadUntil("never sent", 2s));
  EXPECT_TRUE(live.closed());
}

// Programmes through the real server: an élu's reviews are scheduled, their
// private calendar feed is read without a bearer token, and both survive a
// restart; revoking the feed token closes the feed.
TEST_F(ApiEndToEndTest, ProgrammeCalendarFeedSurvivesARestartAndIsRevocable) {
  // Dates relative to the real clock: the term starts next year.
  const int next_year =
      static_cast<int>(
          std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())).year()) +
      1;
  Json programme = {{"id", "sud-val-de-marnais"},
                    {"title", "Plate-forme d'appui du Sud Val-de-Marnais"},
                    {"axes", {{{"id", "2A"}, {"title", "Personnes âgées et dépendantes"}}}},
                    {"reviews", {{"per_year", 3}}}};
  ASSERT_EQ(Call(Req("POST", "/v1/programmes", kCoordinatorToken, programme.dump())).status(), 201);
  Json assign = {{"person", "person:marc.lefort"},
                 {"role", "elu_referent"},
                 {"axis", "2A"},
                 {"start", std::to_string(next_year) + "-01-01"},
                 {"end", std::to_string(next_year + 2) + "-12-31"}};
  auto assigned = Call(Req("POST", "/v1/programmes/sud-val-de-marnais/assignments", kCoordinatorToken, assign.dump()));
  ASSERT_EQ(assigned.status(), 201) << assigned.res.body();
  auto token = Call(Req("POST", "/v1/people/person:marc.lefort/feed-tokens", kCoordinatorToken));
  ASSERT_EQ(token.status(), 201) << token.res.body();
  const std::string feed = "/v1/feeds/" + token.Body()["token"].get<std::string>();
  auto ics = Call(Req("GET", feed, ""));
  ASSERT_EQ(ics.status(), 200) << ics.res.body();
  EXPECT_EQ(ics.res[http::field::content_type], "text/calendar; charset=utf-8");
  EXPECT_THAT(ics.res.body(), HasSubstr("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"));

  EXPECT_EQ(server_->Stop(), 0);
  server_ = std::make_unique<ServerProcess>(config_path_);
  ASSERT_NE(server_->port(), 0);
  auto listed = Call(Req("GET", "/v1/programmes/sud-val-de-marnais/milestones?kind=review", kCoordinatorToken));
  ASSERT_EQ(listed.status(), 200) << listed.res.body();
  EXPECT_EQ(listed.Body()["total"], 9);
  auto again = Call(Req("GET", feed, ""));
  ASSERT_EQ(again.status(), 200);
  EXPECT_EQ(again.res.body(), ics.res.body());
  EXPECT_EQ(
      Call(Req("DELETE", "/v1/feed-tokens/" + token.Body()["token"].get<std::string>(), kCoordinatorToken)).status(),
      204);
  EXPECT_EQ(Call(Req("GET", feed, "")).status(), 404);
}

}  // namespace
}  // namespace relais::api
