#include "engine/email/email_outbox.h"

#include "engine/email/email_keys.h"
#include "engine/notify/outbox.h"

namespace relais::email {

namespace {

bool IsToken(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

}  // namespace

StatusOr<std::string> EmailOutbox::Queue(const OutgoingEmail& email, KvWrites& writes) const {
  if (!IsToken(email.id))
    return InvalidArgument("e-mail: the id '" + email.id + "' is not a token of letters, digits, '-', '_', '.'");
  const TimePoint now = clock_.Now();
  plugins::email::MessageParts parts;
  parts.from = from_;
  parts.to = {email.to};
  parts.subject = email.subject;
  parts.date = now;
  parts.message_id = email.id + "@" + host_;
  parts.text = email.text;
  parts.html = email.html;
  parts.calendar = email.calendar;
  parts.unsubscribe_url = email.unsubscribe_url;
  if (!email.unsubscribe_url.empty()) parts.unsubscribe_mailto = "mailto:" + from_.address + "?subject=unsubscribe";
  RELAIS_ASSIGN_OR_RETURN(std::string message, plugins::email::BuildMessage(parts));
  notify::QueuedDelivery d;
  d.id = email.id;
  d.endpoint = std::string(kRelayEndpoint);
  d.project = email.id;  // the lane: one per message
  d.version = 0;
  d.event_id = email.stream;
  d.type = email.kind;
  d.recipients = {email.to.address};
  d.body = std::move(message);
  d.created_at = now;
  const std::string suffix = d.Suffix();
  writes.Put(EmailQueueLayout().QueueKey(suffix), d.ToStored());
  return suffix;
}

}  // namespace relais::email
