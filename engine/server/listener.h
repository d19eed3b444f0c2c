// Listener: accepts TCP connections and hands each, on its own strand, to
// StartConnection. Internal to engine/server (HttpServer owns one).
//
// Thread-safety: Open must be called before Run; Run and Stop are safe from
// any thread (Stop posts to the acceptor's strand); port() is safe from any
// thread after Open.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "engine/server/server_state.h"
#include "engine/util/status.h"

namespace relais::server::internal {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& ioc, std::shared_ptr<ServerState> state);

  // Binds and listens on address:port (port 0: ephemeral). Returns
  // kInvalidArgument for an address that is not an IP literal, kUnavailable
  // if the socket cannot be bound (e.g. address in use).
  Status Open(const std::string& address, uint16_t port);
  uint16_t port() const { return port_.load(); }

  void Run();
  // Stops accepting and closes the listening socket.
  void Stop();

 private:
  void DoAccept();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::shared_ptr<ServerState> state_;
  std::atomic<uint16_t> port_{0};
  bool stopped_ = false;  // on strand_
};

}  // namespace relais::server::internal
