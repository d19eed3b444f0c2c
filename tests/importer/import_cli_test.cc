// `relais import` as a coordinator runs it, then a real `relais serve` over
// the imported store: the programme and its actions answer on the API, and
// an import while the server holds the store says so.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <regex>
#include <set>

#include "engine/api/authenticator.h"
#include "engine/util/json.h"
#include "tests/testing/child_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

extern char** environ;

namespace relais::importer {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using SteadyClock = std::chrono::steady_clock;
using relais::testing::ChildProcess;

const std::string kExample = std::string(RELAIS_SOURCE_DIR) + "/examples/sud-val-de-marnais";
constexpr char kToken[] = "import-cli-test-coordinator";
// The served store delivers to its partners: to a port where nothing listens
// (discard), not to a sample receiver someone may be running on 8090.
constexpr char kNoReceiver[] = "http://127.0.0.1:9";
constexpr auto kProcessDeadline = 20s;  // a server start or stop on a loaded 2-core machine

relais::testing::ProcessResult Relais(std::vector<std::string> args) {
  args.insert(args.begin(), RELAIS_BINARY);
  return relais::testing::RunProcess(args);
}

// One request over its own connection (Connection: close); the status and body.
std::pair<int, std::string> HttpCall(uint16_t port, const std::string& method, const std::string& target,
                                     const std::string& body = "") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return {-1, ""};
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: relais\r\nAuthorization: Bearer " + kToken +
                    "\r\nConnection: close\r\n";
  if (!body.empty()) req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return {-1, ""};
  }
  std::string raw;
  const auto deadline = SteadyClock::now() + kProcessDeadline;
  while (SteadyClock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[8192];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const size_t head_end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || head_end == std::string::npos) return {-1, raw};
  std::string answer = raw.substr(head_end + 4);
  if (raw.find("Transfer-Encoding: chunked") != std::string::npos ||
      raw.find("transfer-encoding: chunked") != std::string::npos) {
    std::string unchunked;
    size_t at = 0;
    while (at < answer.size()) {
      const size_t eol = answer.find("\r\n", at);
      const size_t len = std::stoul(answer.substr(at, eol - at), nullptr, 16);
      if (len == 0) break;
      unchunked += answer.substr(eol + 2, len);
      at = eol + 2 + len + 2;
    }
    answer = unchunked;
  }
  return {std::stoi(raw.substr(9, 3)), answer};
}

std::pair<int, std::string> HttpGet(uint16_t port, const std::string& target) { return HttpCall(port, "GET", target); }

// `relais serve` on the port of its configuration (0: any); port() is 0 when it did not start.
class ServeProcess {
 public:
  explicit ServeProcess(const std::string& config) : child_({RELAIS_BINARY, "serve", "--config", config}) {
    if (auto port = child_.WaitFor(std::regex("relais listening on http://127\\.0\\.0\\.1:([0-9]+)"), kProcessDeadline))
      port_ = static_cast<uint16_t>(std::stoi(*port));
  }
  uint16_t port() const { return port_; }

 private:
  ChildProcess child_;
  uint16_t port_ = 0;
};

class ImportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.Sub("relais.yaml");
    std::ofstream(config_) << "server:\n  listen_address: 127.0.0.1\n  port: 0\n  drain_timeout_ms: 1000\n"
                           << "data_dir: " << dir_.Sub("data") << "\n"
                           << "workflows_dir: " << RELAIS_SOURCE_DIR << "/workflows\n"
                           << "api:\n  worker_threads: 2\n"
                           << "webhooks:\n  allowed_ranges: [127.0.0.1/32]\n"
                           << "tokens:\n  - sha256: " << api::Authenticator::Sha256Hex(kToken) << "\n"
                           << "    subject: claire.vasseur@cbe-sud-val-de-marnais.example\n"
                           << "    roles: [coordinator]\n    programmes: [sud-val-de-marnais]\n";
  }
  relais::testing::TempDir dir_;
  std::string config_;
};

TEST_F(ImportCliTest, ImportsOnceThenFindsEverythingPresentThenServesIt) {
  auto first = Relais({"import", "--config", config_, "--webhook-base-url", kNoReceiver, kExample});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("programme: 1 created, 0 already present"));
  EXPECT_THAT(first.out, HasSubstr("projects: 22 created, 0 already present"));
  EXPECT_THAT(first.out, HasSubstr("assignments: 13 created, 0 already present"));

  auto second = Relais({"import", "--config", config_, "--webhook-base-url", kNoReceiver, kExample});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("programme: 0 created, 1 already present"));
  EXPECT_THAT(second.out, HasSubstr("projects: 0 created, 22 already present"));
  std::smatch positions;
  ASSERT_TRUE(std::regex_search(second.out, positions, std::regex("log position ([0-9]+) -> ([0-9]+)\\)")))
      << second.out;
  EXPECT_EQ(positions[1], positions[2]) << "the second import appended nothing";
  EXPECT_NE(positions[1], "0");

  ServeProcess server(config_);
  ASSERT_NE(server.port(), 0) << "relais serve did not start";
  auto [status, body] = HttpGet(server.port(), "/v1/programmes/sud-val-de-marnais");
  ASSERT_EQ(status, 200) << body;
  Json programme = Json::parse(body, nullptr, false);
  ASSERT_TRUE(programme.is_object()) << body;
  EXPECT_EQ(programme["definition"]["actions"].size(), 22u);
  EXPECT_EQ(programme["assignments"].size(), 13u);
  EXPECT_EQ(programme["vacancies"].size(), 0u) << "every axis has its élu and its référent technique";

  auto [list_status, list_body] = HttpGet(server.port(), "/v1/projects?limit=100");
  ASSERT_EQ(list_status, 200) << list_body;
  Json list = Json::parse(list_body, nullptr, false);
  ASSERT_TRUE(list.is_object()) << list_body;
  EXPECT_EQ(list["total"], 22);
  std::set<std::string> ids;
  for (const Json& p : list["projects"]) ids.insert(p["info"]["id"].get<std::string>());
  EXPECT_TRUE(ids.count("2a-portage-repas"));
  EXPECT_TRUE(ids.count("4-localisation-quartiers"));

  // While the server holds the store, an import says why it cannot run.
  auto locked = Relais({"import", "--config", config_, "--webhook-base-url", kNoReceiver, kExample});
  EXPECT_EQ(locked.exit_code, 1);
  EXPECT_THAT(locked.err, HasSubstr("is in use by another process"));
}

// --as-of: the import day, where the example's plan (import.json) starts.
TEST_F(ImportCliTest, AsOfADayTheExamplesPlanStartsThatYear) {
  auto bad = Relais({"import", "--config", config_, "--as-of", "2030-13-01", kExample});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--as-of '2030-13-01'"));
  EXPECT_THAT(bad.err, HasSubstr("expected a day as YYYY-MM-DD"));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("data"))) << "the store is not even opened";

  auto done =
      Relais({"import", "--config", config_, "--as-of", "2030-02-01", "--webhook-base-url", kNoReceiver, kExample});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_THAT(done.out, HasSubstr("plan years placed from the import year: 2030-2032 (as written + 27 years)"));
}

// --as: the import takes the roles and scope of a token of the configuration.
TEST_F(ImportCliTest, AsATokenSubjectTheImportHasThatScope) {
  std::ofstream(config_, std::ios::app) << "  - sha256: " << api::Authenticator::Sha256Hex("other-token") << "\n"
                                        << "    subject: coord@other.example\n"
                                        << "    roles: [coordinator]\n    programmes: [other-prog]\n";
  auto unknown = Relais({"import", "--config", config_, "--as", "nobody@example", kExample});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("--as nobody@example: no token of that subject in tokens:"));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("data"))) << "the store is not even opened";

  auto refused = Relais(
      {"import", "--config", config_, "--as", "coord@other.example", "--webhook-base-url", kNoReceiver, kExample});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("coord@other.example may not define programme 'sud-val-de-marnais'"));
  EXPECT_THAT(refused.err, HasSubstr("nothing was written"));

  auto done = Relais({"import", "--config", config_, "--as", "claire.vasseur@cbe-sud-val-de-marnais.example",
                      "--webhook-base-url", kNoReceiver, kExample});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_THAT(done.out, HasSubstr("projects: 22 created, 0 already present"));
}

TEST_F(ImportCliTest, ABadFileIsReportedWithFileAndFieldAndNothingIsWritten) {
  const std::string dir = dir_.Sub("bad");
  std::filesystem::copy(kExample, dir, std::filesystem::copy_options::recursive);
  std::ofstream(dir + "/projects.json") << "{\"workflow\": \"cbe_action\", \"projects\": [{\"id\": 7}]}";
  auto r = Relais({"import", "--config", config_, dir});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("projects.json: projects[0].id: expected a non-empty string, found 7"));
  EXPECT_THAT(r.err, HasSubstr("nothing was written"));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("data"))) << "the store is not even opened";
  EXPECT_EQ(Relais({"import", "--config", config_}).exit_code, 2) << "DIR is required";
}

// The whole example as ./scripts/run runs it: the sample receiver gets the
// partners' deliveries, signed with the secret of webhooks.json; it tells
// the import's backlog in one line, then prints one line per delivery.
TEST_F(ImportCliTest, TheSampleReceiverPrintsWhatEachPartnerReceives) {
  ChildProcess receiver({"node", kExample + "/receiver/receiver.js", "--port", "0", "--quiet-ms", "1500"});
  auto port = receiver.WaitFor(std::regex("listening on http://127\\.0\\.0\\.1:([0-9]+)/ for 42 partner endpoints"),
                               kProcessDeadline);
  ASSERT_TRUE(port) << "the receiver did not start: " << receiver.output();
  auto imported = Relais({"import", "--config", config_, "--webhook-base-url", "http://127.0.0.1:" + *port, kExample});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  ServeProcess server(config_);
  ASSERT_NE(server.port(), 0) << "relais serve did not start";
  auto backlog = receiver.WaitFor(
      std::regex("\\] ([0-9]+) deliveries waiting at the start \\(the import's backlog\\) to ([0-9]+) partners: "
                 "[a-z_]+ ×[0-9]+.*; from now on one line per delivery"),
      kProcessDeadline);
  ASSERT_TRUE(backlog) << receiver.output();
  EXPECT_GT(std::stoi(*backlog), 100) << receiver.output();
  EXPECT_EQ(receiver.output().find("project_created"), receiver.output().find("project_created ×"))
      << "the backlog is one line, not one per delivery:\n"
      << receiver.output();

  // Then what a click causes, line by line. The CCAS of Fresnes is a target
  // actor of the portage de repas (axis 2A).
  auto [status, body] =
      HttpCall(server.port(), "POST", "/v1/projects/2a-portage-repas/events",
               R"({"type": "indicateur_enregistre", "data": {"indicateur": "emplois_crees", "valeur": 2}})");
  ASSERT_EQ(status, 201) << body;
  EXPECT_TRUE(receiver.WaitFor(
      std::regex("#[0-9]+ ccas-fresnes +indicateur_enregistre +2a-portage-repas v[0-9]+ .*\\(CCAS de Fresnes\\)"),
      kProcessDeadline))
      << receiver.output();
  EXPECT_EQ(receiver.output().find("REJECTED"), std::string::npos) << receiver.output();
}

}  // namespace
}  // namespace relais::importer
