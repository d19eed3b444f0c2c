#include "engine/server/shutdown_signals.h"

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

namespace relais::server {

namespace net = boost::asio;

struct ShutdownSignals::Impl {
  net::io_context ioc;
  net::signal_set signals{ioc, SIGINT, SIGTERM};
};

ShutdownSignals::ShutdownSignals() : impl_(std::make_unique<Impl>()) {}
ShutdownSignals::~ShutdownSignals() = default;

int ShutdownSignals::Wait() {
  int received = 0;
  impl_->signals.async_wait([&received](const boost::system::error_code& ec, int signal_number) {
    if (!ec) received = signal_number;
  });
  impl_->ioc.restart();
  impl_->ioc.run();
  return received;
}

void ShutdownSignals::Cancel() {
  net::post(impl_->ioc, [impl = impl_.get()] {
    boost::system::error_code ec;
    impl->signals.cancel(ec);
  });
}

int RunUntilShutdownSignal(HttpServer& server, ShutdownSignals& signals) {
  int signal_number = signals.Wait();
  server.Shutdown();
  return signal_number;
}

int RunUntilShutdownSignal(HttpServer& server) {
  ShutdownSignals signals;
  return RunUntilShutdownSignal(server, signals);
}

}  // namespace relais::server
