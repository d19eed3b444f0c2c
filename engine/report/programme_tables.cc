#include "engine/report/programme_tables.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "engine/programme/ics_feed.h"
#include "engine/util/time_format.h"

namespace relais::report {
namespace {

// A header in the caller's language.
struct Words {
  const char* fr;
  const char* en;
};

std::vector<std::string> Columns(const std::vector<Words>& words, const std::string& lang) {
  std::vector<std::string> out;
  for (const Words& w : words) out.emplace_back(lang == "en" ? w.en : w.fr);
  return out;
}

std::string Say(const Words& w, const std::string& lang) { return lang == "en" ? w.en : w.fr; }

std::string Label(const workflow::Labels& labels, const std::string& id, const std::string& lang) {
  const std::string& text = lang == "en" ? labels.en : labels.fr;
  if (!text.empty()) return text;
  return labels.fr.empty() ? id : labels.fr;
}

std::string LocalText(const calendar::LocalDateTime& t) {
  char buf[16];
  std::snprintf(buf, sizeof buf, " %02d:%02d", t.hour, t.minute);
  return t.date.ToString() + buf;
}

std::string LocalText(const programme::ProgrammeState& p, TimePoint t) {
  return LocalText(p.definition.time_zone.ToLocal(t));
}

std::string AxisTitle(const programme::ProgrammeState& p, const std::string& axis) {
  const programme::Axis* a = p.definition.FindAxis(axis);
  return a ? a->title : "";
}

// "person:claire@x" is Claire Martin; "system:lateness" stays as it is.
std::string AuthorName(const std::string& actor, people::PeopleLookup& people, const std::string& lang) {
  if (actor.find(':') != std::string::npos && !actor.starts_with("person:")) return actor;
  return people.NameOf(people::PersonOfSubject(actor), lang);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

constexpr Words kYes{"oui", "yes"}, kNo{"non", "no"};

}  // namespace

Table ActionsTable(const ProgrammeSource& s) {
  Table t;
  t.name = Say({"Actions", "Actions"}, s.lang);
  t.columns = Columns({{"Identifiant", "Id"},
                       {"Action", "Action"},
                       {"Axe", "Axis"},
                       {"Intitulé de l’axe", "Axis title"},
                       {"Phase", "Phase"},
                       {"Dans la phase depuis", "In the phase since"},
                       {"Année prévue de la phase", "Planned year of the phase"},
                       {"En retard", "Late"},
                       {"Années de retard", "Years late"},
                       {"Partenaires", "Partners"},
                       {"Personnes", "People"},
                       {"Version", "Version"},
                       {"Mis à jour", "Updated"}},
                      s.lang);
  for (const runtime::Project& p : s.projects) {
    const workflow::WorkflowDefinition* def = s.definitions(p.info.workflow_hash);
    const workflow::Phase* phase = def ? def->FindPhase(p.state.phase) : nullptr;
    Cell planned;
    if (phase) {
      auto it = p.info.planned_years.find(phase->planned_year_key.value_or(phase->id));
      if (it != p.info.planned_years.end()) planned = static_cast<double>(it->second);
    }
    const std::optional<int> late = p.LateByYears(s.definitions, s.now);
    std::vector<std::string> people;
    for (const runtime::ProjectMember& m : p.info.members)
      people.push_back(s.people.NameOf(m.subject, s.lang) + " (" + m.role + ")");
    t.rows.push_back({p.info.id, p.info.title, p.info.axis, AxisTitle(s.programme, p.info.axis),
                      phase ? Label(phase->labels, phase->id, s.lang) : p.state.phase,
                      LocalText(s.programme, p.phase_since), planned, Say(late ? kYes : kNo, s.lang),
                      late ? Cell(static_cast<double>(*late)) : Cell(), Join(p.info.partners), Join(people),
                      static_cast<double>(p.version), LocalText(s.programme, p.updated_at)});
  }
  return t;
}

Table IndicatorsTable(const ProgrammeSource& s) {
  Table t;
  t.name = Say({"Indicateurs", "Indicators"}, s.lang);
  t.columns = Columns({{"Action", "Action"},
                       {"Titre de l’action", "Action title"},
                       {"Axe", "Axis"},
                       {"Indicateur", "Indicator"},
                       {"Année", "Year"},
                       {"Valeur", "Value"}},
                      s.lang);
  std::map<std::string, const runtime::Project*> visible;
  for (const runtime::Project& p : s.projects) visible[p.info.id] = &p;
  for (const programme::IndicatorRecord& r : s.programme.indicators) {
    auto it = visible.find(r.action);
    if (it == visible.end()) continue;
    t.rows.push_back({r.action, it->second->info.title, r.axis, r.indicator,
                      r.year ? Cell(static_cast<double>(r.year)) : Cell(), r.value});
  }
  return t;
}

Table MilestonesTable(const ProgrammeSource& s) {
  Table t;
  t.name = Say({"Échéances", "Milestones"}, s.lang);
  t.columns = Columns({{"Identifiant", "Id"},
                       {"Type", "Kind"},
                       {"Titre", "Title"},
                       {"Personne", "Person"},
                       {"Axe", "Axis"},
                       {"Date", "Date"},
                       {"Durée (min)", "Length (min)"},
                       {"Statut", "Status"},
                       {"Tenue par", "Held by"},
                       {"Décisions", "Decisions"},
                       {"Notes", "Notes"}},
                      s.lang);
  std::vector<const programme::Milestone*> list;
  for (const auto& [id, m] : s.programme.milestones) list.push_back(&m);
  std::sort(list.begin(), list.end(),
            [](auto* a, auto* b) { return a->due < b->due || (a->due == b->due && a->id < b->id); });
  const std::map<std::string, Words> kinds = {{"review", {"Revue avec l’élu", "Review with the élu"}},
                                              {"annual_event", {"Événement annuel", "Annual event"}},
                                              {"evaluation", {"Évaluation", "Evaluation"}}};
  for (const programme::Milestone* m : list) {
    const people::Person* named = m->person.empty() ? nullptr : s.people.Find(m->person);
    std::string status;
    switch (m->status) {
      case programme::MilestoneStatus::kScheduled:
        status = Say(m->overdue ? Words{"en retard (non tenue)", "overdue (not held)"} : Words{"prévue", "scheduled"},
                     s.lang);
        break;
      case programme::MilestoneStatus::kHeld: status = Say({"tenue", "held"}, s.lang); break;
      case programme::MilestoneStatus::kCancelled: status = Say({"annulée", "cancelled"}, s.lang); break;
    }
    std::vector<std::string> decisions;
    for (const Json& d : m->decisions) decisions.push_back(d.is_string() ? d.get<std::string>() : d.dump());
    auto kind = kinds.find(m->kind);
    t.rows.push_back({m->id, kind == kinds.end() ? m->kind : Say(kind->second, s.lang),
                      programme::MilestoneTitle(s.programme, *m, s.lang, named),
                      m->person.empty() ? Cell() : Cell(s.people.NameOf(m->person, s.lang)), m->axis, LocalText(m->at),
                      m->duration_minutes ? Cell(double(m->duration_minutes)) : Cell(), status,
                      m->held_by.empty() ? Cell() : Cell(AuthorName(m->held_by, s.people, s.lang)), Join(decisions),
                      m->notes});
  }
  return t;
}

StatusOr<Table> HistoryTable(const ProgrammeSource& s, EventStore& store, size_t max_rows) {
  Table t;
  t.name = Say({"Historique", "History"}, s.lang);
  t.columns = Columns({{"Action", "Action"},
                       {"Version", "Version"},
                       {"Date", "Date"},
                       {"Événement", "Event"},
                       {"Type", "Type"},
                       {"Auteur", "Author"},
                       {"Données", "Data"}},
                      s.lang);
  for (const runtime::Project& p : s.projects) {
    if (t.rows.size() + p.version > max_rows)
      return ResourceExhausted("the history holds more than " + std::to_string(max_rows) +
                               " events (api.max_export_rows); export fewer actions");
    const workflow::WorkflowDefinition* def = s.definitions(p.info.workflow_hash);
    RELAIS_ASSIGN_OR_RETURN(std::vector<RecordedEvent> events,
                            store.ReadStream(runtime::ProjectStream(p.info.id), 1, p.version));
    for (const RecordedEvent& e : events) {
      const workflow::EventType* type = def ? def->FindEvent(e.type) : nullptr;
      t.rows.push_back({p.info.id, static_cast<double>(e.version), LocalText(s.programme, e.metadata.recorded_at),
                        type ? Label(type->labels, e.type, s.lang) : e.type, e.type,
                        AuthorName(e.metadata.actor, s.people, s.lang), e.data_json});
    }
  }
  return t;
}

}  // namespace relais::report
