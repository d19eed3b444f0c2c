// The parser of section `webhooks:` into WebhookOptions and its
// DispatcherOptions (docs/config.md, docs/webhooks.md). The defaults are
// those of the two Options structs.
#pragma once

#include "engine/notify/webhook_service.h"
#include "engine/util/config_section.h"

namespace relais::notify {

// Keys absent keep their value in *out.
Status ParseWebhooksSection(const ConfigReader& r, const YAML::Node& node, WebhookOptions* out);

}  // namespace relais::notify
