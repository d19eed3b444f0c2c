// QueueLayout: where one durable outbox keeps its work in the store's
// key-value space. Webhooks and e-mail run the same dispatcher over two
// layouts: <root>q/ (queued deliveries, <endpoint>/<lane>/<order>),
// <root>attempt/ (each attempt of a delivery), <root>log/ (attempts per
// endpoint in time order) and <root>dead/ (dead letters). See
// docs/storage.md.
//
// Thread-safety: a value; pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/notify/webhook_keys.h"

namespace relais::notify {

struct QueueLayout {
  std::string root;  // "webhook/", "email/"
  std::string name;  // in log lines: "webhooks", "e-mail"

  std::string QueuePrefix() const { return root + "q/"; }
  std::string AttemptPrefix() const { return root + "attempt/"; }
  std::string LogPrefix() const { return root + "log/"; }
  std::string DeadPrefix() const { return root + "dead/"; }

  std::string QueueKey(std::string_view suffix) const { return QueuePrefix() + std::string(suffix); }
  std::string AttemptKey(std::string_view delivery, uint32_t attempt) const {
    return AttemptPrefix() + std::string(delivery) + "/" + Padded(attempt, 6);
  }
  std::string LogKey(std::string_view endpoint, int64_t at_micros, std::string_view delivery, uint32_t attempt) const {
    return LogPrefix() + std::string(endpoint) + "/" + Padded(static_cast<uint64_t>(at_micros)) + "/" +
           std::string(delivery) + "/" + Padded(attempt, 6);
  }
  std::string DeadKey(std::string_view delivery) const { return DeadPrefix() + std::string(delivery); }
};

// The webhooks' layout (webhook_keys.h's prefixes).
inline QueueLayout WebhookQueueLayout() { return {"webhook/", "webhooks"}; }

}  // namespace relais::notify
