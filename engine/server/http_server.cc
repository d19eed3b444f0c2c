#include "engine/server/http_server.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/server/listener.h"
#include "engine/server/server_state.h"
#include "engine/util/thread_name.h"

namespace relais::server {

namespace net = boost::asio;

namespace {

internal::TransportCounters MakeCounters(Metrics& m) {
  auto error = [&m](const char* reason) {
    return &m.GetCounter("relais_http_request_errors_total",
                         "Requests refused or connections dropped by the transport, by reason.", {{"reason", reason}});
  };
  auto internal = [&m](const char* where) {
    return &m.GetCounter("relais_internal_errors_total",
                         "Internal errors (logged with their cause), by where they happened.", {{"where", where}});
  };
  return {
      &m.GetCounter("relais_http_connections_total", "HTTP connections accepted and served."),
      &m.GetCounter("relais_http_connections_rejected_total",
                    "HTTP connections answered 503 because max_connections were open or the server was stopping."),
      &m.GetCounter("relais_http_connections_client_rejected_total",
                    "HTTP connections answered 429 because their client address held max_connections_per_client."),
      &m.GetCounter("relais_http_connections_reclaimed_total",
                    "Idle keep-alive HTTP connections closed to make room for new ones."),
      error("body_too_large"),
      error("headers_too_large"),
      error("bad_request"),
      error("not_implemented"),
      error("read_timeout"),
      error("io"),
      internal("request"),
      internal("io_thread"),
  };
}

// After force-closing, how long to wait for connections to wind down.
constexpr std::chrono::milliseconds kForceCloseGrace{500};

}  // namespace

struct HttpServer::Impl {
  Impl(ServerConfig c, const Router& r, Metrics* m, Logger* l)
      : own_metrics(m == nullptr ? std::make_unique<Metrics>() : nullptr),
        metrics(m != nullptr ? *m : *own_metrics),
        ioc(std::max(1, c.io_threads)),
        state(std::make_shared<internal::ServerState>(std::move(c), r, MakeCounters(metrics), l)) {}

  enum class Phase { kNew, kRunning, kStopping, kStopped };

  std::unique_ptr<Metrics> own_metrics;
  Metrics& metrics;
  net::io_context ioc;
  std::shared_ptr<internal::ServerState> state;
  std::shared_ptr<internal::Listener> listener;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::optional<Metrics::CallbackId> active_gauge;
  std::optional<Metrics::CallbackId> idle_gauge;

  mutable std::mutex mu;
  std::condition_variable phase_changed;
  Phase phase = Phase::kNew;

  void RunIoThread() {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        // Something threw past the router and the session: a bug. Keep serving.
        state->counters.internal_io_thread->Increment();
        state->logger.Error("exception on an HTTP I/O thread", {{"cause", e.what()}});
      } catch (...) {
        state->counters.internal_io_thread->Increment();
        state->logger.Error("exception on an HTTP I/O thread", {{"cause", "a non-standard exception"}});
      }
    }
  }
};

HttpServer::HttpServer(ServerConfig config, const Router& router, Metrics* metrics, Logger* logger)
    : impl_(std::make_unique<Impl>(std::move(config), router, metrics, logger)) {}

HttpServer::~HttpServer() {
  Shutdown();
  if (impl_->active_gauge) impl_->metrics.RemoveGaugeCallback(*impl_->active_gauge);
  if (impl_->idle_gauge) impl_->metrics.RemoveGaugeCallback(*impl_->idle_gauge);
}

Status HttpServer::Start() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->phase != Impl::Phase::kNew) return FailedPrecondition("HttpServer::Start called twice or after Shutdown");
  const ServerConfig& config = impl_->state->config;
  auto listener = std::make_shared<internal::Listener>(impl_->ioc, impl_->state);
  RELAIS_RETURN_IF_ERROR(listener->Open(config.listen_address, config.port));
  impl_->listener = listener;
  impl_->active_gauge = impl_->metrics.AddGaugeCallback(
      "relais_http_connections_active", "HTTP connections open now.", {{"port", std::to_string(listener->port())}},
      [state = impl_->state] { return static_cast<double>(state->registry.size()); });
  impl_->idle_gauge = impl_->metrics.AddGaugeCallback(
      "relais_http_connections_idle", "HTTP keep-alive connections waiting idle for their next request.",
      {{"port", std::to_string(listener->port())}},
      [state = impl_->state] { return static_cast<double>(state->registry.idle_count()); });
  impl_->work.emplace(impl_->ioc.get_executor());
  listener->Run();
  const int threads = std::max(1, config.io_threads);
  for (int i = 0; i < threads; ++i)
    impl_->threads.emplace_back([impl = impl_.get()] {
      SetThreadName("http-io");
      impl->RunIoThread();
    });
  impl_->phase = Impl::Phase::kRunning;
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->listener ? impl_->listener->port() : 0; }

size_t HttpServer::active_connections() const { return impl_->state->registry.size(); }

size_t HttpServer::idle_connections() const { return impl_->state->registry.idle_count(); }

void HttpServer::Shutdown() {
  Impl& s = *impl_;
  {
    std::unique_lock<std::mutex> lock(s.mu);
    if (s.phase == Impl::Phase::kNew) {
      s.phase = Impl::Phase::kStopped;
      s.phase_changed.notify_all();
      return;
    }
    if (s.phase != Impl::Phase::kRunning) {
      s.phase_changed.wait(lock, [&] { return s.phase == Impl::Phase::kStopped; });
      return;
    }
    for (const std::thread& t : s.threads) {
      if (t.get_id() == std::this_thread::get_id()) {
        throw std::logic_error("HttpServer::Shutdown called from an I/O thread");
      }
    }
    s.phase = Impl::Phase::kStopping;
  }

  s.listener->Stop();
  for (const auto& connection : s.state->registry.StartDraining()) connection->BeginDrain();
  const auto deadline = std::chrono::steady_clock::now() + s.state->config.drain_timeout;
  if (!s.state->registry.WaitUntilEmpty(deadline)) {
    for (const auto& connection : s.state->registry.Live()) connection->ForceClose();
    s.state->registry.WaitUntilEmpty(std::chrono::steady_clock::now() + kForceCloseGrace);
  }
  s.work.reset();
  s.ioc.stop();
  for (std::thread& t : s.threads) t.join();
  s.threads.clear();

  std::lock_guard<std::mutex> lock(s.mu);
  s.phase = Impl::Phase::kStopped;
  s.phase_changed.notify_all();
}

void HttpServer::Wait() {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->phase_changed.wait(lock, [&] { return impl_->phase == Impl::Phase::kStopped; });
}

}  // namespace relais::server
