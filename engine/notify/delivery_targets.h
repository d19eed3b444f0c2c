// DeliveryTargets: where a dispatcher's endpoints are and how they fare.
// The dispatcher asks it for each attempt's target and tells it each
// outcome; webhooks answer from the endpoint registry (WebhookTargets),
// e-mail from its one SMTP relay (email::SmtpTargets).
//
// Thread-safety: implementations are called from the dispatcher's I/O
// thread, Drain from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/util/clock.h"
#include "engine/util/status.h"

namespace relais::notify {

struct DeliveryTarget {
  bool active = true;                // false: the lane's entries stay queued, no attempt is made
  std::string url;                   // where an attempt goes
  std::vector<std::string> secrets;  // signing secrets in force (webhooks)
};

class DeliveryTargets {
 public:
  virtual ~DeliveryTargets() = default;
  // The endpoint's target for an attempt made at now. An endpoint being
  // disabled is inactive. Errors: kNotFound when the endpoint is gone for
  // good (its queued deliveries are dropped); may return another Status.
  virtual StatusOr<DeliveryTarget> Get(const std::string& endpoint, TimePoint now) const = 0;
  // An attempt to the endpoint succeeded. Errors: the store's.
  virtual Status RecordSuccess(const std::string& endpoint) = 0;
  // An attempt failed and may be retried: since when the endpoint has been
  // failing without a success, or nullopt when failing never disables it.
  // Errors: the store's.
  virtual StatusOr<std::optional<TimePoint>> RecordFailure(const std::string& endpoint, TimePoint now) = 0;
  // Disables the endpoint for reason (410 Gone, failing too long); returns
  // at once, Get answers inactive from then on.
  virtual void Disable(const std::string& endpoint, const std::string& reason) = 0;
  // Returns once every Disable made before the call is done.
  virtual void Drain() = 0;
};

}  // namespace relais::notify
