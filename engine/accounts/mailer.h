// Mailer: the seam through which accounts send e-mail (invitations, sign-in
// links). Enqueue adds to an append's side writes what queues one message
// durably, so the message is sent if and only if the change it announces
// commits (plugins/email's outbox behind it; docs/accounts.md says what is
// wired). The texts themselves are made by account_mail.h.
//
// Thread-safety: implementations must be safe for concurrent access from
// multiple threads without any external synchronization.
#pragma once

#include <string>

#include "engine/store/event_store.h"
#include "engine/util/status.h"

namespace relais::accounts {

// One transactional message, UTF-8 throughout.
struct MailMessage {
  std::string to;  // one address
  std::string subject;
  std::string text;  // the plain-text part
  std::string html;  // the HTML part (may be empty)
  std::string kind;  // what it is, for records and dead letters: "invitation", "sign_in_link"
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Adds to writes the entries that queue message; nothing is sent before
  // they commit. Errors: kInvalidArgument (an unusable address); may return
  // some other Status on an error (then the caller's change is not made).
  virtual Status Enqueue(const MailMessage& message, KvWrites& writes) = 0;
};

}  // namespace relais::accounts
