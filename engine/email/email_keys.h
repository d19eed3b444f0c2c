// The key layout of e-mail in the event store's key-value space (see
// docs/storage.md, "E-mail"): the outbox under email/q/, email/attempt/,
// email/log/, email/dead/ (notify::QueueLayout), one lane per message
// (email/q/smtp/<delivery id>/0...0: SMTP keeps no order between
// messages, so none waits for another).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "engine/notify/queue_layout.h"

namespace relais::email {

// The one endpoint of the e-mail outbox: the configured SMTP relay.
inline constexpr std::string_view kRelayEndpoint = "smtp";

inline notify::QueueLayout EmailQueueLayout() { return {"email/", "e-mail"}; }

}  // namespace relais::email
