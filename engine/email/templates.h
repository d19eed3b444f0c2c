// Templates: the words of e-mails, in French and English (the person's
// language): one notice at once, or a day's notices as a digest. Subject,
// text/plain and text/html (every inserted text escaped), each ending with
// the dashboard link and the unsubscribe link.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

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

// &, <, >, " and ' as entities.
std::string EscapeHtml(std::string_view text);

}  // namespace relais::email
