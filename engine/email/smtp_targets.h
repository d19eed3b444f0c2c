// SmtpTargets: the e-mail outbox's DeliveryTargets: one endpoint, the
// configured relay, always active; its failures never disable it (a relay
// down is retried on the schedule, then dead-lettered for a replay).
//
// Thread-safety: immutable; safe from any thread.
#pragma once

#include "engine/email/email_keys.h"
#include "engine/notify/delivery_targets.h"

namespace relais::email {

class SmtpTargets final : public notify::DeliveryTargets {
 public:
  explicit SmtpTargets(std::string relay_url) : url_(std::move(relay_url)) {}

  StatusOr<notify::DeliveryTarget> Get(const std::string& endpoint, TimePoint) const override {
    if (endpoint != kRelayEndpoint) return NotFound("no e-mail endpoint '" + endpoint + "'");
    return notify::DeliveryTarget{true, url_, {}};
  }
  Status RecordSuccess(const std::string&) override { return Status::Ok(); }
  StatusOr<std::optional<TimePoint>> RecordFailure(const std::string&, TimePoint) override {
    return std::optional<TimePoint>();
  }
  void Disable(const std::string&, const std::string&) override {}
  void Drain() override {}

 private:
  const std::string url_;
};

}  // namespace relais::email
