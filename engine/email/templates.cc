#include "engine/email/templates.h"

namespace relais::email {

namespace {

bool English(const Recipient& to) { return to.language == "en"; }

std::string Greeting(const Recipient& to) {
  if (English(to)) return to.name.empty() ? "Hello," : "Hello " + to.name + ",";
  return to.name.empty() ? "Bonjour," : "Bonjour " + to.name + ",";
}

std::string Footer(const Recipient& to, const std::string& unsubscribe_url) {
  if (English(to))
    return "You receive this e-mail because you take part in this programme in Relais.\n"
           "Stop these e-mails for this programme: " +
           unsubscribe_url + "\n";
  return "Vous recevez ce message parce que vous participez à ce programme dans Relais.\n"
         "Ne plus recevoir ces messages pour ce programme : " +
         unsubscribe_url + "\n";
}

std::string FooterHtml(const Recipient& to, const std::string& unsubscribe_url) {
  const bool en = English(to);
  return "<p style=\"color:#666;font-size:small\">" +
         EscapeHtml(en ? "You receive this e-mail because you take part in this programme in Relais."
                       : "Vous recevez ce message parce que vous participez à ce programme dans Relais.") +
         "<br><a href=\"" + EscapeHtml(unsubscribe_url) + "\">" +
         EscapeHtml(en ? "Stop these e-mails for this programme" : "Ne plus recevoir ces messages pour ce programme") +
         "</a></p>";
}

std::string OpenWords(const Recipient& to) { return English(to) ? "Open in Relais" : "Ouvrir dans Relais"; }

std::string Headline(const Notice& n, const std::string& lang) {
  const std::string& about = n.about.In(lang);
  return about.empty() ? n.what.In(lang) : about + (lang == "en" ? ": " : " : ") + n.what.In(lang);
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

Rendered RenderNotice(const Notice& n, const Recipient& to, const std::string& unsubscribe_url) {
  const std::string lang = English(to) ? "en" : "fr";
  const std::string headline = Headline(n, lang);
  Rendered r;
  r.subject = "Relais – " + headline;
  r.text = Greeting(to) + "\n\n" + headline + "\n";
  if (!n.detail.In(lang).empty()) r.text += n.detail.In(lang) + "\n";
  if (!n.link.empty()) r.text += "\n" + OpenWords(to) + (English(to) ? ": " : " : ") + n.link + "\n";
  r.text += "\n-- \n" + Footer(to, unsubscribe_url);
  r.html = "<!DOCTYPE html><html lang=\"" + lang + "\"><body><p>" + EscapeHtml(Greeting(to)) + "</p><p><strong>" +
           EscapeHtml(headline) + "</strong></p>";
  if (!n.detail.In(lang).empty()) r.html += "<p>" + EscapeHtml(n.detail.In(lang)) + "</p>";
  if (!n.link.empty()) r.html += "<p><a href=\"" + EscapeHtml(n.link) + "\">" + EscapeHtml(OpenWords(to)) + "</a></p>";
  r.html += FooterHtml(to, unsubscribe_url) + "</body></html>";
  return r;
}

Rendered RenderDigest(const std::vector<Notice>& notices, const Recipient& to, const std::string& date,
                      const std::string& unsubscribe_url) {
  const bool en = English(to);
  const std::string lang = en ? "en" : "fr";
  Rendered r;
  const std::string count = std::to_string(notices.size());
  r.subject =
      en ? "Relais – your digest of " + date + " (" + count + (notices.size() == 1 ? " notice)" : " notices)")
         : "Relais – votre résumé du " + date + " (" + count + (notices.size() == 1 ? " nouvelle)" : " nouvelles)");
  r.text = Greeting(to) + "\n\n" +
           (en ? "What happened since your last digest:" : "Ce qui s'est passé depuis votre dernier résumé :") + "\n\n";
  r.html =
      "<!DOCTYPE html><html lang=\"" + lang + "\"><body><p>" + EscapeHtml(Greeting(to)) + "</p><p>" +
      EscapeHtml(en ? "What happened since your last digest:" : "Ce qui s'est passé depuis votre dernier résumé :") +
      "</p><ul>";
  for (const Notice& n : notices) {
    const std::string headline = Headline(n, lang);
    r.text += "- " + headline + "\n";
    if (!n.detail.In(lang).empty()) r.text += "  " + n.detail.In(lang) + "\n";
    if (!n.link.empty()) r.text += "  " + n.link + "\n";
    r.html += "<li>";
    r.html += n.link.empty()
                  ? "<strong>" + EscapeHtml(headline) + "</strong>"
                  : "<a href=\"" + EscapeHtml(n.link) + "\"><strong>" + EscapeHtml(headline) + "</strong></a>";
    if (!n.detail.In(lang).empty()) r.html += "<br>" + EscapeHtml(n.detail.In(lang));
    r.html += "</li>";
  }
  r.html += "</ul>" + FooterHtml(to, unsubscribe_url) + "</body></html>";
  r.text += "\n-- \n" + Footer(to, unsubscribe_url);
  return r;
}

namespace {

std::string TwoDigits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

}  // namespace

std::string ReviewWhen(const calendar::LocalDateTime& start, std::chrono::minutes duration, std::string_view zone,
                       std::string_view lang) {
  static constexpr const char* kDaysFr[] = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"};
  static constexpr const char* kDaysEn[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                            "Friday", "Saturday", "Sunday"};
  static constexpr const char* kMonthsFr[] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
                                              "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
  static constexpr const char* kMonthsEn[] = {"January", "February", "March",     "April",   "May",      "June",
                                              "July",    "August",   "September", "October", "November", "December"};
  const bool en = lang == "en";
  const int weekday = start.date.IsoWeekday();  // 1 = Monday
  const int month = start.date.month;
  const std::string day = std::string((en ? kDaysEn : kDaysFr)[(weekday + 6) % 7]) + " " +
                          std::to_string(start.date.day) + " " + (en ? kMonthsEn : kMonthsFr)[(month + 11) % 12] + " " +
                          std::to_string(start.date.year);
  const int begin = start.hour * 60 + start.minute;
  const int end = (begin + static_cast<int>(duration.count())) % (24 * 60);
  const std::string from = TwoDigits(start.hour) + ":" + TwoDigits(start.minute);
  const std::string to = TwoDigits(end / 60) + ":" + TwoDigits(end % 60);
  return en ? day + ", " + from + " to " + to + " (" + std::string(zone) + ")"
            : day + ", de " + from + " à " + to + " (" + std::string(zone) + ")";
}

Rendered RenderInvitation(const InvitationWords& w, const Recipient& to, const std::string& unsubscribe_url) {
  const bool en = English(to);
  const std::string lang = en ? "en" : "fr";
  const char* prefix = w.kind == InvitationKind::kCancel   ? (en ? "Cancelled: " : "Annulé : ")
                       : w.kind == InvitationKind::kUpdate ? (en ? "Updated: " : "Modifié : ")
                                                           : "Invitation : ";
  if (en && w.kind == InvitationKind::kNew) prefix = "Invitation: ";
  const std::string what = w.kind == InvitationKind::kCancel
                               ? (en ? "This meeting is cancelled; your calendar removes it."
                                     : "Ce rendez-vous est annulé ; votre agenda le retire.")
                           : w.kind == InvitationKind::kUpdate
                               ? (en ? "This meeting has changed; your calendar updates it."
                                     : "Ce rendez-vous a changé ; votre agenda le met à jour.")
                               : (en ? "The invitation is attached: your calendar (Outlook, Thunderbird, ...) adds it."
                                     : "L'invitation est jointe : votre agenda (Outlook, Thunderbird…) l'ajoute.");
  const std::string programme = (en ? "Programme: " : "Programme : ") + w.programme;
  Rendered r;
  r.subject = prefix + w.title;
  r.text = Greeting(to) + "\n\n" + w.title + "\n" + w.when + "\n" + programme + "\n\n" + what + "\n";
  if (!w.link.empty()) r.text += "\n" + OpenWords(to) + (en ? ": " : " : ") + w.link + "\n";
  r.text += "\n-- \n" + Footer(to, unsubscribe_url);
  r.html = "<!DOCTYPE html><html lang=\"" + lang + "\"><body><p>" + EscapeHtml(Greeting(to)) + "</p><p><strong>" +
           EscapeHtml(w.title) + "</strong><br>" + EscapeHtml(w.when) + "<br>" + EscapeHtml(programme) + "</p><p>" +
           EscapeHtml(what) + "</p>";
  if (!w.link.empty()) r.html += "<p><a href=\"" + EscapeHtml(w.link) + "\">" + EscapeHtml(OpenWords(to)) + "</a></p>";
  r.html += FooterHtml(to, unsubscribe_url) + "</body></html>";
  return r;
}

}  // namespace relais::email
