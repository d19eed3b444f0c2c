// A blocking keep-alive HTTP/1.1 client for end-to-end tests against a real
// `relais serve` (or a test receiver) on 127.0.0.1, and a child process that
// announces its port. Every exchange has a deadline; a failed one answers
// status -1, never throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/verb.hpp>

#include "engine/util/json.h"
#include "tests/testing/child_process.h"

namespace relais::testing {

class LoopbackClient {
 public:
  explicit LoopbackClient(uint16_t port);

  struct Result {
    int status = -1;  // -1: no answer (connection refused, reset, deadline)
    Json body;        // the body parsed as JSON (discarded when it is not JSON)
    std::string raw;  // the body as received
    std::vector<std::pair<std::string, std::string>> headers;  // the response's fields
  };
  using Headers = std::vector<std::pair<std::string, std::string>>;

  // One request on this connection. A token is sent as a bearer token; body,
  // when not null, as JSON. Exchanges on /v1/ are recorded for the OpenAPI
  // response check when RecordingExchanges() (exchange_recorder.h).
  Result Call(boost::beast::http::verb method, const std::string& target, const std::string& token,
              const Json& body = nullptr, const Headers& headers = {});

  // Reads a streamed response from GET target (with Last-Event-ID: 0) until
  // needle arrives or the timeout; whether it arrived. seen, when given,
  // gets what was read.
  bool StreamUntil(const std::string& target, const std::string& token, const std::string& needle,
                   std::chrono::milliseconds timeout, std::string* seen = nullptr);

  bool connected() const { return connected_; }

 private:
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

// A child process (relais serve, a node receiver) and the port its output
// announced after prefix (0: it did not start within 30 s).
class PortedChild : public ChildProcess {
 public:
  PortedChild(std::vector<std::string> args, const std::string& prefix);
  uint16_t port() const { return port_; }

 private:
  uint16_t port_ = 0;
};

}  // namespace relais::testing
