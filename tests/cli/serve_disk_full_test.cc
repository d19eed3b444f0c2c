// `relais serve` on a disk that really fills (a small tmpfs the test mounts;
// skipped, saying why, when the test is not root):
// - at start, a full disk ends the process with a non-zero exit code (not a
//   signal) and one line on stderr naming the directory and what to do;
// - at run time, a command while the disk is full gets 503, /readyz answers
//   503 with the reason as problem+json, and once space is freed the server
//   recovers by itself (no restart): /readyz 200, commands succeed, and the
//   history holds every acknowledged command and no refused one.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "engine/store/rocksdb_event_store.h"
#include "engine/util/json.h"
#include "tests/testing/child_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/tmpfs_mount.h"

namespace relais::cli {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "storefaults-coordinator-token";
// sha256(kToken), as the config file stores tokens.
constexpr char kTokenSha256[] = "adc8f2b160e81f60dcccda8fdafca1b44c28e8eca31ff25abcab7548b6b1267c";
// Bounds, not targets.
constexpr auto kRecoveryDeadline = 30s;
constexpr int kMaxCommandsToFill = 3000;

struct HttpResult {
  int status = -1;
  std::string head;
  std::string body;
  Json Body() const { return Json::parse(body, nullptr, false); }
};

// One request on its own connection (Connection: close), read to the end;
// every socket operation has a deadline.
HttpResult Http(uint16_t port, const std::string& method, const std::string& target, const std::string& body = "") {
  HttpResult r;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return r;
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return r;
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: relais\r\nConnection: close\r\n" +
                    "Authorization: Bearer " + kToken + "\r\n";
  if (method == "POST")
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  for (size_t sent = 0; sent < req.size();) {
    ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[8192];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<size_t>(n));
  ::close(fd);
  const size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return r;
  r.status = std::stoi(raw.substr(9, 3));
  r.head = raw.substr(0, end);
  r.body = raw.substr(end + 4);
  return r;
}

class ServeDiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!disk_.mounted()) GTEST_SKIP() << "disk-full test skipped: " << disk_.skip_reason();
    config_path_ = config_dir_.Sub("relais.yaml");
    // resume_interval_ms: the first retry comes that long after the failure,
    // so the checks made right after it see the failed state;
    // recovery_free_bytes: one write buffer, as for the disk's size.
    std::ofstream(config_path_) << "server:\n  listen_address: 127.0.0.1\n  port: 0\n  io_threads: 2\n"
                                << "data_dir: " << data_dir() << "\n"
                                << "workflows_dir: " << RELAIS_SOURCE_DIR << "/workflows\n"
                                << "store:\n  resume_interval_ms: 2000\n  recovery_free_bytes: 1048576\n"
                                << "logging:\n  file: " << log_path() << "\n"
                                << "tokens:\n  - sha256: " << kTokenSha256 << "\n"
                                << "    subject: person:claire.dumas\n    roles: [coordinator]\n";
  }
  std::string data_dir() const { return disk_.Sub("data"); }
  std::string log_path() const { return config_dir_.Sub("relais.log"); }  // not on the disk that fills

  // `relais serve`, stopped by `timeout` if it ever ran on (a signal from
  // relais itself is passed on by timeout, so an abort still shows as one).
  relais::testing::ProcessResult ServeExpectingFailure() {
    return relais::testing::RunProcess({"/usr/bin/timeout", "60", RELAIS_BINARY, "serve", "--config", config_path_});
  }

  testing::TmpfsMount disk_{8 << 20};
  relais::testing::TempDir config_dir_;  // off the small disk
  std::string config_path_;
};

// One line on stderr, and no record in the log (RocksDB's records of the
// failed open are not forwarded: the line says it all).
void ExpectOneClearLine(const relais::testing::ProcessResult& r, const std::string& dir, const std::string& log) {
  EXPECT_EQ(r.signal, 0) << "ended by signal " << r.signal << "; stderr: " << r.err;
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, 124) << "relais serve started on a full disk";
  EXPECT_THAT(r.err, HasSubstr("cannot start"));
  EXPECT_THAT(r.err, HasSubstr("disk is full"));
  EXPECT_THAT(r.err, HasSubstr(dir));
  EXPECT_THAT(r.err, HasSubstr("free space"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  EXPECT_TRUE(!fs::exists(log) || fs::file_size(log) == 0) << "records in the log " << log;
}

TEST_F(ServeDiskFullTest, StartOnAFullDiskWithAnExistingStoreExitsWithOneLine) {
  {
    RocksDbStoreOptions o;
    o.path = data_dir();
    o.write_buffer_bytes = 1 << 20;
    ASSERT_TRUE(RocksDbEventStore::Open(o).ok());
  }
  disk_.FillUp();
  auto r = ServeExpectingFailure();
  ExpectOneClearLine(r, data_dir(), log_path());
  for (const auto& e : fs::directory_iterator(data_dir()))
    EXPECT_NE(e.path().extension(), ".dbtmp") << "left behind: " << e.path();
}

TEST_F(ServeDiskFullTest, StartOnAFullDiskWithNoStoreYetExitsWithOneLine) {
  disk_.FillUp();
  auto r = ServeExpectingFailure();
  ExpectOneClearLine(r, data_dir(), log_path());
  for (const auto& e : fs::directory_iterator(disk_.Sub("")))
    EXPECT_EQ(e.path().filename(), "filler") << "left behind: " << e.path();
}

TEST_F(ServeDiskFullTest, FullDiskAtRunTimeIs503AndReadyzSaysWhyUntilSpaceIsFreedThenRecoversWithoutARestart) {
  relais::testing::ChildProcess server({RELAIS_BINARY, "serve", "--config", config_path_});
  const uint16_t port = server.WaitForPort("relais listening on http://127.0.0.1:", 30s);
  ASSERT_NE(port, 0) << "relais serve did not start: " << server.output();
  Json project = {{"id", "disk-full"},
                  {"workflow", "cbe_action"},
                  {"title", "Plein disque"},
                  {"programme", "sud-val-de-marnais"},
                  {"axis", "3"},
                  {"partners", {"ccas-fresnes"}}};
  ASSERT_EQ(Http(port, "POST", "/v1/projects", project.dump()).status, 201);
  ASSERT_EQ(Http(port, "GET", "/readyz").status, 200);

  // Each command carries its number, so the history shows which were stored.
  std::set<int> acknowledged, refused;
  int next = 0;
  auto command = [&] {
    const int n = next++;
    Json cmd = {{"type", "indicateur_enregistre"},
                {"data", {{"indicateur", "autre"}, {"valeur", n}, {"commentaire", std::string(1500, 'c')}}}};
    HttpResult r = Http(port, "POST", "/v1/projects/disk-full/events", cmd.dump());
    if (r.status == 201)
      acknowledged.insert(n);
    else
      refused.insert(n);
    return r;
  };
  ASSERT_EQ(command().status, 201);

  disk_.FillUp();
  HttpResult failed;
  for (int i = 0; i < kMaxCommandsToFill && failed.status != 503; ++i) {
    HttpResult r = command();
    ASSERT_TRUE(r.status == 201 || r.status == 503) << r.status << " " << r.body;
    if (r.status == 503) failed = r;
  }
  ASSERT_EQ(failed.status, 503) << "the disk never filled";

  HttpResult not_ready = Http(port, "GET", "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_THAT(not_ready.head, HasSubstr("application/problem+json"));
  EXPECT_THAT(not_ready.Body().value("detail", ""), HasSubstr("free disk space"));
  EXPECT_THAT(not_ready.Body().value("detail", ""), HasSubstr(data_dir()));
  EXPECT_EQ(command().status, 503) << "still full";

  disk_.Free();
  const auto deadline = std::chrono::steady_clock::now() + kRecoveryDeadline;
  HttpResult ready;
  while ((ready = Http(port, "GET", "/readyz")).status != 200 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  ASSERT_EQ(ready.status, 200) << "no recovery without a restart: " << ready.body;
  ASSERT_EQ(command().status, 201);

  std::set<int> stored;
  for (uint64_t from = 1;;) {
    HttpResult page = Http(port, "GET", "/v1/projects/disk-full/events?from=" + std::to_string(from) + "&limit=200");
    ASSERT_EQ(page.status, 200) << page.body;
    Json body = page.Body();
    for (const Json& e : body["events"])
      if (e.value("type", "") == "indicateur_enregistre")
        stored.insert(e["data"]["data"].value("valeur", -1));  // the command's data
    if (!body.value("has_more", false)) break;
    from = body["next_from"].get<uint64_t>();
  }
  EXPECT_EQ(stored, acknowledged);
  EXPECT_FALSE(refused.empty());
  EXPECT_EQ(server.Kill(SIGTERM), 0) << "a clean stop after the recovery";
  // The store reports through relais serve's log: the failure once, the recovery once.
  std::ifstream log_file(log_path());
  const std::string log((std::istreambuf_iterator<char>(log_file)), std::istreambuf_iterator<char>());
  EXPECT_THAT(log, HasSubstr("warn store writes failing path=" + data_dir()));
  EXPECT_THAT(log, HasSubstr("info store writable again path=" + data_dir()));
}

}  // namespace
}  // namespace relais::cli
