// WebhookChannel: the NotificationChannel that POSTs Standard Webhooks
// requests (webhook-id, webhook-timestamp, webhook-signature headers; JSON
// body) with an asynchronous Boost.Beast client: a keep-alive connection pool
// per endpoint, HTTPS with certificate and host name verification (OpenSSL;
// the system's CAs or a configured bundle), a connect timeout and a total
// timeout per attempt, and the SSRF guard on every address a name resolves
// to. Redirects are not followed (a 3xx is a failed attempt).
//
// Outcomes: 2xx kDelivered; 410 kGone; 429/503 kRetry with Retry-After (in
// seconds) when given; any other status, network error or timeout kRetry; a
// refused address or bad URL kRefused.
//
// Thread-safety: not thread-safe. Deliver and Stop must be called on the
// thread running *io (the dispatcher's); callbacks run there too.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "plugins/channel.h"
#include "plugins/webhook/target.h"

namespace relais::plugins::webhook {

struct WebhookChannelOptions {
  std::chrono::milliseconds connect_timeout{5'000};  // resolve + connect + TLS handshake
  std::chrono::milliseconds total_timeout{15'000};   // the whole attempt
  std::string ca_bundle;                             // PEM file; empty: the system's default paths
  AddressGuard guard;
  size_t max_idle_per_endpoint = 64;        // kept-alive connections per endpoint
  size_t excerpt_bytes = 256;               // response body kept in the outcome
  size_t response_limit_bytes = 64 * 1024;  // larger response bodies fail the attempt
  std::string user_agent = "Relais-Webhooks/1";
};

class WebhookChannel final : public NotificationChannel {
 public:
  // Errors: kInvalidArgument when the CA bundle cannot be loaded.
  static StatusOr<std::unique_ptr<WebhookChannel>> Create(boost::asio::io_context& io, WebhookChannelOptions options);
  ~WebhookChannel() override;

  void Deliver(const Delivery& delivery, Done done) override;
  void Stop() override;

  // Connections opened so far (tests check that keep-alive reuses them).
  size_t connections_opened() const;

  struct Impl;

 private:
  explicit WebhookChannel(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace relais::plugins::webhook
