// The texts of the accounts' e-mails, in French then English in one
// message (the recipient's language is not known before they sign in):
// an invitation, and a sign-in link.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>

#include "engine/accounts/mailer.h"

namespace relais::accounts {

// inviter: who invites (their subject); link: where to accept; valid_for:
// how long the link works.
MailMessage InvitationMail(const std::string& to, const std::string& inviter, const std::string& link,
                           std::chrono::milliseconds valid_for);
MailMessage SignInLinkMail(const std::string& to, const std::string& link, std::chrono::milliseconds valid_for);

}  // namespace relais::accounts
