// EmailOutbox: turns one e-mail to send into its queue entry, added to a
// batch of writes so that it commits with what caused it (the events of an
// append, an invitation). The message text is built here, once: every
// attempt sends the same bytes, with the same Message-ID
// (<delivery id>@<host>), so a message sent twice after a crash is one
// message to the recipient's client.
//
// Thread-safety: Queue is safe for concurrent calls. *clock must outlive it.
#pragma once

#include <optional>
#include <string>

#include "engine/store/event_store.h"
#include "engine/util/clock.h"
#include "plugins/email/message_builder.h"

namespace relais::email {

// One e-mail to one person.
struct OutgoingEmail {
  // Names the message for good: the same id queues the same message (a
  // re-sent command adds nothing new), and it makes the Message-ID. Derive
  // it from what causes the message (NameUuid("email/<event id>/<person>")).
  std::string id;
  plugins::email::Mailbox to;                            // the person's name and address
  std::string subject;                                   // UTF-8
  std::string text;                                      // text/plain
  std::string html;                                      // text/html; may be empty
  std::optional<plugins::email::CalendarPart> calendar;  // an iTIP invitation
  std::string unsubscribe_url;  // the one-click link; empty for transactional messages (invitations, sign-in)
  std::string kind;             // what it is, in records and dead letters ("phase_entered", "invitation", "digest")
  std::string stream;           // the stream it comes from, if any ("project-x"), in records
};

class EmailOutbox {
 public:
  EmailOutbox(const Clock& clock, plugins::email::Mailbox from, std::string message_id_host)
      : clock_(clock), from_(std::move(from)), host_(std::move(message_id_host)) {}

  // Adds the message's queue entry to writes; returns the queue suffix the
  // dispatcher is told to expect. Errors: kInvalidArgument (an id that is
  // not a plain token, a bad address, a line break in a header:
  // plugins/email/message_builder.h).
  StatusOr<std::string> Queue(const OutgoingEmail& email, KvWrites& writes) const;

  const plugins::email::Mailbox& from() const { return from_; }

 private:
  const Clock& clock_;
  const plugins::email::Mailbox from_;
  const std::string host_;
};

}  // namespace relais::email
