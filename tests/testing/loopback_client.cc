#include "tests/testing/loopback_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

#include "tests/testing/exchange_recorder.h"

namespace relais::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

LoopbackClient::LoopbackClient(uint16_t port) : stream_(ioc_) {
  beast::error_code ec;
  stream_.socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  connected_ = !ec;
}

LoopbackClient::Result LoopbackClient::Call(http::verb method, const std::string& target, const std::string& token,
                                            const Json& body, const Headers& headers) {
  Result r;
  if (!connected_) return r;
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "relais");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.is_null()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body.dump();
  }
  req.prepare_payload();
  beast::error_code ec;
  stream_.expires_after(30s);
  http::write(stream_, req, ec);
  if (ec) return r;
  http::response<http::string_body> res;
  http::read(stream_, buffer_, res, ec);
  if (ec) return r;
  r.status = res.result_int();
  r.raw = res.body();
  for (const auto& field : res) r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  // For tests/openapi's response validation; a receiver's own routes are not Relais's.
  if (target.rfind("/v1/", 0) == 0 && RecordingExchanges()) {
    Exchange e{"socket",  std::string(http::to_string(method)),        target,
               r.status,  std::string(res[http::field::content_type]), {},
               res.body()};
    for (const auto& field : res) e.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    RecordExchange(e);
  }
  r.body = Json::parse(res.body(), nullptr, false);
  return r;
}

bool LoopbackClient::StreamUntil(const std::string& target, const std::string& token, const std::string& needle,
                                 std::chrono::milliseconds timeout, std::string* seen_out) {
  std::string raw =
      "GET " + target + " HTTP/1.1\r\nHost: relais\r\nAuthorization: Bearer " + token + "\r\nLast-Event-ID: 0\r\n\r\n";
  beast::error_code ec;
  net::write(stream_.socket(), net::buffer(raw), ec);
  std::string seen;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (seen.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    char buf[4096];
    stream_.expires_at(deadline);
    size_t n = stream_.read_some(net::buffer(buf), ec);
    if (ec) break;
    seen.append(buf, n);
  }
  const bool found = seen.find(needle) != std::string::npos;
  if (seen_out) *seen_out = std::move(seen);
  return found;
}

PortedChild::PortedChild(std::vector<std::string> args, const std::string& prefix) : ChildProcess(std::move(args)) {
  if (started()) port_ = WaitForPort(prefix, 30s);
}

}  // namespace relais::testing
