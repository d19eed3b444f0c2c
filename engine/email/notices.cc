#include "engine/email/notices.h"

namespace relais::email {

namespace {

Words PhaseWords(const workflow::WorkflowDefinition* def, const std::string& phase) {
  if (def)
    if (const workflow::Phase* p = def->FindPhase(phase)) return {p->labels.fr, p->labels.en};
  return {phase, phase};
}

// The phase after the event when the workflow says it whatever the data: no
// transition (it stays), or a first transition without a condition.
std::optional<std::string> PhaseAfter(const workflow::WorkflowDefinition* def, const runtime::Project& before,
                                      const NewEvent& event) {
  if (!def) return std::nullopt;
  const workflow::EventType* type = def->FindEvent(event.type);
  if (!type) return before.state.phase;
  if (type->transitions.empty()) return before.state.phase;
  const workflow::Transition& first = type->transitions.front();
  if (first.when) return std::nullopt;
  return first.to ? *first.to : before.state.phase;
}

std::string DateOf(const Json& data, const char* key) {
  auto it = data.find(key);
  return it != data.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

bool ProjectEventMails(const NewEvent& event, const std::vector<std::string>& topics) {
  return !topics.empty() || event.type == runtime::kProjectLate;
}

Notice ProjectNotice(const runtime::Project& before, const NewEvent& event, const workflow::WorkflowDefinition* def,
                     const std::string& actor_name, const std::string& base_url, TimePoint now) {
  Notice n;
  n.source = event.event_id;
  n.kind = event.type;
  n.programme = before.info.programme;
  n.at = now;
  n.link = base_url + "/#/action/" + before.info.id;
  const std::string title = before.info.title.empty() ? before.info.id : before.info.title;
  n.about = {"« " + title + " »", "“" + title + "”"};
  if (event.type == runtime::kProjectLate) {
    const Words phase = PhaseWords(def, before.state.phase);
    n.what = {"en retard", "late"};
    n.detail = {"L'action est en phase " + phase.fr + " après l'année prévue pour cette phase.",
                "The action is in phase " + phase.en + " after the year planned for that phase."};
    return n;
  }
  const workflow::EventType* type = def ? def->FindEvent(event.type) : nullptr;
  n.what = type ? Words{type->labels.fr, type->labels.en} : Words{event.type, event.type};
  const std::string who = actor_name.empty() ? "Relais" : actor_name;
  n.detail = {"Enregistré par " + who + ".", "Recorded by " + who + "."};
  if (auto after = PhaseAfter(def, before, event)) {
    const Words phase = PhaseWords(def, *after);
    const bool moved = *after != before.state.phase;
    n.detail.fr += moved ? " L'action passe en phase " + phase.fr + "." : " L'action reste en phase " + phase.fr + ".";
    n.detail.en +=
        moved ? " The action moves to phase " + phase.en + "." : " The action stays in phase " + phase.en + ".";
  }
  return n;
}

std::optional<Notice> ProgrammeNotice(const std::string& programme_id, const std::string& programme_title,
                                      const NewEvent& event, const std::string& person_name,
                                      const std::string& base_url, TimePoint now) {
  const Json& d = event.data;
  if (!d.is_object() || !d.contains("notify")) return std::nullopt;
  Notice n;
  n.source = event.event_id;
  n.kind = event.type;
  n.programme = programme_id;
  n.at = now;
  const std::string title = programme_title.empty() ? programme_id : programme_title;
  n.about = {title, title};
  const std::string kind = d.value("kind", "");
  const std::string date = DateOf(d, "date");
  Words thing = kind == "review"         ? Words{"la revue de " + person_name, person_name + "'s review"}
                : kind == "annual_event" ? Words{"l'événement annuel", "the annual event"}
                : kind == "evaluation"   ? Words{"l'évaluation", "the evaluation"}
                                         : Words{"l'échéance", "the milestone"};
  if (kind == "review" && person_name.empty()) thing = {"la revue de l'élu", "the élu's review"};
  if (event.type == "reminder_sent") {
    n.what = {"rappel : " + thing.fr + " le " + date, "reminder: " + thing.en + " on " + date};
    n.link = base_url + (kind == "review" ? "/#/elu" : "/#/programme");
  } else if (event.type == "milestone_due") {
    n.what = {"c'est aujourd'hui : " + thing.fr, "today: " + thing.en};
    n.link = base_url + (kind == "review" ? "/#/elu" : "/#/programme");
  } else if (event.type == "milestone_overdue") {
    n.what = {"en retard : " + thing.fr + " du " + date, "overdue: " + thing.en + " of " + date};
    n.detail = {"Elle n'a pas été tenue à la date prévue.", "It was not held on the planned date."};
    n.link = base_url + (kind == "review" ? "/#/elu" : "/#/programme");
  } else if (event.type == "term_reminder_sent" || event.type == "term_ended") {
    const std::string end = DateOf(d, "end");
    const std::string role = d.value("role", "");
    const bool ended = event.type == "term_ended";
    n.what = ended ? Words{"mandat terminé : " + person_name + " (" + role + ")",
                           "term ended: " + person_name + " (" + role + ")"}
                   : Words{"fin de mandat le " + end + " : " + person_name + " (" + role + ")",
                           "term ends on " + end + ": " + person_name + " (" + role + ")"};
    n.link = base_url + "/#/programme";
  } else {
    return std::nullopt;
  }
  return n;
}

}  // namespace relais::email
