#include "engine/programme/ics_feed.h"

#include "engine/calendar/ics_writer.h"

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

StatusOr<std::string> RenderIcsFeed(std::string_view calendar_name, const std::vector<FeedEntry>& entries,
                                    std::string_view lang, std::string_view base_url) {
  calendar::IcsCalendar ics(std::string(kFeedProdId), calendar::IcsMethod::kPublish);
  ics.SetName(std::string(calendar_name));
  const bool en = lang == "en";
  for (const FeedEntry& e : entries) {
    const ProgrammeState& p = *e.programme;
    const Milestone& m = *e.milestone;
    calendar::IcsEvent event;
    event.uid = m.id + "@" + p.definition.id + ".relais";
    event.stamp = m.updated_at;
    event.start = m.at;
    event.zone = p.definition.time_zone;
    // A review lasts its slot (placement); older milestones and yearly ones an hour.
    event.duration = m.duration_minutes > 0 ? std::chrono::minutes(m.duration_minutes) : kMilestoneDuration;
    event.sequence = m.sequence;
    event.summary = MilestoneTitle(p, m, lang, e.person);
    // The élu as a named attendee: CN is the name, the address only the URI.
    if (e.person && !e.person->email.empty())
      event.attendees.push_back({people::DisplayName(*e.person, lang), e.person->email});
    std::string description = (en ? "Programme: " : "Programme : ") + p.definition.title;
    if (!m.axis.empty()) {
      const Axis* axis = p.definition.FindAxis(m.axis);
      description += (en ? "\nAxis " : "\nAxe ") + m.axis + (axis ? (en ? ": " : " : ") + axis->title : "");
    }
    if (m.status == MilestoneStatus::kHeld && !m.notes.empty())
      description += (en ? "\nNotes: " : "\nNotes : ") + m.notes;
    event.description = std::move(description);
    event.category = m.kind;
    event.status =
        m.status == MilestoneStatus::kCancelled ? calendar::EventStatus::kCancelled : calendar::EventStatus::kConfirmed;
    // For a person, not a machine: the programme's page of the dashboard
    // (its reviews and milestones), at the server's public address.
    event.url = std::string(base_url) + "/ui/index.html#/programme/" + p.definition.id;
    ics.Add(std::move(event));
  }
  return ics.Text();
}

}  // namespace relais::programme
