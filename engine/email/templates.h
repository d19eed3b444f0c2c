// Templates: the words of e-mails, in French and English (the person's
// language): one notice at once, or a day's notices as a digest. Subject,
// text/plain and text/html (every inserted text escaped), each ending with
// the dashboard link and the unsubscribe link.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "engine/calendar/time_zone.h"
#include "engine/email/notice.h"
#include "engine/email/recipients.h"

namespace relais::email {

struct Rendered {
  std::string subject;
  std::string text;
  std::string html;
};

// "Relais – « Garage solidaire » : Montage démarré".
Rendered RenderNotice(const Notice& notice, const Recipient& to, const std::string& unsubscribe_url);
// One e-mail for the day's notices (oldest first); date is the day it
// gathers ("2026-12-07").
Rendered RenderDigest(const std::vector<Notice>& notices, const Recipient& to, const std::string& date,
                      const std::string& unsubscribe_url);

// A calendar invitation's words (review_invitations.h): what the meeting
// is, when, and whether this message is the first, an update or the
// cancellation. The calendar part itself travels beside them.
enum class InvitationKind { kNew, kUpdate, kCancel };
struct InvitationWords {
  InvitationKind kind = InvitationKind::kNew;
  std::string title;      // the meeting's title in the recipient's language
  std::string when;       // ReviewWhen
  std::string programme;  // the programme's title
  std::string link;       // its page
};
// "Invitation : Point avec Mme Nadia Benali (élue référente, axe 2B)";
// "Modifié : ..."; "Annulé : ...".
Rendered RenderInvitation(const InvitationWords& words, const Recipient& to, const std::string& unsubscribe_url);

// "lundi 15 mars 2027, de 10:00 à 11:00 (Europe/Paris)" or, in English,
// "Monday 15 March 2027, 10:00 to 11:00 (Europe/Paris)".
std::string ReviewWhen(const calendar::LocalDateTime& start, std::chrono::minutes duration, std::string_view zone,
                       std::string_view lang);

// &, <, >, " and ' as entities.
std::string EscapeHtml(std::string_view text);

}  // namespace relais::email
