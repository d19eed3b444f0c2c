// The one file of plugins/ that includes Beast and Asio's SSL (compile time).
#include "plugins/webhook/webhook_channel.h"

#include <deque>
#include <map>
#include <optional>
#include <set>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "plugins/webhook/retry_after.h"
#include "plugins/webhook/signer.h"

namespace relais::plugins::webhook {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Steady = std::chrono::steady_clock;

namespace {

struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  void Close() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().socket().close(ignored);
  }
};

template <class F>
void WithStream(Connection& c, F&& f) {
  if (c.tls) {
    f(*c.tls);
  } else {
    f(*c.plain);
  }
}

}  // namespace

struct WebhookChannel::Impl : std::enable_shared_from_this<WebhookChannel::Impl> {
  Impl(net::io_context& io_context, WebhookChannelOptions o)
      : io(io_context), options(std::move(o)), tls_context(ssl::context::tls_client) {}

  struct Attempt;

  net::io_context& io;
  WebhookChannelOptions options;
  ssl::context tls_context;
  std::map<std::string, std::deque<std::unique_ptr<Connection>>> idle;  // by pool key
  std::set<Attempt*> in_flight;
  size_t opened = 0;
  bool stopped = false;

  struct Attempt : std::enable_shared_from_this<Attempt> {
    Attempt(std::shared_ptr<Impl> i, const Delivery& d, Done cb)
        : impl(std::move(i)), delivery(d), done(std::move(cb)), resolver(impl->io), timer(impl->io) {}

    std::shared_ptr<Impl> impl;
    Delivery delivery;
    Done done;
    WebhookUrl url;
    std::string pool_key;
    Steady::time_point started, deadline;
    tcp::resolver resolver;
    net::steady_timer timer;
    std::unique_ptr<Connection> conn;
    bool reused = false;
    bool retried_stale = false;
    bool finished = false;
    http::request<http::string_body> request;
    std::optional<http::response_parser<http::string_body>> parser;

    void Start() {
      started = Steady::now();
      deadline = started + impl->options.total_timeout;
      auto parsed = WebhookUrl::Parse(delivery.url);
      if (!parsed.ok()) return Finish(OutcomeKind::kRefused, 0, parsed.status().message());
      url = *parsed;
      const int64_t timestamp =
          std::chrono::duration_cast<std::chrono::seconds>(delivery.timestamp.time_since_epoch()).count();
      auto signature = SignatureHeader(delivery.secrets, delivery.id, timestamp, delivery.body);
      if (!signature.ok()) return Finish(OutcomeKind::kRefused, 0, signature.status().message());
      request = {http::verb::post, url.target, 11};
      request.set(http::field::host, url.HostHeader());
      request.set(http::field::user_agent, impl->options.user_agent);
      request.set(http::field::content_type, "application/json");
      request.set("webhook-id", delivery.id);
      request.set("webhook-timestamp", std::to_string(timestamp));
      request.set("webhook-signature", *signature);
      request.keep_alive(true);
      request.body() = delivery.body;
      request.prepare_payload();
      pool_key =
          delivery.endpoint_id + "|" + (url.tls ? "https://" : "http://") + url.host + ":" + std::to_string(url.port);
      auto& pool = impl->idle[pool_key];
      if (!pool.empty()) {
        conn = std::move(pool.back());
        pool.pop_back();
        reused = true;
        return Send();
      }
      Resolve();
    }

    void Resolve() {
      reused = false;
      boost::system::error_code ec;
      auto literal = net::ip::make_address(url.host, ec);
      if (!ec) {
        tcp::resolver::results_type none;
        std::vector<tcp::endpoint> endpoints{tcp::endpoint(literal, url.port)};
        return Connect(std::move(endpoints));
      }
      timer.expires_after(impl->options.connect_timeout);
      timer.async_wait([self = shared_from_this()](beast::error_code e) {
        if (!e) self->resolver.cancel();
      });
      resolver.async_resolve(url.host, std::to_string(url.port),
                             [self = shared_from_this()](beast::error_code e, tcp::resolver::results_type results) {
                               self->timer.cancel();
                               if (e == net::error::operation_aborted && !self->impl->stopped) {
                                 return self->Finish(OutcomeKind::kRetry, 0, "resolving the host timed out");
                               }
                               if (e) return self->Finish(OutcomeKind::kRetry, 0, "resolving the host: " + e.message());
                               std::vector<tcp::endpoint> endpoints;
                               for (const auto& r : results) endpoints.push_back(r.endpoint());
                               self->Connect(std::move(endpoints));
                             });
    }

    void Connect(std::vector<tcp::endpoint> endpoints) {
      if (endpoints.empty()) return Finish(OutcomeKind::kRetry, 0, "the host resolved to no address");
      for (const auto& e : endpoints) {
        if (Status s = impl->options.guard.Check(e.address()); !s.ok()) {
          return Finish(OutcomeKind::kRefused, 0, s.message());
        }
      }
      conn = std::make_unique<Connection>();
      ++impl->opened;
      if (url.tls) {
        conn->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(impl->io, impl->tls_context);
        boost::system::error_code not_literal;
        net::ip::make_address(url.host, not_literal);
        // SNI carries host names only, never address literals (RFC 6066).
        if (not_literal && !SSL_set_tlsext_host_name(conn->tls->native_handle(), url.host.c_str())) {
          return Finish(OutcomeKind::kRetry, 0, "TLS: cannot set the server name");
        }
        conn->tls->set_verify_mode(ssl::verify_peer);
        conn->tls->set_verify_callback(ssl::host_name_verification(url.host));
      } else {
        conn->plain = std::make_unique<beast::tcp_stream>(impl->io);
      }
      auto connect_deadline = std::min(deadline, Steady::now() + impl->options.connect_timeout);
      conn->lowest().expires_at(connect_deadline);
      conn->lowest().async_connect(endpoints, [self = shared_from_this()](beast::error_code e, const tcp::endpoint&) {
        if (e == beast::error::timeout) return self->Finish(OutcomeKind::kRetry, 0, "connecting timed out");
        if (e) return self->Finish(OutcomeKind::kRetry, 0, "connecting: " + e.message());
        if (!self->conn->tls) return self->Send();
        self->conn->tls->async_handshake(ssl::stream_base::client, [self](beast::error_code he) {
          if (he == beast::error::timeout) return self->Finish(OutcomeKind::kRetry, 0, "the TLS handshake timed out");
          if (he) return self->Finish(OutcomeKind::kRetry, 0, "TLS handshake: " + he.message());
          self->Send();
        });
      });
    }

    void Send() {
      conn->lowest().expires_at(deadline);
      conn->buffer.clear();
      parser.emplace();
      parser->body_limit(impl->options.response_limit_bytes);
      WithStream(*conn, [&](auto& stream) {
        http::async_write(stream, request, [self = shared_from_this()](beast::error_code e, size_t) {
          if (e) return self->Failed(e, "sending");
          self->Read();
        });
      });
    }

    void Read() {
      WithStream(*conn, [&](auto& stream) {
        http::async_read(stream, conn->buffer, *parser, [self = shared_from_this()](beast::error_code e, size_t) {
          if (e) return self->Failed(e, "reading the response");
          self->Received();
        });
      });
    }

    // A kept-alive connection the server has closed meanwhile fails at once:
    // that attempt is made again on a fresh connection.
    void Failed(beast::error_code e, const char* what) {
      bool stale = reused && !retried_stale && !impl->stopped && Steady::now() < deadline &&
                   e != beast::error::timeout && !parser->got_some();
      if (stale) {
        retried_stale = true;
        conn->Close();
        conn.reset();
        return Resolve();
      }
      if (e == beast::error::timeout) {
        return Finish(OutcomeKind::kRetry, 0,
                      "timed out after " + std::to_string(impl->options.total_timeout.count()) + " ms");
      }
      Finish(OutcomeKind::kRetry, 0, std::string(what) + ": " + e.message());
    }

    void Received() {
      auto& response = parser->get();
      const int status = static_cast<int>(response.result_int());
      OutcomeKind kind = OutcomeKind::kRetry;
      if (status >= 200 && status < 300) kind = OutcomeKind::kDelivered;
      if (status == 410) kind = OutcomeKind::kGone;
      std::optional<std::chrono::seconds> retry_after;
      if (status == 429 || status == 503) {
        auto it = response.find(http::field::retry_after);
        if (it != response.end()) retry_after = ParseRetryAfter(it->value(), std::chrono::system_clock::now());
      }
      std::string excerpt = response.body().substr(0, impl->options.excerpt_bytes);
      bool keep = response.keep_alive() && !impl->stopped;
      if (keep) {
        auto& pool = impl->idle[pool_key];
        if (pool.size() < impl->options.max_idle_per_endpoint) {
          conn->lowest().expires_never();
          pool.push_back(std::move(conn));
        }
      }
      if (conn) conn->Close();
      conn.reset();
      Finish(kind, status, std::move(excerpt), retry_after);
    }

    void Finish(OutcomeKind kind, int status, std::string excerpt,
                std::optional<std::chrono::seconds> retry_after = std::nullopt) {
      if (finished) return;
      finished = true;
      if (conn) conn->Close();
      conn.reset();
      impl->in_flight.erase(this);
      DeliveryOutcome outcome;
      outcome.kind = kind;
      outcome.status = status;
      outcome.retry_after = retry_after;
      outcome.latency = std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - started);
      outcome.excerpt = std::move(excerpt);
      Done callback = std::move(done);
      callback(std::move(outcome));
    }

    void Cancel() {
      resolver.cancel();
      timer.cancel();
      if (conn) conn->Close();
    }
  };
};

StatusOr<std::unique_ptr<WebhookChannel>> WebhookChannel::Create(net::io_context& io, WebhookChannelOptions options) {
  auto impl = std::make_shared<Impl>(io, std::move(options));
  beast::error_code ec;
  impl->tls_context.set_verify_mode(ssl::verify_peer);
  if (impl->options.ca_bundle.empty()) {
    impl->tls_context.set_default_verify_paths(ec);
    if (ec) return InvalidArgument("webhooks: cannot load the system's CA certificates: " + ec.message());
  } else {
    impl->tls_context.load_verify_file(impl->options.ca_bundle, ec);
    if (ec) {
      return InvalidArgument("webhooks.ca_bundle: cannot load '" + impl->options.ca_bundle + "': " + ec.message());
    }
  }
  return std::unique_ptr<WebhookChannel>(new WebhookChannel(std::move(impl)));
}

WebhookChannel::WebhookChannel(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebhookChannel::~WebhookChannel() = default;

void WebhookChannel::Deliver(const Delivery& delivery, Done done) {
  auto attempt = std::make_shared<Impl::Attempt>(impl_, delivery, std::move(done));
  if (impl_->stopped) return attempt->Finish(OutcomeKind::kRetry, 0, "the channel is stopping");
  impl_->in_flight.insert(attempt.get());
  attempt->Start();
}

void WebhookChannel::Stop() {
  impl_->stopped = true;
  for (auto& [key, pool] : impl_->idle) {
    for (auto& c : pool) c->Close();
  }
  impl_->idle.clear();
  for (Impl::Attempt* a : std::set<Impl::Attempt*>(impl_->in_flight)) a->Cancel();
}

size_t WebhookChannel::connections_opened() const { return impl_->opened; }

}  // namespace relais::plugins::webhook
