#include "engine/server/listener.h"

#include <chrono>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "engine/server/http_session.h"

namespace relais::server::internal {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Listener::Listener(net::io_context& ioc, std::shared_ptr<ServerState> state)
    : ioc_(ioc), strand_(net::make_strand(ioc)), acceptor_(strand_), retry_timer_(strand_), state_(std::move(state)) {}

Status Listener::Open(const std::string& address, uint16_t port) {
  boost::system::error_code ec;
  net::ip::address ip = net::ip::make_address(address, ec);
  if (ec) return InvalidArgument("listen address '" + address + "' is not an IP address");
  tcp::endpoint endpoint(ip, port);
  const std::string where = address + ":" + std::to_string(port);
  if (acceptor_.open(endpoint.protocol(), ec); ec)
    return Unavailable("cannot open socket for " + where + ": " + ec.message());
  if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec) {
    return Unavailable("cannot set SO_REUSEADDR on " + where + ": " + ec.message());
  }
  if (acceptor_.bind(endpoint, ec); ec) return Unavailable("cannot bind " + where + ": " + ec.message());
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) {
    return Unavailable("cannot listen on " + where + ": " + ec.message());
  }
  port_.store(acceptor_.local_endpoint(ec).port());
  return Status::Ok();
}

void Listener::Run() {
  net::dispatch(strand_, [self = shared_from_this()] { self->DoAccept(); });
}

void Listener::Stop() {
  net::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->retry_timer_.cancel();
    boost::system::error_code ec;
    self->acceptor_.close(ec);
  });
}

void Listener::DoAccept() {
  if (stopped_) return;
  // Each connection gets its own strand.
  acceptor_.async_accept(net::make_strand(ioc_),
                         [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
                           self->OnAccept(ec, std::move(socket));
                         });
}

void Listener::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || stopped_) return;
  if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space || ec == net::error::no_memory) {
    // Out of file descriptors: back off instead of spinning on accept.
    state_->counters.io_error->Increment();
    retry_timer_.expires_after(std::chrono::milliseconds(50));
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->DoAccept();
    });
    return;
  }
  if (ec) {
    state_->counters.io_error->Increment();  // e.g. connection aborted before accept
  } else {
    StartConnection(std::move(socket), state_);
  }
  DoAccept();
}

}  // namespace relais::server::internal
