// ShutdownSignals: waits for SIGTERM or SIGINT (boost::asio::signal_set), so
// a process can turn them into a graceful HttpServer::Shutdown.
//
// Thread-safety: Wait must be called from one thread at a time; Cancel is
// safe from any thread.
#pragma once

#include <memory>

#include "engine/server/http_server.h"

namespace relais::server {

class ShutdownSignals {
 public:
  // Takes over SIGINT and SIGTERM now: a signal arriving before Wait is kept.
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Blocks until SIGINT or SIGTERM arrives (returns its number) or Cancel is
  // called (returns 0).
  int Wait();
  void Cancel();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Blocks until SIGINT or SIGTERM, then shuts server down gracefully (drain,
// close, join). Returns the signal number. Call from the main thread.
// Construct signals before server.Start(): a signal arriving in between is
// then kept instead of killing the process.
int RunUntilShutdownSignal(HttpServer& server, ShutdownSignals& signals);
// The same with a ShutdownSignals made on entry (a signal that arrives
// before this call still has its default effect).
int RunUntilShutdownSignal(HttpServer& server);

}  // namespace relais::server
