// The tables a programme is exported as (GET /v1/programmes/{id}/exports/,
// docs/api.md): its actions, its indicator records, its milestones and the
// history of its actions, each row in the caller's language with the
// workflow's labels and people named by name. Dates are the programme's
// local time ("2026-03-02 10:00"), so a spreadsheet sorts them as text.
//
// Thread-safety: functions over values the caller holds; HistoryTable reads
// the store (thread-safe).
#pragma once

#include <string>
#include <vector>

#include "engine/people/people_lookup.h"
#include "engine/programme/programme.h"
#include "engine/report/table.h"
#include "engine/runtime/project.h"
#include "engine/store/event_store.h"
#include "engine/util/status.h"

namespace relais::report {

// What the tables read. projects: the programme's actions the caller may
// see, in the order to list them.
struct ProgrammeSource {
  const programme::ProgrammeState& programme;
  const std::vector<runtime::Project>& projects;
  const runtime::DefinitionLookup& definitions;
  people::PeopleLookup& people;
  TimePoint now;
  std::string lang = "fr";  // "fr" or "en"
};

// One row per action: id, title, axis and its title, phase (label), since,
// planned year of the phase, late, years late, partners, people, version.
Table ActionsTable(const ProgrammeSource& source);
// One row per indicator record of a visible action: action, axis, indicator,
// year, value.
Table IndicatorsTable(const ProgrammeSource& source);
// One row per milestone: kind, title, person, axis, local date, duration,
// status (overdue said), held by, decisions, notes.
Table MilestonesTable(const ProgrammeSource& source);
// One row per event of each action's stream, oldest first per action:
// action, version, local date, event (label), author (name), data (JSON).
// kResourceExhausted when there are more than max_rows events.
StatusOr<Table> HistoryTable(const ProgrammeSource& source, EventStore& store, size_t max_rows);

}  // namespace relais::report
