#include "engine/importer/import_set.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/programme/review_placement.h"
#include "engine/util/ids.h"
#include "engine/util/json.h"
#include "engine/util/uuid.h"

namespace relais::importer {
namespace {

// Problems found so far, one line each; reading goes on after a problem so a
// coordinator sees them all at once.
class Problems {
 public:
  void Add(const std::string& where, const std::string& what) { lines_.push_back(where + ": " + what); }
  bool empty() const { return lines_.empty(); }
  Status ToStatus() const {
    std::string text = std::to_string(lines_.size()) + " problem(s) in the import files:";
    for (const std::string& l : lines_) text += "\n  " + l;
    return InvalidArgument(text);
  }

 private:
  std::vector<std::string> lines_;
};

std::string Field(std::string_view file, const std::string& path) { return std::string(file) + ": " + path; }
std::string Item(const std::string& list, size_t i) { return list + "[" + std::to_string(i) + "]"; }

std::string TypeName(const Json& v) { return v.is_null() ? "nothing" : std::string(v.type_name()); }

// Reads and parses one file; nullopt (and a problem) when it cannot.
std::optional<Json> ReadJsonFile(const std::string& dir, std::string_view name, const ImportOptions& options,
                                 Problems& problems) {
  const std::filesystem::path path = std::filesystem::path(dir) / name;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    problems.Add(std::string(name), "cannot read " + path.string() + ": " + ec.message());
    return std::nullopt;
  }
  if (size > options.max_file_bytes) {
    problems.Add(std::string(name), std::to_string(size) + " bytes; expected at most " +
                                        std::to_string(options.max_file_bytes) + " (import.max_file_bytes)");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto json = ParseJsonStrict(text.str());
  if (!json.ok()) {
    problems.Add(std::string(name), "not valid JSON: " + json.status().message());
    return std::nullopt;
  }
  if (!json->is_object()) {
    problems.Add(std::string(name), "expected a JSON object at the top, found " + TypeName(*json));
    return std::nullopt;
  }
  return std::move(json).value();
}

// Unknown members are errors: a typo never goes unnoticed.
void CheckMembers(const Json& obj, const std::set<std::string>& known, const std::string& where, Problems& problems) {
  for (const auto& [key, value] : obj.items()) {
    if (known.count(key)) continue;
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
    problems.Add(where + "." + key, "unknown member; expected one of " + list);
  }
}

// The list under key, or nullptr (and a problem) when it is not a list.
const Json* ListMember(const Json& obj, const char* key, const std::string& where, Problems& problems) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array()) {
    problems.Add(where + "." + key, "expected a list, found " + (it == obj.end() ? "nothing" : TypeName(*it)));
    return nullptr;
  }
  return &*it;
}

// The objects of the list j[key] at the top of file, each with where it is
// ("file: key[i]"); a missing list or an item that is not an object (shape:
// what an item looks like) is a problem, and skipped.
std::vector<std::pair<std::string, const Json*>> ObjectItems(const Json& j, const char* key, const std::string& file,
                                                             const char* shape, Problems& problems) {
  std::vector<std::pair<std::string, const Json*>> out;
  const Json* list = ListMember(j, key, file + ": (top)", problems);
  if (!list) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string where = Field(file, Item(key, i));
    const Json& item = (*list)[i];
    if (!item.is_object()) {
      problems.Add(where, std::string("expected an object ") + shape + ", found " + TypeName(item));
      continue;
    }
    out.emplace_back(std::move(where), &item);
  }
  return out;
}

bool StringMember(const Json& obj, const char* key, const std::string& where, bool required, std::string* out,
                  Problems& problems) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) problems.Add(where + "." + key, "is required (a string)");
    return !required;
  }
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    problems.Add(where + "." + key, "expected a non-empty string, found " + it->dump());
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

void ReadImportDirections(const Json& j, ImportSet& set, Problems& problems) {
  const std::string file(kImportFile);
  CheckMembers(j, {"plan_years"}, file + ": (top)", problems);
  auto it = j.find("plan_years");
  if (it == j.end()) return;
  if (!it->is_string() || (*it != "as_written" && *it != "from_import_year")) {
    problems.Add(file + ": plan_years", "expected \"as_written\" or \"from_import_year\", found " + it->dump());
    return;
  }
  set.plan_relative = *it == "from_import_year";
}

// A relative plan moved so that its first year is the import year.
void PlacePlan(const ImportOptions& options, ImportSet& set) {
  const std::vector<int>& years = set.programme.plan_years;
  if (!set.plan_relative || years.empty()) return;
  ShiftPlan(set, options.today.year - *std::min_element(years.begin(), years.end()));
}

void ReadProgramme(const Json& j, const ImportOptions& options, ImportSet& set, Problems& problems) {
  auto definition = programme::ProgrammeDefinition::FromJson(j);
  if (!definition.ok()) {
    // FromJson names the field ("programme.axes[3].parent: ...").
    problems.Add(std::string(kProgrammeFile), definition.status().message());
    return;
  }
  set.programme = std::move(definition).value();
  PlacePlan(options, set);
}

void ReadPartners(const Json& j, ImportSet& set, Problems& problems) {
  const std::string file(kPartnersFile);
  CheckMembers(j, {"partners"}, file + ": (top)", problems);
  std::set<std::string> seen;
  for (const auto& [where, p_item] : ObjectItems(j, "partners", file, "{id, name, kind, contact}", problems)) {
    const Json& p = *p_item;
    PartnerItem item;
    item.where = where;
    if (!StringMember(p, "id", where, true, &item.id, problems)) continue;
    if (Status s = ValidateId("partner id", item.id); !s.ok()) {
      problems.Add(where + ".id", s.message());
      continue;
    }
    if (!seen.insert(item.id).second) problems.Add(where + ".id", "partner '" + item.id + "' is listed twice");
    // Kept even when its fields are wrong: what names it is not wrong too.
    auto fields = partners::PartnerFields::FromJson(p);
    if (!fields.ok())
      problems.Add(where, fields.status().message());
    else if (!fields->name || fields->name->empty())
      problems.Add(where + ".name", "is required (the partner's display name)");
    else
      item.fields = std::move(fields).value();
    set.partners.push_back(std::move(item));
  }
}

bool HasPartner(const ImportSet& set, const std::string& id) {
  for (const PartnerItem& p : set.partners)
    if (p.id == id) return true;
  return false;
}

void ReadPeople(const Json& j, ImportSet& set, Problems& problems) {
  const std::string file(kPeopleFile);
  set.has_people = true;
  CheckMembers(j, {"people"}, file + ": (top)", problems);
  std::set<std::string> seen;
  for (const auto& [where, p_item] :
       ObjectItems(j, "people", file, "{id, civility, first_name, last_name, organisation, function, ...}", problems)) {
    const Json& p = *p_item;
    PersonItem item;
    item.where = where;
    if (!StringMember(p, "id", where, true, &item.id, problems)) continue;
    if (Status s = people::ValidatePersonKey(item.id); !s.ok()) {
      problems.Add(where + ".id", s.message());
      continue;
    }
    if (!seen.insert(item.id).second) problems.Add(where + ".id", "person '" + item.id + "' is listed twice");
    auto fields = people::PersonFields::FromJson(p);
    if (!fields.ok()) {
      problems.Add(where, fields.status().message());
    } else {
      if (!fields->email && !people::LooksLikeEmail(item.id))
        problems.Add(where + ".email", "is required when the id is not an e-mail address");
      if (fields->partner && !fields->partner->empty() && !HasPartner(set, *fields->partner))
        problems.Add(where + ".partner", "no partner '" + *fields->partner + "' in " + std::string(kPartnersFile));
      item.fields = std::move(fields).value();
    }
    set.people.push_back(std::move(item));
  }
}

// With people.json, every person named elsewhere is one of its entries.
void CheckPeopleNamed(const ImportSet& set, Problems& problems) {
  if (!set.has_people) return;
  std::set<std::string> known;
  for (const PersonItem& p : set.people) known.insert(p.id);
  auto missing = [&](const std::string& id) {
    return "no person '" + id + "' in " + std::string(kPeopleFile) + " (every person named needs an entry there)";
  };
  for (const AssignmentItem& a : set.assignments)
    if (!known.count(a.request.person)) problems.Add(a.where + ".person", missing(a.request.person));
  for (const ProjectItem& p : set.projects)
    for (size_t i = 0; i < p.info.members.size(); ++i)
      if (!known.count(p.info.members[i].subject))
        problems.Add(p.where + "." + Item("members", i) + ".subject", missing(p.info.members[i].subject));
}

void ReadWebhooks(const Json& j, const ImportOptions& options, ImportSet& set, Problems& problems) {
  const std::string file(kWebhooksFile);
  CheckMembers(j, {"base_url", "secret", "endpoints"}, file + ": (top)", problems);
  std::string base_url, secret;
  if (!StringMember(j, "base_url", file + ": (top)", true, &base_url, problems)) return;
  if (!options.webhook_base_url.empty()) base_url = options.webhook_base_url;
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  StringMember(j, "secret", file + ": (top)", false, &secret, problems);
  std::set<std::string> seen;
  for (const auto& [where, e_item] : ObjectItems(j, "endpoints", file, "{partner, path, event_types, ...}", problems)) {
    const Json& e = *e_item;
    CheckMembers(e, {"partner", "path", "event_types", "projects", "axes", "topics", "description", "secret"}, where,
                 problems);
    EndpointItem item;
    item.where = where;
    std::string path;
    if (!StringMember(e, "partner", where, true, &item.partner, problems) ||
        !StringMember(e, "path", where, true, &path, problems))
      continue;
    if (path.front() != '/') {
      problems.Add(where + ".path", "expected a path starting with '/', found '" + path + "'");
      continue;
    }
    if (!HasPartner(set, item.partner))
      problems.Add(where + ".partner", "no partner '" + item.partner + "' in " + std::string(kPartnersFile));
    if (!seen.insert(item.partner + path).second)
      problems.Add(where, "partner '" + item.partner + "' has path '" + path + "' twice");
    Json body = Json::object();
    for (const char* key : {"event_types", "projects", "axes", "topics", "description", "secret"})
      if (e.contains(key)) body[key] = e[key];
    if (!body.contains("secret") && !secret.empty()) body["secret"] = secret;
    body["url"] = base_url + path;
    auto fields = notify::EndpointFields::FromJson(body);
    if (!fields.ok()) {
      problems.Add(where, fields.status().message() + " (url " + body["url"].get<std::string>() + ")");
      continue;
    }
    item.fields = std::move(fields).value();
    item.id = NameUuid("relais-import/" + set.programme.id + "/endpoint/" + item.partner + path);
    set.endpoints.push_back(std::move(item));
  }
}

bool IsRole(const std::string& role) {
  return role == programme::kRoleCoordinator || role == programme::kRoleEluReferent ||
         role == programme::kRoleReferentTechnique || role == programme::kRolePartnerContact;
}

void ReadAssignments(const Json& j, const ImportOptions& options, ImportSet& set, Problems& problems) {
  const std::string file(kAssignmentsFile);
  CheckMembers(j, {"assignments"}, file + ": (top)", problems);
  std::set<std::pair<std::string, std::string>> single_holders;  // (role, axis)
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (const auto& [where, a_item] :
       ObjectItems(j, "assignments", file, "{person, role, axis, start, end | years}", problems)) {
    const Json& a = *a_item;
    CheckMembers(a, {"person", "role", "axis", "start", "end", "years"}, where, problems);
    AssignmentItem item;
    item.where = where;
    programme::AssignRequest& r = item.request;
    if (!StringMember(a, "person", where, true, &r.person, problems) ||
        !StringMember(a, "role", where, true, &r.role, problems) ||
        !StringMember(a, "axis", where, false, &r.axis, problems))
      continue;
    if (Status s = ValidatePersonId("person", r.person); !s.ok()) {
      problems.Add(where + ".person", s.message());
      continue;
    }
    if (!IsRole(r.role)) {
      problems.Add(where + ".role",
                   "expected coordinator, elu_referent, referent_technique or partner_contact, found '" + r.role + "'");
      continue;
    }
    const bool single = r.role == programme::kRoleEluReferent || r.role == programme::kRoleReferentTechnique;
    if (single && r.axis.empty()) problems.Add(where + ".axis", "is required: a " + r.role + " serves an axis");
    if (!r.axis.empty() && !set.programme.FindAxis(r.axis))
      problems.Add(where + ".axis", "no axis '" + r.axis + "' in " + std::string(kProgrammeFile));
    if (single && !single_holders.insert({r.role, r.axis}).second)
      problems.Add(where, "axis '" + r.axis + "' has a second " + r.role +
                              " (one holder at a time: the second would end the first's term)");
    if (!seen.insert({r.person, r.role, r.axis}).second)
      problems.Add(where, r.person + " is assigned twice as " + r.role + (r.axis.empty() ? "" : " of axis " + r.axis));
    std::string start = "import";
    StringMember(a, "start", where, false, &start, problems);
    if (start == "import") {
      item.start_at_import = true;
      r.start = options.today;
    } else if (auto d = calendar::ParseCivilDate(start); d.ok()) {
      r.start = *d;
    } else {
      problems.Add(where + ".start",
                   "expected a date YYYY-MM-DD or \"import\" (the day of the import), found '" + start + "'");
      continue;
    }
    const bool has_end = a.contains("end"), has_years = a.contains("years");
    if (has_end == has_years) {
      problems.Add(where, "expected exactly one of 'end' (the term's last day) and 'years' (its length)");
      continue;
    }
    if (has_years) {
      const Json& y = a["years"];
      if (!y.is_number_integer() || y.get<int64_t>() < 1 || y.get<int64_t>() > options.max_term_years) {
        problems.Add(where + ".years", "expected a whole number of years from 1 to " +
                                           std::to_string(options.max_term_years) +
                                           " (programmes.max_term_years), found " + y.dump());
        continue;
      }
      item.years = y.get<int>();
      r.end = TermEnd(r.start, *item.years);
    } else {
      std::string end;
      if (!StringMember(a, "end", where, true, &end, problems)) continue;
      auto d = calendar::ParseCivilDate(end);
      if (!d.ok()) {
        problems.Add(where + ".end", "expected a date YYYY-MM-DD, found '" + end + "'");
        continue;
      }
      r.end = *d;
      if (r.end < r.start) problems.Add(where + ".end", end + " is before the start " + r.start.ToString());
      if (programme::AddYears(r.start, options.max_term_years) < r.end)
        problems.Add(where + ".end", "a term lasts at most " + std::to_string(options.max_term_years) +
                                         " years (programmes.max_term_years)");
    }
    if (r.end < options.today)
      problems.Add(where, "the term ended on " + r.end.ToString() + ", before today " + options.today.ToString() +
                              " (a past term cannot be assigned; use \"start\": \"import\" for a term from today)");
    set.assignments.push_back(std::move(item));
  }
}

void ReadMembersList(const Json& list, const std::string& where, std::vector<runtime::ProjectMember>* out,
                     Problems& problems) {
  if (!list.is_array()) {
    problems.Add(where, "expected a list of {subject, role}, found " + TypeName(list));
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = Item(where, i);
    const Json& m = list[i];
    if (!m.is_object()) {
      problems.Add(at, "expected an object {subject, role}, found " + TypeName(m));
      continue;
    }
    CheckMembers(m, {"subject", "role"}, at, problems);
    runtime::ProjectMember member;
    if (!StringMember(m, "subject", at, true, &member.subject, problems)) continue;
    if (Status s = ValidatePersonId("member subject", member.subject); !s.ok()) {
      problems.Add(at + ".subject", s.message());
      continue;
    }
    StringMember(m, "role", at, false, &member.role, problems);
    out->push_back(std::move(member));
  }
}

void ReadProjects(const Json& j, ImportSet& set, Problems& problems) {
  const std::string file(kProjectsFile);
  CheckMembers(j, {"workflow", "projects"}, file + ": (top)", problems);
  StringMember(j, "workflow", file + ": (top)", true, &set.workflow, problems);
  std::set<std::string> seen;
  for (const auto& [where, p_item] :
       ObjectItems(j, "projects", file, "{id, initial_phase, partners, members}", problems)) {
    const Json& p = *p_item;
    CheckMembers(p, {"id", "initial_phase", "partners", "members", "source"}, where, problems);
    ProjectItem item;
    item.where = where;
    runtime::ProjectInfo& info = item.info;
    if (!StringMember(p, "id", where, true, &info.id, problems)) continue;
    if (!seen.insert(info.id).second) problems.Add(where + ".id", "project '" + info.id + "' is listed twice");
    const programme::PlannedAction* action = set.programme.FindAction(info.id);
    if (!action) {
      problems.Add(where + ".id", "no action '" + info.id + "' in " + std::string(kProgrammeFile) +
                                      " (each project is one action of the programme)");
      continue;
    }
    info.title = action->title;
    info.programme = set.programme.id;
    info.axis = action->axis;
    info.planned_years = action->planned_years;
    info.workflow = set.workflow;
    StringMember(p, "initial_phase", where, true, &item.initial_phase, problems);
    if (auto it = p.find("partners"); it != p.end()) {
      if (!it->is_array())
        problems.Add(where + ".partners", "expected a list of partner ids, found " + TypeName(*it));
      else
        for (size_t k = 0; k < it->size(); ++k) {
          const Json& id = (*it)[k];
          const std::string at = where + "." + Item("partners", k);
          if (!id.is_string())
            problems.Add(at, "expected a partner id, found " + id.dump());
          else if (!HasPartner(set, id.get<std::string>()))
            problems.Add(at, "no partner '" + id.get<std::string>() + "' in " + std::string(kPartnersFile));
          else
            info.partners.push_back(id.get<std::string>());
        }
    }
    if (auto it = p.find("members"); it != p.end()) ReadMembersList(*it, where + ".members", &info.members, problems);
    set.projects.push_back(std::move(item));
  }
  for (const programme::PlannedAction& a : set.programme.actions)
    if (!seen.count(a.id))
      problems.Add(file, "action '" + a.id + "' of " + std::string(kProgrammeFile) + " has no project here");
}

}  // namespace

void ShiftPlan(ImportSet& set, int years) {
  set.plan_shift_years += years;
  if (years == 0) return;
  programme::ProgrammeDefinition& d = set.programme;
  for (int& y : d.plan_years) y += years;
  for (programme::PlannedAction& a : d.actions)
    for (auto& [phase, year] : a.planned_years) year += years;
  for (calendar::CivilDate& day : d.closed_days) day = programme::AddYears(day, years);
  for (ProjectItem& p : set.projects)
    for (auto& [phase, year] : p.info.planned_years) year += years;
}

calendar::CivilDate TermEnd(const calendar::CivilDate& start, int years) {
  return programme::AddYears(start, years).AddDays(-1);
}

StatusOr<ImportSet> ReadImportSet(const std::string& dir, const ImportOptions& options) {
  if (!std::filesystem::is_directory(dir)) return NotFound("no import directory '" + dir + "'");
  ImportSet set;
  set.dir = dir;
  Problems problems;
  // Order matters: later files refer to what earlier ones define.
  if (std::filesystem::exists(std::filesystem::path(dir) / kImportFile))
    if (auto j = ReadJsonFile(dir, kImportFile, options, problems)) ReadImportDirections(*j, set, problems);
  if (auto j = ReadJsonFile(dir, kProgrammeFile, options, problems)) ReadProgramme(*j, options, set, problems);
  if (auto j = ReadJsonFile(dir, kPartnersFile, options, problems)) ReadPartners(*j, set, problems);
  if (std::filesystem::exists(std::filesystem::path(dir) / kPeopleFile))
    if (auto j = ReadJsonFile(dir, kPeopleFile, options, problems)) ReadPeople(*j, set, problems);
  if (auto j = ReadJsonFile(dir, kWebhooksFile, options, problems)) ReadWebhooks(*j, options, set, problems);
  if (auto j = ReadJsonFile(dir, kAssignmentsFile, options, problems)) ReadAssignments(*j, options, set, problems);
  if (auto j = ReadJsonFile(dir, kProjectsFile, options, problems)) ReadProjects(*j, set, problems);
  CheckPeopleNamed(set, problems);
  if (!problems.empty()) return problems.ToStatus();
  return set;
}

}  // namespace relais::importer
