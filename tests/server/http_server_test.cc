// End-to-end tests of HttpServer: a real server on 127.0.0.1 (ephemeral
// port) and a real HTTP client (Beast), with timeouts configured short so no
// test waits long. The only test file that includes Beast.
#include "engine/server/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/server/operational_routes.h"
#include "engine/server/problem.h"
#include "engine/server/request_id.h"
#include "engine/server/response_stream.h"
#include "engine/util/config_reader.h"
#include "engine/util/log.h"
#include "engine/util/uuid.h"
#include "tests/testing/status_matchers.h"

namespace relais::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using relais::testing::IsOk;
using relais::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

using Clock = std::chrono::steady_clock;

// A blocking HTTP/1.1 client over one connection; every read has a timeout
// so a misbehaving server fails the test instead of hanging it.
class TestClient {
 public:
  // from: the client's own address; another loopback address (127.0.0.2)
  // is another client for the server's per-client accounting.
  explicit TestClient(uint16_t port, const char* from = "127.0.0.1") : stream_(ioc_) {
    beast::error_code ec;
    stream_.socket().open(tcp::v4(), ec);
    if (!ec) stream_.socket().bind(tcp::endpoint(net::ip::make_address(from), 0), ec);
    if (!ec) stream_.socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    connect_error_ = ec;
  }
  bool connected() const { return !connect_error_; }

  beast::error_code Send(std::string_view raw) {
    beast::error_code ec;
    net::write(stream_.socket(), net::buffer(raw.data(), raw.size()), ec);
    return ec;
  }

  struct Result {
    beast::error_code ec;
    http::response<http::string_body> res;
    Json Body() const { return Json::parse(res.body(), nullptr, false); }
  };

  // head: the response answers a HEAD request (no body follows its fields).
  Result Read(std::chrono::milliseconds timeout = 5000ms, bool head = false) {
    Result r;
    http::response_parser<http::string_body> parser;
    parser.skip(head);
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
    return Read();
  }

  // Reads until the server closes the connection. Returns the error that
  // ended the read: eof or connection_reset when closed, timeout if not.
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
  beast::error_code connect_error_;
};

// A plain blocking socket from a chosen loopback address, for tests that
// hold many connections at once (a TestClient owns an io_context and its
// descriptors). Every call is bounded by a 2 s socket timeout.
class RawConnection {
 public:
  struct Response {
    int status = 0;  // 0: no complete response (closed, timed out)
    std::string head;
    std::string body;
  };

  RawConnection(uint16_t port, const char* from) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    timeval timeout{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &local.sin_addr);
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
    connected_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0 &&
                 ::connect(fd_, reinterpret_cast<sockaddr*>(&server), sizeof server) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  bool connected() const { return connected_; }

  // Sends a keep-alive GET and reads its response (Content-Length framed).
  Response Get(std::string_view target) {
    Response r;
    const std::string request = "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n\r\n";
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return r;
    std::string data;
    size_t head_end = std::string::npos;
    size_t length = 0;
    char chunk[4096];
    for (int reads = 0; reads < 64; ++reads) {  // a bounded loop: small responses
      if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
        r.head = data.substr(0, head_end);
        const size_t at = r.head.find("Content-Length: ");
        if (at != std::string::npos) length = std::stoul(r.head.substr(at + 16));
      }
      if (head_end != std::string::npos && data.size() >= head_end + 4 + length) {
        r.body = data.substr(head_end + 4, length);
        r.status = std::stoi(r.head.substr(9, 3));
        return r;
      }
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return r;
      data.append(chunk, static_cast<size_t>(n));
    }
    return r;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// Raises the soft limit on open descriptors to at least wanted (within the
// hard limit). Returns false if it cannot.
bool RaiseOpenFileLimit(rlim_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  if (limit.rlim_cur >= wanted) return true;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted) return false;
  limit.rlim_cur = wanted;
  return ::setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) + "\r\n";
}

std::string Post(std::string_view target, std::string_view body) {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

bool IsClosedError(const beast::error_code& ec) {
  return ec == net::error::eof || ec == net::error::connection_reset || ec == http::error::end_of_stream ||
         ec == http::error::partial_message;
}

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    config_.listen_address = "127.0.0.1";
    config_.port = 0;
    config_.io_threads = 2;
    config_.body_limit_bytes = 1024;
    config_.header_limit_bytes = 2048;
    config_.read_timeout = 300ms;
    config_.idle_timeout = 5000ms;
    config_.write_timeout = 2000ms;
    config_.max_connections = 8;
    config_.pipeline_limit = 4;
    config_.drain_timeout = 3000ms;

    RegisterOperationalRoutes(router_, metrics_, nullptr);
    router_.AddSyncRoute("POST", "/echo", [](const HttpRequest& req, const RouteParams&) {
      Json body;
      if (auto problem = ReadJsonBody(req, &body)) return *problem;
      return JsonResponse(200, Json{{"method", req.method},
                                    {"path", req.path},
                                    {"x", req.Query("x").value_or("")},
                                    {"remote", req.remote_address},
                                    {"body", body}});
    });
    router_.AddSyncRoute("GET", "/echo", [](const HttpRequest& req, const RouteParams&) {
      return JsonResponse(200, Json{{"method", req.method},
                                    {"x", req.Query("x").value_or("")},
                                    {"tag", std::string(req.Header("x-tag").value_or(""))}});
    });
    // Answers after {ms} milliseconds from another thread, like a handler
    // waiting for a durable append.
    router_.AddRoute("GET", "/delay/{ms}", [this](HttpRequest, RouteParams params, Respond respond) {
      int ms = std::stoi(params.Get("ms"));
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!slow_started_set_) {
          slow_started_set_ = true;
          slow_started_.set_value();
        }
      }
      Spawn([ms, respond] {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        respond(TextResponse(200, "delayed " + std::to_string(ms)));
      });
    });
    // Never answers (until the test drops the held callbacks).
    router_.AddRoute("GET", "/hold", [this](HttpRequest, RouteParams, Respond respond) {
      std::lock_guard<std::mutex> lock(mu_);
      held_.push_back(std::move(respond));
      if (!slow_started_set_) {
        slow_started_set_ = true;
        slow_started_.set_value();
      }
    });
    router_.AddRoute("GET", "/drop", [](HttpRequest, RouteParams, Respond) {});
  }

  ~HttpServerTest() override {
    if (server_) server_->Shutdown();
    JoinWorkers();
    held_.clear();
    server_.reset();
  }

  void StartServer() {
    server_ = std::make_unique<HttpServer>(config_, router_, &metrics_, &logger_);
    ASSERT_THAT(server_->Start(), IsOk());
    ASSERT_NE(server_->port(), 0);
  }

  void Spawn(std::function<void()> fn) {
    std::lock_guard<std::mutex> lock(mu_);
    workers_.emplace_back(std::move(fn));
  }

  void JoinWorkers() {
    std::vector<std::thread> workers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      workers.swap(workers_);
    }
    for (auto& w : workers) w.join();
  }

  uint16_t port() const { return server_->port(); }

  ServerConfig config_;
  Router router_;
  Metrics metrics_;
  CapturingLogger logger_;
  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<Respond> held_;
  std::promise<void> slow_started_;
  bool slow_started_set_ = false;
};

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  TestClient client(port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 3; ++i) {
    auto r = client.Request(Post("/echo?x=" + std::to_string(i), R"({"n":)" + std::to_string(i) + "}"));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result_int(), 200);
    EXPECT_TRUE(r.res.keep_alive());
    Json body = r.Body();
    EXPECT_EQ(body["x"], std::to_string(i));
    EXPECT_EQ(body["body"]["n"], i);
    EXPECT_THAT(body["remote"].get<std::string>(), HasSubstr("127.0.0.1:"));
  }
  auto health = client.Request(Get("/healthz"));
  ASSERT_FALSE(health.ec);
  EXPECT_EQ(health.res.result_int(), 200);
  EXPECT_EQ(health.res[http::field::server], "relais");
  EXPECT_EQ(server_->active_connections(), 1u);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInRequestOrder) {
  StartServer();
  TestClient client(port());
  // The first answer is the slowest; responses must still come in order.
  ASSERT_FALSE(client.Send(Get("/delay/150") + Get("/delay/0") + Get("/echo?x=third") + Get("/delay/50")));
  std::vector<std::string> bodies;
  for (int i = 0; i < 4; ++i) {
    auto r = client.Read();
    ASSERT_FALSE(r.ec) << i << ": " << r.ec.message();
    bodies.push_back(r.res.body());
  }
  EXPECT_EQ(bodies[0], "delayed 150");
  EXPECT_EQ(bodies[1], "delayed 0");
  EXPECT_THAT(bodies[2], HasSubstr("\"x\":\"third\""));
  EXPECT_EQ(bodies[3], "delayed 50");
}

TEST_F(HttpServerTest, PipelineDeeperThanTheLimitIsStillServed) {
  StartServer();
  TestClient client(port());
  std::string batch;
  for (int i = 0; i < 10; ++i) batch += Get("/echo?x=" + std::to_string(i));
  ASSERT_FALSE(client.Send(batch));
  for (int i = 0; i < 10; ++i) {
    auto r = client.Read();
    ASSERT_FALSE(r.ec) << i;
    EXPECT_EQ(r.Body()["x"], std::to_string(i));
  }
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  TestClient client(port());
  auto r = client.Request(Get("/healthz", "Connection: close\r\n"));
  ASSERT_FALSE(r.ec);
  EXPECT_FALSE(r.res.keep_alive());
  EXPECT_TRUE(IsClosedError(client.WaitForClose(2000ms)));
}

TEST_F(HttpServerTest, OversizedBodyGets413AndTheServerServesOthers) {
  StartServer();
  {
    TestClient client(port());
    auto r = client.Request(Post("/echo", std::string(4096, ' ')));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result_int(), 413);
    EXPECT_EQ(r.res[http::field::content_type], "application/problem+json");
    EXPECT_EQ(r.Body()["type"], ProblemTypeUri(ProblemKind::kPayloadTooLarge));
    EXPECT_EQ(r.Body()["limit_bytes"], 1024);
    EXPECT_FALSE(r.res.keep_alive());
  }
  {
    // Declared too large: refused before the body is sent.
    TestClient client(port());
    auto r = client.Request("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\n");
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result_int(), 413);
  }
  {
    // Chunked: the limit applies to the sum of the chunks.
    TestClient client(port());
    std::string chunked = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) chunked += "200\r\n" + std::string(512, 'a') + "\r\n";
    chunked += "0\r\n\r\n";
    auto r = client.Request(chunked);
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result_int(), 413);
  }
  TestClient other(port());
  auto ok = other.Request(Post("/echo", R"({"small":true})"));
  ASSERT_FALSE(ok.ec);
  EXPECT_EQ(ok.res.result_int(), 200);
}

TEST_F(HttpServerTest, ExpectContinueGetsAnInterimResponse) {
  StartServer();
  TestClient client(port());
  const std::string body = R"({"big":true})";
  ASSERT_FALSE(
      client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                  "Expect: 100-continue\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n"));
  auto interim = client.Read(1000ms);
  ASSERT_FALSE(interim.ec) << interim.ec.message();
  EXPECT_EQ(interim.res.result_int(), 100);
  ASSERT_FALSE(client.Send(body));
  auto final_response = client.Read();
  ASSERT_FALSE(final_response.ec);
  EXPECT_EQ(final_response.res.result_int(), 200);
  EXPECT_EQ(final_response.Body()["body"]["big"], true);

  // Too large: refused at once, without 100 Continue.
  auto refused = client.Request(
      "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
      "Content-Length: 5000\r\n\r\n");
  ASSERT_FALSE(refused.ec);
  EXPECT_EQ(refused.res.result_int(), 413);
}

TEST_F(HttpServerTest, OversizedHeadersGet431) {
  StartServer();
  TestClient client(port());
  auto r = client.Request(Get("/echo", "X-Tag: " + std::string(4096, 'h') + "\r\n"));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 431);
  EXPECT_EQ(r.Body()["type"], ProblemTypeUri(ProblemKind::kHeadersTooLarge));
  TestClient other(port());
  auto ok = other.Request(Get("/echo", "X-Tag: small\r\n"));
  ASSERT_FALSE(ok.ec);
  EXPECT_EQ(ok.Body()["tag"], "small");
}

TEST_F(HttpServerTest, MalformedRequestsGet400NeverA500) {
  StartServer();
  for (std::string raw :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET /echo HTTP/9.9\r\n\r\n"),
        std::string("GET /echo HTTP/1.1\r\nBad Header\r\n\r\n"), std::string("GET nothing HTTP/1.1\r\nHost: t\r\n\r\n"),
        std::string("GET /echo?x=%zz HTTP/1.1\r\nHost: t\r\n\r\n"),
        std::string("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
                    "Content-Type: application/json\r\n\r\n{]")}) {
    TestClient client(port());
    auto r = client.Request(raw);
    ASSERT_FALSE(r.ec) << raw << ": " << r.ec.message();
    EXPECT_EQ(r.res.result_int(), 400) << raw;
    EXPECT_EQ(r.res[http::field::content_type], "application/problem+json") << raw;
  }
  TestClient client(port());
  auto bad_json = client.Request(Post("/echo", R"({"a": tru})"));
  EXPECT_EQ(bad_json.Body()["type"], ProblemTypeUri(ProblemKind::kBadJson));
  EXPECT_EQ(bad_json.Body()["offset"], 9);  // where the parser gave up
}

TEST_F(HttpServerTest, RandomGarbageNeverCrashesOrGets5xx) {
  config_.max_connections = 64;
  StartServer();
  std::mt19937 rng(20031);  // fixed seed: reproducible
  const std::vector<std::string> prefixes = {"", "GET / HTTP/1.1\r\n", "POST /echo HTTP/1.1\r\nContent-Length: 5\r\n",
                                             "GET /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"};
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 40; ++i) {
    auto client = std::make_unique<TestClient>(port());
    ASSERT_TRUE(client->connected());
    std::string garbage = prefixes[i % prefixes.size()];
    const size_t n = rng() % 3000;
    for (size_t k = 0; k < n; ++k)
      garbage.push_back(static_cast<char>(rng() % (k % 7 == 0 ? 256 : 96) + (k % 7 == 0 ? 0 : 32)));
    if (i % 3 == 0) garbage += "\r\n\r\n";
    client->Send(garbage);
    clients.push_back(std::move(client));
  }
  for (auto& client : clients) {
    // Each connection ends with a 4xx, or is closed (by the read timeout at
    // the latest): never a 5xx, never a hang.
    auto r = client->Read(3000ms);
    if (!r.ec) {
      EXPECT_LT(r.res.result_int(), 500) << r.res.body();
    }
  }
  TestClient healthy(port());
  auto ok = healthy.Request(Get("/healthz"));
  ASSERT_FALSE(ok.ec);
  EXPECT_EQ(ok.res.result_int(), 200);
}

TEST_F(HttpServerTest, RoutingErrorsAreProblems) {
  StartServer();
  TestClient client(port());
  auto not_found = client.Request(Get("/v1/nothing"));
  EXPECT_EQ(not_found.res.result_int(), 404);
  auto wrong_method = client.Request("DELETE /echo HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(wrong_method.res.result_int(), 405);
  EXPECT_EQ(wrong_method.res[http::field::allow], "GET, HEAD, POST");
  auto dropped = client.Request(Get("/drop"));
  EXPECT_EQ(dropped.res.result_int(), 500);
  EXPECT_TRUE(dropped.res.keep_alive());
  ASSERT_FALSE(client.Send("HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n" + Get("/healthz")));
  auto head = client.Read(5000ms, /*head=*/true);
  ASSERT_FALSE(head.ec);
  EXPECT_EQ(head.res.result_int(), 200);
  EXPECT_EQ(head.res[http::field::content_length], "15");  // as for GET: {"status":"ok"}
  auto get = client.Read();
  ASSERT_FALSE(get.ec);
  EXPECT_EQ(get.res.body(), R"({"status":"ok"})");
}

TEST_F(HttpServerTest, SlowClientIsCutOffWhileOthersAreServed) {
  StartServer();
  const auto start = Clock::now();
  std::promise<beast::error_code> slow_result;
  std::thread slow([&] {
    // One byte every 50 ms: the whole request would take over a second, but
    // read_timeout is 300 ms.
    TestClient client(port());
    const std::string request = Get("/healthz", "X-Padding: " + std::string(20, 'p') + "\r\n");
    beast::error_code ec;
    for (char c : request) {
      ec = client.Send(std::string_view(&c, 1));
      if (ec) break;
      std::this_thread::sleep_for(50ms);
      if (Clock::now() - start > 3s) break;
    }
    slow_result.set_value(ec ? ec : client.WaitForClose(100ms));
  });
  // Meanwhile another client is served promptly, several times.
  TestClient other(port());
  for (int i = 0; i < 5; ++i) {
    const auto t0 = Clock::now();
    auto r = other.Request(Get("/echo?x=ok"));
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.res.result_int(), 200);
    EXPECT_LT(Clock::now() - t0, 200ms);
  }
  beast::error_code ec = slow_result.get_future().get();
  slow.join();
  const auto elapsed = Clock::now() - start;
  EXPECT_TRUE(ec == net::error::broken_pipe || IsClosedError(ec)) << ec.message();
  EXPECT_LT(elapsed, 1500ms) << "the slow client was not cut off by the read timeout";
  EXPECT_THAT(metrics_.RenderPrometheus(), HasSubstr("relais_http_request_errors_total{reason=\"read_timeout\"} 1"));
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  config_.idle_timeout = 200ms;
  StartServer();
  TestClient client(port());
  ASSERT_FALSE(client.Request(Get("/healthz")).ec);
  const auto t0 = Clock::now();
  EXPECT_TRUE(IsClosedError(client.WaitForClose(3000ms)));
  EXPECT_LT(Clock::now() - t0, 1500ms);
}

TEST_F(HttpServerTest, TooManyBusyConnectionsGet503) {
  config_.max_connections = 2;
  StartServer();
  // Two connections that are not idle between requests (a new connection
  // counts as busy until its first response): nothing to reclaim.
  auto c1 = std::make_unique<TestClient>(port());
  TestClient c2(port());
  ASSERT_TRUE(c1->connected());
  ASSERT_TRUE(c2.connected());

  TestClient c3(port());
  auto r = c3.Request(Get("/healthz"));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 503);
  EXPECT_EQ(r.res[http::field::retry_after], "1");
  EXPECT_EQ(r.Body()["type"], ProblemTypeUri(ProblemKind::kUnavailable));
  EXPECT_FALSE(r.res.keep_alive());
  // A refusal names a request id too.
  EXPECT_TRUE(IsUuid(std::string(r.res["X-Request-Id"])));
  EXPECT_EQ(r.Body()["instance"], ProblemInstance(std::string(r.res["X-Request-Id"])));

  // Closing one frees its place.
  c1.reset();
  const auto deadline = Clock::now() + 2s;
  while (server_->active_connections() > 1 && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
  TestClient c4(port());
  auto ok = c4.Request(Get("/healthz"));
  ASSERT_FALSE(ok.ec);
  EXPECT_EQ(ok.res.result_int(), 200);
}

TEST_F(HttpServerTest, AFullServerReclaimsTheLongestIdleKeepAliveConnection) {
  config_.max_connections = 2;
  config_.idle_reclaim_threshold_percent = 100;  // reclaim only when full
  StartServer();
  // The server marks a connection idle once its answer is written, which may
  // be after the client has read it: wait for each to be idle in turn, so
  // that `oldest` is idle the longest.
  auto wait_idle = [&](size_t n) {
    const auto deadline = Clock::now() + 2s;
    while (server_->idle_connections() < n && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
    return server_->idle_connections();
  };
  TestClient oldest(port());
  TestClient newer(port());
  ASSERT_EQ(oldest.Request(Get("/healthz")).res.result_int(), 200);
  ASSERT_EQ(wait_idle(1), 1u);
  ASSERT_EQ(newer.Request(Get("/healthz")).res.result_int(), 200);
  ASSERT_EQ(wait_idle(2), 2u);

  TestClient newcomer(port());
  auto r = newcomer.Request(Get("/healthz"));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 200) << "an idle keep-alive connection should have made room";
  EXPECT_TRUE(IsClosedError(oldest.WaitForClose(2000ms))) << "the longest idle connection is the one closed";
  auto still = newer.Request(Get("/healthz"));
  ASSERT_FALSE(still.ec) << still.ec.message();
  EXPECT_EQ(still.res.result_int(), 200);
  EXPECT_THAT(metrics_.RenderPrometheus(), HasSubstr("relais_http_connections_reclaimed_total 1\n"));
}

// The lock-out of issue 14: one client parks keep-alive sockets after one
// request each; another client must still be served at once.
TEST_F(HttpServerTest, IdleKeepAliveSocketsOfOneClientCannotLockOutAnother) {
  constexpr int kHeld = 1100;
  if (!RaiseOpenFileLimit(4 * kHeld + 256)) GTEST_SKIP() << "cannot open " << 4 * kHeld << " descriptors";
  config_.max_connections = 1024;               // the default
  config_.max_connections_per_client = 100000;  // this test is about reclaiming idle ones
  config_.idle_timeout = 60s;                   // the default: idle sockets stay unless reclaimed
  StartServer();
  std::vector<std::unique_ptr<RawConnection>> held;
  int served = 0;
  for (int i = 0; i < kHeld; ++i) {
    auto c = std::make_unique<RawConnection>(port(), "127.0.0.1");
    ASSERT_TRUE(c->connected()) << i;
    if (c->Get("/healthz").status == 200) ++served;
    held.push_back(std::move(c));
  }
  const auto t0 = Clock::now();
  TestClient other(port(), "127.0.0.2");
  ASSERT_TRUE(other.connected());
  auto r = other.Request(Get("/healthz"));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 200) << r.res.body();
  EXPECT_LT(Clock::now() - t0, 1s);
  EXPECT_EQ(served, kHeld) << "each newcomer past the threshold reclaims an idle connection";
  EXPECT_THAT(metrics_.RenderPrometheus(), Not(HasSubstr("relais_http_connections_reclaimed_total 0\n")));
}

TEST_F(HttpServerTest, ConnectionsPerClientAddressAreBounded) {
  config_.max_connections = 32;
  config_.max_connections_per_client = 3;
  StartServer();
  std::vector<std::unique_ptr<RawConnection>> mine;
  for (int i = 0; i < 3; ++i) {
    mine.push_back(std::make_unique<RawConnection>(port(), "127.0.0.1"));
    ASSERT_EQ(mine.back()->Get("/healthz").status, 200) << i;
  }
  RawConnection fourth(port(), "127.0.0.1");
  RawConnection::Response refused = fourth.Get("/healthz");
  EXPECT_EQ(refused.status, 429);
  EXPECT_THAT(refused.head, HasSubstr("Retry-After: 1"));
  EXPECT_EQ(Json::parse(refused.body)["type"], ProblemTypeUri(ProblemKind::kTooManyRequests));

  RawConnection other(port(), "127.0.0.2");
  EXPECT_EQ(other.Get("/healthz").status, 200) << "another address has its own allowance";

  mine.pop_back();  // closing one frees its place
  const auto deadline = Clock::now() + 2s;
  while (server_->active_connections() > 3 && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
  RawConnection again(port(), "127.0.0.1");
  EXPECT_EQ(again.Get("/healthz").status, 200);
  EXPECT_THAT(metrics_.RenderPrometheus(), HasSubstr("relais_http_connections_client_rejected_total 1\n"));
}

TEST_F(HttpServerTest, Http11RequestWithoutExactlyOneHostIs400) {
  StartServer();
  for (std::string raw : {std::string("GET /healthz HTTP/1.1\r\n\r\n"),
                          std::string("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
                          std::string("POST /echo HTTP/1.1\r\nContent-Type: application/json\r\n"
                                      "Content-Length: 2\r\n\r\n{}")}) {
    TestClient client(port());
    auto r = client.Request(raw);
    ASSERT_FALSE(r.ec) << raw << ": " << r.ec.message();
    EXPECT_EQ(r.res.result_int(), 400) << raw;
    EXPECT_EQ(r.Body()["type"], ProblemTypeUri(ProblemKind::kBadRequest)) << raw;
    EXPECT_THAT(r.Body()["detail"].get<std::string>(), HasSubstr("Host")) << raw;
    EXPECT_FALSE(r.res.keep_alive());
  }
  TestClient old(port());
  auto r = old.Request("GET /healthz HTTP/1.0\r\n\r\n");  // HTTP/1.0 has no Host requirement
  ASSERT_FALSE(r.ec);
  EXPECT_EQ(r.res.result_int(), 200);
}

TEST_F(HttpServerTest, TransferCodingsOtherThanChunkedAloneAre501) {
  StartServer();
  const std::string chunked_body = "2\r\n{}\r\n0\r\n\r\n";
  for (std::string codings :
       {std::string("Transfer-Encoding: gzip, chunked\r\n"), std::string("Transfer-Encoding: gzip\r\n"),
        std::string("Transfer-Encoding: chunked, chunked\r\n"),
        std::string("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
        std::string("Transfer-Encoding: identity\r\n")}) {
    TestClient client(port());
    auto r = client.Request("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" + codings + "\r\n" +
                            chunked_body);
    ASSERT_FALSE(r.ec) << codings << ": " << r.ec.message();
    EXPECT_EQ(r.res.result_int(), 501) << codings;
    EXPECT_EQ(r.Body()["type"], ProblemTypeUri(ProblemKind::kNotImplemented)) << codings;
    EXPECT_FALSE(r.res.keep_alive()) << codings;
  }
  TestClient client(port());
  auto ok = client.Request(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: Chunked\r\n\r\n" +
      chunked_body);
  ASSERT_FALSE(ok.ec);
  EXPECT_EQ(ok.res.result_int(), 200);
  EXPECT_THAT(metrics_.RenderPrometheus(),
              HasSubstr("relais_http_request_errors_total{reason=\"not_implemented\"} 5\n"));
}

TEST_F(HttpServerTest, EveryResponseCarriesARequestId) {
  router_.AddSyncRoute("GET", "/whoami",
                       [](const HttpRequest& req, const RouteParams&) { return TextResponse(200, req.request_id); });
  StartServer();
  TestClient client(port());
  // A sane incoming id is kept, handed to the handler and echoed.
  auto kept = client.Request(Get("/whoami", "X-Request-Id: proxy-42.a:b_c\r\n"));
  ASSERT_FALSE(kept.ec);
  EXPECT_EQ(kept.res["X-Request-Id"], "proxy-42.a:b_c");
  EXPECT_EQ(kept.res.body(), "proxy-42.a:b_c");
  // Absent or not sane: a new UUID each time.
  std::set<std::string> generated;
  for (std::string extra :
       {std::string(""), "X-Request-Id: " + std::string(129, 'a') + "\r\n", std::string("X-Request-Id: a/b\r\n"),
        std::string("X-Request-Id: \r\n"), std::string("X-Request-Id: a b\r\n")}) {
    auto r = client.Request(Get("/whoami", extra));
    ASSERT_FALSE(r.ec) << extra;
    const std::string id(r.res["X-Request-Id"]);
    EXPECT_TRUE(IsUuid(id)) << extra << " gave " << id;
    EXPECT_EQ(r.res.body(), id);
    generated.insert(id);
  }
  EXPECT_EQ(generated.size(), 5u);

  // Problems name their request in `instance`: routing, handler and
  // transport problems alike.
  auto not_found = client.Request(Get("/nothing", "X-Request-Id: r-404\r\n"));
  EXPECT_EQ(not_found.Body()["instance"], "urn:relais:request:r-404");
  auto bad_json = client.Request(
      "POST /echo HTTP/1.1\r\nHost: t\r\nX-Request-Id: r-400\r\n"
      "Content-Type: application/json\r\nContent-Length: 1\r\n\r\n{");
  EXPECT_EQ(bad_json.res.result_int(), 400);
  EXPECT_EQ(bad_json.Body()["instance"], "urn:relais:request:r-400");
  {
    TestClient c(port());
    auto too_large = c.Request(
        "POST /echo HTTP/1.1\r\nHost: t\r\nX-Request-Id: r-413\r\n"
        "Content-Length: 100000000\r\n\r\n");
    EXPECT_EQ(too_large.res.result_int(), 413);
    EXPECT_EQ(too_large.res["X-Request-Id"], "r-413");
    EXPECT_EQ(too_large.Body()["instance"], "urn:relais:request:r-413");
  }
  for (std::string raw :
       {"GET /echo HTTP/1.1\r\nX-Tag: " + std::string(4096, 'h') + "\r\n\r\n", std::string("GARBAGE\r\n\r\n")}) {
    TestClient c(port());
    auto r = c.Request(raw);
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_GE(r.res.result_int(), 400);
    const std::string id(r.res["X-Request-Id"]);
    EXPECT_TRUE(IsUuid(id)) << r.res;
    EXPECT_EQ(r.Body()["instance"], ProblemInstance(id));
  }
}

TEST_F(HttpServerTest, AHandlerThatThrowsIsLoggedWithItsRequestIdAndCounted) {
  router_.AddRoute("GET", "/throw",
                   [](HttpRequest, RouteParams, Respond) -> void { throw std::runtime_error("the disk is on fire"); });
  StartServer();
  TestClient client(port());
  auto r = client.Request(Get("/throw", "X-Request-Id: boom-1\r\n"));
  ASSERT_FALSE(r.ec);
  EXPECT_EQ(r.res.result_int(), 500);
  EXPECT_EQ(r.Body()["instance"], "urn:relais:request:boom-1");
  EXPECT_THAT(r.res.body(), Not(HasSubstr("fire"))) << "internal causes are not shown to clients";
  EXPECT_TRUE(r.res.keep_alive());

  auto errors = logger_.Matching("internal error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].level, LogLevel::kError);
  EXPECT_EQ(errors[0].Field("request_id"), "boom-1");
  EXPECT_THAT(errors[0].Field("cause"), HasSubstr("the disk is on fire"));
  EXPECT_EQ(errors[0].Field("target"), "/throw");
  auto metrics = client.Request(Get("/metrics"));
  EXPECT_THAT(metrics.res.body(), HasSubstr("relais_internal_errors_total{where=\"request\"} 1\n"));

  // A handler that drops its Respond is an internal error too.
  auto dropped = client.Request(Get("/drop", "X-Request-Id: dropped-1\r\n"));
  EXPECT_EQ(dropped.res.result_int(), 500);
  errors = logger_.Matching("internal error");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[1].Field("request_id"), "dropped-1");
  EXPECT_THAT(errors[1].Field("cause"), HasSubstr("dropped its Respond"));
  // The access log is off by default.
  for (const auto& record : logger_.records()) EXPECT_NE(record.message, "request");
}

TEST_F(HttpServerTest, TheAccessLogHasOneRecordPerRequest) {
  config_.access_log = true;
  router_.AddSyncRoute("GET", "/secret/{token}", [](const HttpRequest&, const RouteParams&) {
    HttpResponse r = TextResponse(200, "ok");
    r.log_target = "/secret/{token}";
    return r;
  });
  StartServer();
  TestClient client(port());
  auto echo = client.Request(Get("/echo?x=1", "X-Request-Id: acc-1\r\n"));
  ASSERT_FALSE(echo.ec);
  ASSERT_FALSE(client.Request(Get("/nothing", "X-Request-Id: acc-2\r\n")).ec);
  ASSERT_FALSE(client.Request(Get("/secret/s3cr3t", "X-Request-Id: acc-3\r\n")).ec);
  // A record is written once its response is sent: wait for it (bounded).
  std::vector<CapturingLogger::Record> access;
  for (const auto deadline = Clock::now() + 2s; Clock::now() < deadline; std::this_thread::sleep_for(2ms)) {
    access.clear();
    for (const auto& record : logger_.records()) {
      if (record.message == "request") access.push_back(record);
    }
    if (access.size() >= 3) break;
  }
  ASSERT_EQ(access.size(), 3u);
  EXPECT_EQ(access[0].level, LogLevel::kInfo);
  EXPECT_EQ(access[0].Field("method"), "GET");
  EXPECT_EQ(access[0].Field("target"), "/echo?x=1");
  EXPECT_EQ(access[0].Field("status"), "200");
  EXPECT_EQ(access[0].Field("bytes"), std::to_string(echo.res.body().size()));
  EXPECT_EQ(access[0].Field("request_id"), "acc-1");
  EXPECT_THAT(access[0].Field("client"), HasSubstr("127.0.0.1:"));
  EXPECT_FALSE(access[0].Field("duration_ms").empty());
  EXPECT_EQ(access[1].Field("status"), "404");
  EXPECT_EQ(access[1].Field("request_id"), "acc-2");
  EXPECT_EQ(access[2].Field("target"), "/secret/{token}") << "a credential in the target is not logged";
}

TEST_F(HttpServerTest, GracefulShutdownDrainsAnInFlightSlowHandler) {
  StartServer();
  TestClient idle(port());
  ASSERT_FALSE(idle.Request(Get("/healthz")).ec);  // an idle keep-alive connection

  TestClient busy(port());
  ASSERT_FALSE(busy.Send(Get("/delay/300")));
  slow_started_.get_future().wait();

  const auto t0 = Clock::now();
  std::thread stopper([&] { server_->Shutdown(); });
  auto r = busy.Read();
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 200);
  EXPECT_EQ(r.res.body(), "delayed 300");
  EXPECT_FALSE(r.res.keep_alive()) << "a draining server closes after the response";
  stopper.join();
  const auto took = Clock::now() - t0;
  EXPECT_LT(took, 2000ms) << "shutdown waited for the drain timeout instead of the handler";
  EXPECT_TRUE(IsClosedError(idle.WaitForClose(1000ms)));
  TestClient late(port());
  EXPECT_FALSE(late.connected() && !late.Request(Get("/healthz")).ec) << "served after shutdown";
}

TEST_F(HttpServerTest, DrainTimeoutCutsHandlersThatNeverAnswer) {
  config_.drain_timeout = 200ms;
  StartServer();
  TestClient client(port());
  ASSERT_FALSE(client.Send(Get("/hold")));
  slow_started_.get_future().wait();
  const auto t0 = Clock::now();
  server_->Shutdown();
  const auto took = Clock::now() - t0;
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 1500ms);
  EXPECT_TRUE(IsClosedError(client.WaitForClose(1000ms)));
}

TEST_F(HttpServerTest, MetricsCountRequestsByRouteAndStatus) {
  StartServer();
  TestClient client(port());
  ASSERT_FALSE(client.Request(Get("/delay/1")).ec);
  ASSERT_FALSE(client.Request(Get("/delay/2")).ec);
  ASSERT_FALSE(client.Request(Get("/missing")).ec);
  auto r = client.Request(Get("/metrics"));
  ASSERT_FALSE(r.ec);
  EXPECT_EQ(r.res[http::field::content_type], kPrometheusContentType);
  const std::string& text = r.res.body();
  EXPECT_THAT(text, HasSubstr("relais_http_requests_total{method=\"GET\",route=\"/delay/{ms}\",status=\"200\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("relais_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("relais_http_request_duration_seconds_count{method=\"GET\",route=\"/delay/{ms}\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("relais_http_connections_active{port=\"" + std::to_string(port()) + "\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("relais_http_connections_total 1\n"));
}

// The wiring a main program does: the server's section -> server -> serve -> shut down.
TEST(HttpServerWiringTest, ServesFromAParsedConfig) {
  const ConfigReader reader("relais.yaml");
  ServerConfig config;
  ASSERT_THAT(ParseServerSection(reader, YAML::Load("port: 0\nio_threads: 1\ndrain_timeout_ms: 100\n"), &config),
              IsOk());
  Router router;
  Metrics metrics;
  RegisterOperationalRoutes(router, metrics, [] { return Status::Ok(); });
  HttpServer server(config, router, &metrics);
  ASSERT_THAT(server.Start(), IsOk());
  TestClient client(server.port());
  auto r = client.Request(Get("/readyz"));
  ASSERT_FALSE(r.ec);
  EXPECT_EQ(r.res.result_int(), 200);
  std::thread waiter([&] { server.Wait(); });
  server.Shutdown();
  waiter.join();
  server.Shutdown();  // idempotent
}

TEST_F(HttpServerTest, StartFailsWhenThePortIsTaken) {
  StartServer();
  ServerConfig same = config_;
  same.port = port();
  HttpServer second(same, router_, nullptr);
  EXPECT_THAT(second.Start(), StatusIs(StatusCode::kUnavailable, HasSubstr("cannot bind")));
  ServerConfig bad = config_;
  bad.listen_address = "not-an-ip";
  HttpServer third(bad, router_, nullptr);
  EXPECT_THAT(third.Start(), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(server_->Start(), StatusIs(StatusCode::kFailedPrecondition));
}

// A streamed body's producer driven by the test: it records the sink it is
// given and whether the session stopped it.
class TestStream final : public ResponseStream {
 public:
  void Start(std::shared_ptr<StreamSink> sink) override {
    std::lock_guard<std::mutex> lock(mu_);
    sink_ = std::move(sink);
    changed_.notify_all();
  }
  void Stop() override {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    changed_.notify_all();
  }
  std::chrono::milliseconds keepalive() const override { return 50ms; }

  std::shared_ptr<StreamSink> WaitStarted() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, 5s, [&] { return sink_ != nullptr; });
    return sink_;
  }
  bool WaitStopped() {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, 5s, [&] { return stopped_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::shared_ptr<StreamSink> sink_;
  bool stopped_ = false;
};

class StreamedBodyTest : public HttpServerTest {
 protected:
  void SetUp() override {
    router_.AddSyncRoute("GET", "/stream", [this](const HttpRequest&, const RouteParams&) {
      HttpResponse r;
      r.content_type = "text/event-stream";
      r.stream = producer_;
      return r;
    });
  }
  std::shared_ptr<TestStream> producer_ = std::make_shared<TestStream>();
};

TEST_F(StreamedBodyTest, ChunksAreWrittenInOrderUntilTheProducerCloses) {
  StartServer();
  TestClient client(port());
  ASSERT_FALSE(client.Send(Get("/stream")));
  auto sink = producer_->WaitStarted();
  ASSERT_TRUE(sink);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(sink->Write("data: " + std::to_string(i) + "\n\n"));
  sink->Close();
  auto r = client.Read();
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 200);
  EXPECT_EQ(r.res[http::field::content_type], "text/event-stream");
  EXPECT_FALSE(r.res.has_content_length());
  EXPECT_FALSE(r.res.keep_alive());
  std::string expected;
  for (int i = 0; i < 100; ++i) expected += "data: " + std::to_string(i) + "\n\n";
  // Keep-alive chunks may come between writes; the data keeps its order.
  std::string body = r.res.body();
  for (size_t at; (at = body.find(":\n\n")) != std::string::npos;) body.erase(at, 3);
  EXPECT_EQ(body, expected);
  EXPECT_TRUE(producer_->WaitStopped());
}

TEST_F(StreamedBodyTest, SilenceIsBrokenByKeepAliveChunks) {
  StartServer();
  TestClient client(port());
  ASSERT_FALSE(client.Send(Get("/stream")));
  auto sink = producer_->WaitStarted();
  ASSERT_TRUE(sink);
  std::this_thread::sleep_for(200ms);  // four keepalive() periods of silence
  sink->Close();
  auto r = client.Read();
  ASSERT_FALSE(r.ec);
  EXPECT_GE(r.res.body().size(), 2 * std::string(":\n\n").size()) << r.res.body();
  EXPECT_EQ(r.res.body().substr(0, 3), ":\n\n");
}

TEST_F(StreamedBodyTest, AProducerAheadOfTheBufferLimitIsRefused) {
  config_.stream_buffer_limit_bytes = 1024;
  StartServer();
  TestClient client(port());
  ASSERT_FALSE(client.Send(Get("/stream")));
  auto sink = producer_->WaitStarted();
  ASSERT_TRUE(sink);
  EXPECT_TRUE(sink->Write(std::string(512, 'a')));
  EXPECT_FALSE(sink->Write(std::string(2048, 'b'))) << "more than stream_buffer_limit_bytes queued";
  EXPECT_FALSE(sink->Write("c")) << "the stream is over";
  EXPECT_NE(client.WaitForClose(3s), beast::error::timeout);
}

TEST_F(StreamedBodyTest, ShutdownStopsTheProducerAndClosesTheConnection) {
  StartServer();
  TestClient client(port());
  ASSERT_FALSE(client.Send(Get("/stream")));
  auto sink = producer_->WaitStarted();
  ASSERT_TRUE(sink);
  const auto start = Clock::now();
  server_->Shutdown();
  EXPECT_LT(Clock::now() - start, 2s) << "a stream must not hold shutdown for the drain timeout";
  EXPECT_TRUE(producer_->WaitStopped());
  EXPECT_FALSE(sink->Write("late")) << "Write after the connection closed";
}

TEST_F(StreamedBodyTest, HeadOfAStreamedRouteSendsNoBody) {
  StartServer();
  TestClient client(port());
  ASSERT_FALSE(client.Send("HEAD /stream HTTP/1.1\r\nHost: test\r\n\r\n"));
  auto r = client.Read(5000ms, /*head=*/true);
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 200);
  EXPECT_TRUE(producer_->WaitStopped());
  // The connection still serves the next request.
  EXPECT_EQ(client.Request(Get("/echo?x=after")).res.result_int(), 200);
}

}  // namespace
}  // namespace relais::server
