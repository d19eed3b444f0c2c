// WebhookTargets: the webhooks' DeliveryTargets: endpoints from the
// EndpointRegistry (URL, signing secrets, active), successes and failures
// recorded there, disabling through an EndpointDisabler (its own thread,
// a durable append with the notice's deliveries).
//
// Thread-safety: as DeliveryTargets; SetNoticeHook before the first
// Disable. *store, *registry and *log must outlive it.
#pragma once

#include "engine/notify/delivery_targets.h"
#include "engine/notify/endpoint_disabler.h"
#include "engine/notify/endpoint_registry.h"

namespace relais::notify {

class WebhookTargets final : public DeliveryTargets {
 public:
  WebhookTargets(EventStore& store, EndpointRegistry& registry, Logger& log)
      : registry_(registry), disabler_(store, registry, log) {}

  // Adds deliveries of Relais's own notices (an endpoint disabled) to the
  // batch that records them.
  void SetNoticeHook(EndpointDisabler::NoticeHook hook) { disabler_.SetNoticeHook(std::move(hook)); }

  StatusOr<DeliveryTarget> Get(const std::string& endpoint, TimePoint now) const override;
  Status RecordSuccess(const std::string& endpoint) override { return registry_.RecordSuccess(endpoint); }
  StatusOr<std::optional<TimePoint>> RecordFailure(const std::string& endpoint, TimePoint now) override;
  void Disable(const std::string& endpoint, const std::string& reason) override { disabler_.Disable(endpoint, reason); }
  void Drain() override { disabler_.Drain(); }

 private:
  EndpointRegistry& registry_;
  EndpointDisabler disabler_;
};

}  // namespace relais::notify
