// AccountMailer: the accounts unit's Mailer (invitations, sign-in links)
// over the e-mail outbox: each message is queued in the batch of the change
// it announces (EmailService::EnqueueMessage) and sent once that commits.
//
// Thread-safety: safe for concurrent calls (EmailService's are).
#pragma once

#include "engine/accounts/mailer.h"
#include "engine/email/email_service.h"

namespace relais::cli {

class AccountMailer : public accounts::Mailer {
 public:
  explicit AccountMailer(email::EmailService& email) : email_(email) {}

  // Errors: kFailedPrecondition when e-mail is off (no email.smtp_url);
  // kInvalidArgument (an unusable address).
  Status Enqueue(const accounts::MailMessage& message, KvWrites& writes) override;

 private:
  email::EmailService& email_;
};

}  // namespace relais::cli
