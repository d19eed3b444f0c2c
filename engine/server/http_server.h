// HttpServer: serves a Router over HTTP/1.1 on one address and port, with the
// limits of ServerConfig (body and header sizes, read/idle/write timeouts,
// max connections overall and per client, reclaim of idle keep-alive
// connections, pipelining depth) and graceful shutdown. An I/O context run by
// config.io_threads threads; each connection on its own strand.
//
// Every request gets a request id (request_id.h): in HttpRequest::request_id,
// in the X-Request-Id response field, in problem+json `instance`, and in the
// log records it causes. Internal errors (500 answers, exceptions on an I/O
// thread) are logged with their cause at error level and counted in
// relais_internal_errors_total{where}; with config.access_log, each request
// leaves one info record.
//
// Typical use:
//   HttpServer server(config.server, router, &metrics, logger);
//   RELAIS_RETURN_IF_ERROR(server.Start());
//   RunUntilShutdownSignal(server);   // shutdown_signals.h
//
// Thread-safety: HttpServer is safe for concurrent access from multiple
// threads without any external synchronization, except that Shutdown and the
// destructor must not be called from a handler (an I/O thread).
#pragma once

#include <cstdint>
#include <memory>

#include "engine/server/metrics.h"
#include "engine/server/router.h"
#include "engine/server/server_config.h"
#include "engine/util/log.h"
#include "engine/util/status.h"

namespace relais::server {

class HttpServer {
 public:
  // router, metrics (if given) and logger must outlive the server. Without
  // metrics the transport's counters are kept privately. Every Respond handed
  // to a handler must be called or destroyed before the server is destroyed.
  // REQUIRES: logger != nullptr.
  HttpServer(ServerConfig config, const Router& router, Metrics* metrics = nullptr, Logger* logger = &NullLogger());
  // Shuts down gracefully if still running.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads; returns once accepting.
  // Returns kInvalidArgument if listen_address is not an IP literal,
  // kUnavailable if the port cannot be bound, kFailedPrecondition if called
  // twice or after Shutdown.
  Status Start();

  // The bound port (the ephemeral one when config.port is 0).
  // REQUIRES: Start() succeeded.
  uint16_t port() const;

  // Graceful shutdown: stop accepting; let requests already read finish and
  // their responses go out (with Connection: close) for at most
  // drain_timeout; then close every connection and join the I/O threads.
  // Idle keep-alive connections close at once. Blocks until done; later and
  // concurrent calls wait for the first to finish.
  void Shutdown();

  // Blocks until Shutdown has completed (from whichever thread).
  void Wait();

  // Connections currently open (being served, idle or draining).
  size_t active_connections() const;
  // Open connections waiting idle for their next request.
  size_t idle_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace relais::server
