#include "engine/notify/webhook_targets.h"

namespace relais::notify {

StatusOr<DeliveryTarget> WebhookTargets::Get(const std::string& endpoint, TimePoint now) const {
  RELAIS_ASSIGN_OR_RETURN(Endpoint e, registry_.Get(endpoint));
  DeliveryTarget t;
  // An endpoint being disabled counts as disabled already (the registry may
  // not show it yet).
  t.active = e.active && !disabler_.InProgress(endpoint);
  t.url = e.url;
  t.secrets = e.SigningSecrets(now);
  return t;
}

StatusOr<std::optional<TimePoint>> WebhookTargets::RecordFailure(const std::string& endpoint, TimePoint now) {
  RELAIS_ASSIGN_OR_RETURN(TimePoint since, registry_.RecordFailure(endpoint, now));
  return std::optional<TimePoint>(since);
}

}  // namespace relais::notify
