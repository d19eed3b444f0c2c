#include "engine/programme/ics_feed.h"

#include "engine/calendar/ics_writer.h"
#include "engine/calendar/paris_time.h"

namespace relais::programme {

namespace {

// "Point avec Mme Nadia Benali (élue référente, axe 2B)"; in English
// "Review with Ms Nadia Benali (elected referent, axis 2B)".
std::string NamedReviewTitle(const Milestone& m, const people::Person& person, bool en) {
  const std::string axis = m.axis.empty() ? "" : (en ? ", axis " : ", axe ") + m.axis;
  if (en) return "Review with " + people::DisplayName(person, "en") + " (elected referent" + axis + ")";
  const bool feminine = person.civility == "Mme";
  return "Point avec " + people::DisplayName(person, "fr") + (feminine ? " (élue référente" : " (élu référent") + axis +
         ")";
}

}  // namespace

std::string MilestoneTitle(const ProgrammeState& programme, const Milestone& m, std::string_view lang,
                           const people::Person* person) {
  const bool en = lang == "en";
  std::string title;
  if (m.kind == "review" && person) {
    title = NamedReviewTitle(m, *person, en);
  } else if (m.kind == "review") {
    const Axis* axis = programme.definition.FindAxis(m.axis);
    std::string axis_title = axis && !axis->title.empty() ? " : " + axis->title : "";
    if (en) {
      title = "Review of axis " + m.axis + (axis && !axis->title.empty() ? ": " + axis->title : "") +
              " with the elected referent";
    } else {
      title = "Point d'étape de l'axe " + m.axis + axis_title + " avec l'élu référent";
    }
  } else {
    title = en ? m.title_en : m.title_fr;
    if (title.empty()) title = m.title_fr;
  }
  if (m.status == MilestoneStatus::kHeld)
    title = (en ? "[Held] " : "[Tenu] ") + title;
  else if (m.overdue)
    title = (en ? "[Overdue] " : "[En retard] ") + title;
  return title;
}

std::string RenderIcsFeed(std::string_view calendar_name, const std::vector<FeedEntry>& entries, std::string_view lang,
                          std::string_view base_url) {
  using calendar::EscapeIcsText;
  calendar::IcsWriter w;
  w.Begin("VCALENDAR");
  w.Line("VERSION", "2.0");
  w.Line("PRODID", "-//Relais//Programmes//FR");
  w.Line("CALSCALE", "GREGORIAN");
  w.Line("METHOD", "PUBLISH");
  w.Line("X-WR-CALNAME", EscapeIcsText(calendar_name));
  w.Line("X-WR-TIMEZONE", "Europe/Paris");
  w.ParisTimezone();
  const bool en = lang == "en";
  for (const FeedEntry& e : entries) {
    const ProgrammeState& p = *e.programme;
    const Milestone& m = *e.milestone;
    w.Begin("VEVENT");
    w.Line("UID", m.id + "@" + p.definition.id + ".relais");
    w.Line("DTSTAMP", calendar::FormatIcsUtc(m.updated_at));
    w.Line("DTSTART;TZID=Europe/Paris", m.at.Compact());
    w.Line("DURATION", "PT1H");
    w.Line("SEQUENCE", std::to_string(m.sequence));
    w.Line("SUMMARY", EscapeIcsText(MilestoneTitle(p, m, lang, e.person)));
    if (e.person && !e.person->email.empty()) {
      // The élu as a named attendee: CN is the name, the address only the URI.
      std::string cn = people::DisplayName(*e.person, lang);
      std::erase_if(cn, [](char c) { return c == '"' || static_cast<unsigned char>(c) < 0x20; });
      w.Line("ATTENDEE;CN=\"" + cn + "\";ROLE=REQ-PARTICIPANT", "mailto:" + e.person->email);
    }
    std::string description = (en ? "Programme: " : "Programme : ") + p.definition.title;
    if (!m.axis.empty()) {
      const Axis* axis = p.definition.FindAxis(m.axis);
      description += (en ? "\nAxis " : "\nAxe ") + m.axis + (axis ? (en ? ": " : " : ") + axis->title : "");
    }
    if (m.status == MilestoneStatus::kHeld && !m.notes.empty())
      description += (en ? "\nNotes: " : "\nNotes : ") + m.notes;
    w.Line("DESCRIPTION", EscapeIcsText(description));
    w.Line("CATEGORIES", EscapeIcsText(m.kind));
    w.Line("STATUS", m.status == MilestoneStatus::kCancelled ? "CANCELLED" : "CONFIRMED");
    // For a person, not a machine: the programme's page of the dashboard
    // (its reviews and milestones), at the server's public address.
    w.Line("URL;VALUE=URI", std::string(base_url) + "/ui/index.html#/programme/" + p.definition.id);
    w.End("VEVENT");
  }
  w.End("VCALENDAR");
  return w.text();
}

}  // namespace relais::programme
