// ControlSocket: the local administration channel of a running `relais
// serve`, so that `relais backup` works while the server holds the store. A
// Unix socket in the data directory (control.sock, mode 0600: only the
// server's own user, or root, may connect); one JSON request line and one
// JSON answer line per connection, handled one at a time.
//
// Thread-safety: the handler runs on the socket's own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "engine/util/json.h"
#include "engine/util/status.h"

namespace relais::cli {

// Where a server on data_dir listens.
std::string ControlSocketPath(const std::string& data_dir);

class ControlSocket {
 public:
  using Handler = std::function<Json(const Json& request)>;
  // Listens at path, replacing a socket file left by a killed server (the
  // caller holds the store, so no other server uses it). Errors:
  // kInvalidArgument (a path too long for a Unix socket), kUnavailable.
  static StatusOr<std::unique_ptr<ControlSocket>> Start(const std::string& path, Handler handler);
  // Stops listening and removes the socket file.
  ~ControlSocket();
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

 private:
  ControlSocket(std::string path, int fd, Handler handler);
  void Run();

  const std::string path_;
  const int fd_;
  const Handler handler_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Sends request to the server listening at path and returns its answer.
// Errors: kUnavailable (no server listens there: nothing was sent),
// kInternal (no answer within timeout, or not JSON).
StatusOr<Json> AskControlSocket(const std::string& path, const Json& request, std::chrono::milliseconds timeout);

}  // namespace relais::cli
