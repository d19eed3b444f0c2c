// NotificationChannel: how a notification leaves Relais (webhooks,
// e-mail). The dispatcher (engine/notify) owns durability, ordering, retries
// and dead letters; a channel only makes one attempt and says how it went.
//
// Thread-safety: a channel is driven from its dispatcher's single I/O thread;
// Deliver's callback runs on that thread, exactly once.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/util/clock.h"

namespace relais::plugins {

// One attempt at one notification.
struct Delivery {
  std::string id;  // stable across attempts (webhook-id)
  std::string endpoint_id;
  std::string url;                      // where to (webhooks: http:// or https://; e-mail: the SMTP relay)
  std::vector<std::string> secrets;     // signing secrets in force ("whsec_..."); several during a rotation
  std::vector<std::string> recipients;  // e-mail: the envelope's recipients (RCPT TO)
  std::string body;                     // the payload (e-mail: the RFC 5322 message), identical on every attempt
  TimePoint timestamp{};                // when this attempt is made (webhook-timestamp)
};

enum class OutcomeKind {
  kDelivered,  // the receiver accepted it (HTTP 2xx; SMTP 250 after DATA)
  kRetry,      // failed now; may succeed later (network error, timeout, HTTP 5xx/429/other, SMTP 4xx)
  kGone,       // the receiver says the endpoint is gone for good (410): disable it
  kRefused,    // refused for good (SSRF guard, bad URL, SMTP 5xx): no retry helps
};

struct DeliveryOutcome {
  OutcomeKind kind = OutcomeKind::kRetry;
  int status = 0;                                   // HTTP status or SMTP reply code; 0 when no response arrived
  std::optional<std::chrono::seconds> retry_after;  // from Retry-After on 429/503
  std::chrono::microseconds latency{0};
  std::string excerpt;  // start of the response body, or the error
};

class NotificationChannel {
 public:
  using Done = std::function<void(DeliveryOutcome)>;
  virtual ~NotificationChannel() = default;
  // Makes one attempt; done runs exactly once, on the channel's I/O thread.
  virtual void Deliver(const Delivery& delivery, Done done) = 0;
  // Closes idle connections and cancels what is in flight (done still runs).
  virtual void Stop() = 0;
};

}  // namespace relais::plugins
