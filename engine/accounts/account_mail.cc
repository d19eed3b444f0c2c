#include "engine/accounts/account_mail.h"

namespace relais::accounts {
namespace {

std::string EscapeHtml(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// "15 minutes" / "7 jours" in each language.
std::string Duration(std::chrono::milliseconds d, bool french) {
  const long long minutes = std::chrono::duration_cast<std::chrono::minutes>(d).count();
  if (minutes >= 2 * 24 * 60 && minutes % (24 * 60) == 0)
    return std::to_string(minutes / (24 * 60)) + (french ? " jours" : " days");
  if (minutes >= 120 && minutes % 60 == 0) return std::to_string(minutes / 60) + (french ? " heures" : " hours");
  return std::to_string(minutes) + " minutes";
}

MailMessage Bilingual(const std::string& kind, const std::string& to, std::string subject, const std::string& fr,
                      const std::string& en, const std::string& link) {
  MailMessage m;
  m.kind = kind;
  m.to = to;
  m.subject = std::move(subject);
  m.text = fr + "\n\n" + link + "\n\n---\n\n" + en + "\n\n" + link + "\n";
  const std::string a = "<p><a href=\"" + EscapeHtml(link) + "\">" + EscapeHtml(link) + "</a></p>";
  m.html = "<!doctype html><html><body><div lang=\"fr\"><p>" + EscapeHtml(fr) + "</p>" + a +
           "</div><hr><div lang=\"en\"><p>" + EscapeHtml(en) + "</p>" + a + "</div></body></html>";
  return m;
}

}  // namespace

MailMessage InvitationMail(const std::string& to, const std::string& inviter, const std::string& link,
                           std::chrono::milliseconds valid_for) {
  return Bilingual("invitation", to, "Invitation à Relais / Invitation to Relais",
                   inviter +
                       " vous invite à rejoindre Relais. Ouvrez ce lien pour créer votre compte ; il est valable " +
                       Duration(valid_for, true) + " et ne sert qu'une fois.",
                   inviter + " invites you to join Relais. Open this link to create your account; it works for " +
                       Duration(valid_for, false) + ", once.",
                   link);
}

MailMessage SignInLinkMail(const std::string& to, const std::string& link, std::chrono::milliseconds valid_for) {
  return Bilingual("sign_in_link", to, "Votre lien de connexion à Relais / Your Relais sign-in link",
                   "Ouvrez ce lien pour vous connecter à Relais ; il est valable " + Duration(valid_for, true) +
                       " et ne sert qu'une fois. Si vous n'avez rien demandé, ignorez ce message.",
                   "Open this link to sign in to Relais; it works for " + Duration(valid_for, false) +
                       ", once. If you did not ask for it, ignore this message.",
                   link);
}

}  // namespace relais::accounts
