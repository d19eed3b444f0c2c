// ImportSet: a programme directory read from its files and checked, before
// anything is written (docs/import.md): programme.json (the definition
// POST /v1/programmes takes), partners.json, people.json (optional),
// webhooks.json,
// assignments.json and projects.json (the actions, as projects of a
// workflow). Each file is checked on its own with the API's own parsers
// (ProgrammeDefinition::FromJson, PartnerFields, EndpointFields) and against
// the others (every action has its project, every partner named exists);
// every error names the file and the field, what was found and what was
// expected. Nothing here touches a store.
//
// Thread-safety: plain values; ReadImportSet only reads files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/calendar/civil_date.h"
#include "engine/notify/endpoint_registry.h"
#include "engine/partners/partner_directory.h"
#include "engine/people/person.h"
#include "engine/programme/programme.h"
#include "engine/programme/programme_service.h"
#include "engine/runtime/project.h"
#include "engine/util/status.h"

namespace relais::importer {

inline constexpr std::string_view kProgrammeFile = "programme.json";
inline constexpr std::string_view kPartnersFile = "partners.json";
inline constexpr std::string_view kPeopleFile = "people.json";  // optional
inline constexpr std::string_view kWebhooksFile = "webhooks.json";
inline constexpr std::string_view kAssignmentsFile = "assignments.json";
inline constexpr std::string_view kProjectsFile = "projects.json";
// Optional: how to read the other files. {"plan_years": "as_written"} (the
// default) or "from_import_year": the plan is an example's, placed relative
// to the import day (its first plan year becomes the import year; every plan
// year, planned year and closed day moves by the same number of years).
inline constexpr std::string_view kImportFile = "import.json";

struct ImportOptions {
  // The import day (in programmes.time_zone, or `relais import --as-of`):
  // "start": "import", past terms, and where a relative plan is placed.
  calendar::CivilDate today;
  int max_term_years = 10;           // programmes.max_term_years: longer terms are refused
  std::string webhook_base_url;      // non-empty: replaces webhooks.json's base_url
  size_t max_file_bytes = 16 << 20;  // import.max_file_bytes: a larger file is refused
};

struct PartnerItem {
  std::string where;  // "partners.json: partners[3]"
  std::string id;
  partners::PartnerFields fields;
};

struct PersonItem {
  std::string where;  // "people.json: people[2]"
  std::string id;
  people::PersonFields fields;
};

struct EndpointItem {
  std::string where;
  std::string id;  // name-based: NameUuid("relais-import/<programme>/endpoint/<partner><path>")
  std::string partner;
  notify::EndpointFields fields;  // url is set
};

struct AssignmentItem {
  std::string where;
  programme::AssignRequest request;  // start and end resolved
  bool start_at_import = false;      // "start": "import": compared by term length on a re-import
  std::optional<int> years;          // the term given as a length in years
};

struct ProjectItem {
  std::string where;
  runtime::ProjectInfo
      info;  // id, title, programme, axis, planned years (from the programme's action), partners, members, workflow
  std::string initial_phase;
};

struct ImportSet {
  std::string dir;
  // import.json's "plan_years": "from_import_year": the years added to every
  // year of the plan as written (0 otherwise, or when the plan already starts
  // in the import year).
  bool plan_relative = false;
  int plan_shift_years = 0;
  programme::ProgrammeDefinition programme;
  std::vector<PartnerItem> partners;
  // people.json's entries; when the file is there (has_people), every person
  // the assignments and the projects' members name is one of them.
  bool has_people = false;
  std::vector<PersonItem> people;
  std::vector<EndpointItem> endpoints;
  std::vector<AssignmentItem> assignments;
  std::string workflow;  // projects.json's workflow name
  std::vector<ProjectItem> projects;
};

// Reads and checks the files of dir (people.json may be absent). Errors: kInvalidArgument listing
// every problem found, one per line ("projects.json: projects[4].partners[1]:
// no partner 'ccas' in partners.json"); kNotFound when a file is missing.
StatusOr<ImportSet> ReadImportSet(const std::string& dir, const ImportOptions& options);

// Moves every year of set's plan by years: the programme's plan years, each
// action's and project's planned years, the closed days; adds years to
// plan_shift_years.
void ShiftPlan(ImportSet& set, int years);

// The end of a term that starts on start and lasts years: the day before the
// anniversary.
calendar::CivilDate TermEnd(const calendar::CivilDate& start, int years);

}  // namespace relais::importer
