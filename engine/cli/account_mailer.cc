#include "engine/cli/account_mailer.h"

#include "engine/util/uuid.h"

namespace relais::cli {

Status AccountMailer::Enqueue(const accounts::MailMessage& message, KvWrites& writes) {
  email::OutgoingEmail out;
  // Each invitation or link is its own message: a fresh id (a new link is a
  // new message, never a replacement of the previous one).
  out.id = NewUuid();
  out.to = {"", message.to};
  out.subject = message.subject;
  out.text = message.text;
  out.html = message.html;
  out.kind = message.kind;
  return email_.EnqueueMessage(out, writes).status();
}

}  // namespace relais::cli
