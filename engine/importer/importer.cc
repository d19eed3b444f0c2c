#include "engine/importer/importer.h"

#include <algorithm>
#include <set>

namespace relais::importer {
namespace {

constexpr std::string_view kIdempotencyKey = "relais-import";
constexpr size_t kShownValueBytes = 160;  // of a differing value in a report line

std::string Shown(const Json& value) {
  std::string text = DumpJson(value);
  if (text.size() > kShownValueBytes) text = text.substr(0, kShownValueBytes) + "...";
  return text;
}

// What an import will do, found before anything is written.
struct Plan {
  std::vector<std::string> problems;     // the files ask for what the store cannot take
  std::vector<std::string> differences;  // the store already holds something else
  std::vector<const PartnerItem*> partners;
  std::vector<const PersonItem*> people;
  std::vector<const EndpointItem*> endpoints;
  bool define_programme = false;
  std::vector<const AssignmentItem*> assignments;
  std::vector<const ProjectItem*> projects;
  ImportReport report;

  KindCount& Count(const std::string& kind) {
    for (KindCount& k : report.kinds)
      if (k.kind == kind) return k;
    report.kinds.push_back({kind, 0, 0});
    return report.kinds.back();
  }
  void Differs(const std::string& where, const std::string& field, const Json& stored, const Json& file) {
    differences.push_back(where + "." + field + ": the store has " + Shown(stored) + ", the file has " + Shown(file));
  }
};

Status PlanPartners(const ImportSet& set, ImportTargets& t, Plan& plan) {
  KindCount& count = plan.Count("partners");
  for (const PartnerItem& item : set.partners) {
    auto stored = t.partners.Get(item.id);
    if (!stored.ok()) {
      if (stored.status().code() != StatusCode::kNotFound) return stored.status();
      plan.partners.push_back(&item);
      ++count.created;
      continue;
    }
    const size_t before = plan.differences.size();
    if (stored->name != item.fields.name.value_or(""))
      plan.Differs(item.where, "name", stored->name, *item.fields.name);
    if (stored->kind != item.fields.kind.value_or(""))
      plan.Differs(item.where, "kind", stored->kind, item.fields.kind.value_or(""));
    if (stored->contact != item.fields.contact.value_or(""))
      plan.Differs(item.where, "contact", stored->contact, item.fields.contact.value_or(""));
    if (!stored->active) plan.Differs(item.where, "active", false, true);
    if (plan.differences.size() == before) ++count.present;
  }
  return Status::Ok();
}

// The person people.json's item describes, as the directory would register it.
people::Person WantedPerson(const PersonItem& item) {
  people::Person p;
  p.id = item.id;
  const people::PersonFields& f = item.fields;
  p.email = f.email.value_or(item.id);
  p.civility = f.civility.value_or("");
  p.first_name = f.first_name.value_or("");
  p.last_name = f.last_name.value_or("");
  p.organisation = f.organisation.value_or("");
  p.function = f.function.value_or("");
  p.partner = f.partner.value_or("");
  p.language = f.language.value_or("fr");
  p.active = f.active.value_or(true);
  return p;
}

Status PlanPeople(const ImportSet& set, ImportTargets& t, Plan& plan) {
  if (!set.has_people) return Status::Ok();
  KindCount& count = plan.Count("people");
  if (!t.people) {
    plan.problems.push_back(std::string(kPeopleFile) + ": this import has no people directory to write to");
    return Status::Ok();
  }
  for (const PersonItem& item : set.people) {
    auto stored = t.people->Get(item.id);
    if (!stored.ok()) {
      if (stored.status().code() != StatusCode::kNotFound) return stored.status();
      plan.people.push_back(&item);
      ++count.created;
      continue;
    }
    const Json have = stored->ToJson(), want = WantedPerson(item).ToJson();
    const size_t before = plan.differences.size();
    for (const auto& [key, value] : want.items())
      if (have.value(key, Json()) != value) plan.Differs(item.where, key, have.value(key, Json()), value);
    if (plan.differences.size() == before) ++count.present;
  }
  return Status::Ok();
}

Status PlanEndpoints(const ImportSet& set, ImportTargets& t, Plan& plan) {
  KindCount& count = plan.Count("webhook endpoints");
  for (const EndpointItem& item : set.endpoints) {
    const notify::EndpointFields& f = item.fields;
    if (Status s = t.webhooks.CheckTarget(*f.url); !s.ok()) {
      plan.problems.push_back(item.where + ".path: url " + *f.url + ": " + s.message() +
                              " (allow it in webhooks.allowed_ranges of the configuration)");
      continue;
    }
    auto stored = t.webhooks.endpoints().Get(item.id);
    if (!stored.ok()) {
      if (stored.status().code() != StatusCode::kNotFound) return stored.status();
      plan.endpoints.push_back(&item);
      ++count.created;
      continue;
    }
    const size_t before = plan.differences.size();
    if (stored->partner != item.partner) plan.Differs(item.where, "partner", stored->partner, item.partner);
    if (stored->url != *f.url) plan.Differs(item.where, "url", stored->url, *f.url);
    if (stored->description != f.description.value_or(""))
      plan.Differs(item.where, "description", stored->description, f.description.value_or(""));
    const auto types = f.event_types.value_or(std::vector<std::string>{"*"});
    if (stored->event_types != types) plan.Differs(item.where, "event_types", stored->event_types, types);
    const auto projects = f.projects.value_or(std::vector<std::string>{});
    if (stored->projects != projects) plan.Differs(item.where, "projects", stored->projects, projects);
    const auto axes = f.axes.value_or(std::vector<std::string>{});
    if (stored->axes != axes) plan.Differs(item.where, "axes", stored->axes, axes);
    const auto topics = f.topics.value_or(std::vector<std::string>{});
    if (stored->topics != topics) plan.Differs(item.where, "topics", stored->topics, topics);
    if (f.secret) {
      bool known = false;
      for (const notify::EndpointSecret& s : stored->secrets) known = known || s.secret == *f.secret;
      if (!known)
        plan.differences.push_back(item.where + ".secret: the endpoint signs with another secret (rotated since?)");
    }
    if (plan.differences.size() == before) ++count.present;
  }
  return Status::Ok();
}

// The programme and its assignments; stored is null when it is not defined yet.
void PlanProgramme(const ImportSet& set, const programme::ProgrammeState* stored, Plan& plan) {
  KindCount& count = plan.Count("programme");
  if (!stored) {
    plan.define_programme = true;
    ++count.created;
    return;
  }
  const Json have = stored->definition.ToJson(), want = set.programme.ToJson();
  const size_t before = plan.differences.size();
  for (const auto& [key, value] : want.items())
    if (!have.contains(key) || have[key] != value)
      plan.Differs(std::string(kProgrammeFile) + ": programme", key, have.value(key, Json()), value);
  if (plan.differences.size() == before) ++count.present;
}

void PlanAssignments(const ImportSet& set, const programme::ProgrammeState* stored, Plan& plan) {
  KindCount& count = plan.Count("assignments");
  for (const AssignmentItem& item : set.assignments) {
    const programme::AssignRequest& r = item.request;
    const programme::Assignment* same = nullptr;
    if (stored)
      for (const auto& [id, a] : stored->assignments)
        if (a.person == r.person && a.role == r.role && a.axis == r.axis && (!same || a.active)) same = &a;
    if (!same) {
      if (stored && (r.role == programme::kRoleEluReferent || r.role == programme::kRoleReferentTechnique))
        if (const programme::Assignment* holder = stored->ActiveHolder(r.role, r.axis))
          plan.differences.push_back(item.where + ": axis " + r.axis + " already has " + r.role + " " + holder->person +
                                     " in the store; the file names " + r.person +
                                     " (assigning would end the current term)");
      plan.assignments.push_back(&item);
      ++count.created;
      continue;
    }
    // "start": "import" means the day of the first import: compare the length.
    const calendar::CivilDate start = item.start_at_import ? same->start : r.start;
    const calendar::CivilDate end = item.years ? TermEnd(start, *item.years) : r.end;
    const size_t before = plan.differences.size();
    if (same->start != start) plan.Differs(item.where, "start", same->start.ToString(), start.ToString());
    if (same->end != end) plan.Differs(item.where, "end", same->end.ToString(), end.ToString());
    if (plan.differences.size() == before) ++count.present;
  }
}

Status PlanProjects(const ImportSet& set, ImportTargets& t, Plan& plan) {
  KindCount& count = plan.Count("projects");
  const workflow::WorkflowDefinition* def = t.registry.Current(set.workflow);
  if (!def) {
    std::string deployed;
    for (const auto* d : t.registry.ListCurrent()) deployed += (deployed.empty() ? "" : ", ") + d->name;
    plan.problems.push_back(std::string(kProjectsFile) + ": workflow: no deployed workflow '" + set.workflow +
                            "' (deployed: " + (deployed.empty() ? "none" : deployed) +
                            "; is it in the configuration's workflows_dir?)");
    return Status::Ok();
  }
  std::set<std::string> plan_keys;
  std::string plan_key_list, initial_list;
  for (const workflow::Phase& p : def->phases)
    if (!p.terminal && plan_keys.insert(p.planned_year_key.value_or(p.id)).second)
      plan_key_list += (plan_key_list.empty() ? "" : ", ") + p.planned_year_key.value_or(p.id);
  for (const std::string& p : def->initial_phases) initial_list += (initial_list.empty() ? "" : ", ") + p;
  for (size_t i = 0; i < set.programme.actions.size(); ++i)
    for (const auto& [key, year] : set.programme.actions[i].planned_years)
      if (!plan_keys.count(key))
        plan.problems.push_back(std::string(kProgrammeFile) + ": programme.actions[" + std::to_string(i) +
                                "].planned_years." + key + ": workflow " + set.workflow +
                                " has no phase planned under '" + key + "'; expected one of " + plan_key_list);
  for (const ProjectItem& item : set.projects) {
    if (std::find(def->initial_phases.begin(), def->initial_phases.end(), item.initial_phase) ==
        def->initial_phases.end()) {
      plan.problems.push_back(item.where + ".initial_phase: workflow " + set.workflow + " cannot start a project in '" +
                              item.initial_phase + "'; expected one of " + initial_list);
      continue;
    }
    auto stored = t.projects.Load(item.info.id);
    if (!stored.ok()) {
      if (stored.status().code() != StatusCode::kNotFound) return stored.status();
      plan.projects.push_back(&item);
      ++count.created;
      continue;
    }
    // The phase is not compared: the project has lived since its import.
    const runtime::ProjectInfo& have = stored->info;
    const runtime::ProjectInfo& want = item.info;
    const size_t before = plan.differences.size();
    if (have.workflow != want.workflow) plan.Differs(item.where, "workflow", have.workflow, want.workflow);
    if (have.title != want.title) plan.Differs(item.where, "title", have.title, want.title);
    if (have.programme != want.programme) plan.Differs(item.where, "programme", have.programme, want.programme);
    if (have.axis != want.axis) plan.Differs(item.where, "axis", have.axis, want.axis);
    if (have.planned_years != want.planned_years)
      plan.Differs(item.where, "planned_years", have.planned_years, want.planned_years);
    if (have.partners != want.partners) plan.Differs(item.where, "partners", have.partners, want.partners);
    if (have.members != want.members)
      plan.Differs(item.where, "members", runtime::ProjectInfo::MembersToJson(have.members),
                   runtime::ProjectInfo::MembersToJson(want.members));
    if (plan.differences.size() == before) ++count.present;
  }
  return Status::Ok();
}

// One problem line when who may not make a planned write.
void Ask(const access::Principal& who, const access::Resource& resource, access::Verb verb, const std::string& where,
         const std::string& what, Plan& plan) {
  const access::Decision d = access::Authorizer().Decide(who, resource, verb);
  if (d.may_act()) return;
  const std::string why = d.access == access::Access::kVisible ? d.reason : "it is outside their scope";
  plan.problems.push_back(where + ": " + who.subject + " may not " + what + " (" + why + ")");
}

// The Authorizer's word on every write the plan holds, as for the API.
void PlanAccess(const ImportSet& set, const ImportTargets& t, const access::Principal& who, Plan& plan) {
  const std::string& programme = set.programme.id;
  // The programmes a partner acts in: the store's, and this one's.
  auto programmes_of = [&](const std::string& partner) {
    std::set<std::string> out;
    if (access::Authorizer::ReadsProgrammesOf(who)) out = t.index.ProgrammesOfPartner(partner);
    out.insert(programme);
    return out;
  };
  for (const PartnerItem* p : plan.partners)
    Ask(who, access::PartnerResource{p->id, programmes_of(p->id)}, access::Verb::kCreate, p->where,
        "register partner '" + p->id + "'", plan);
  for (const PersonItem* p : plan.people)
    Ask(who, access::PersonResource{p->id, {}}, access::Verb::kCreate, p->where, "register person '" + p->id + "'",
        plan);
  for (const EndpointItem* e : plan.endpoints)
    Ask(who, access::EndpointResource{e->partner, programmes_of(e->partner)}, access::Verb::kCreate, e->where,
        "register a webhook endpoint of partner '" + e->partner + "'", plan);
  if (plan.define_programme)
    Ask(who, access::ProgrammeResource{programme, {}}, access::Verb::kCreate, std::string(kProgrammeFile),
        "define programme '" + programme + "'", plan);
  if (!plan.assignments.empty()) {
    access::ProgrammeResource resource{programme, {}};
    // Being assigned in it makes a person a reader of the programme, never a manager.
    Ask(who, resource, plan.define_programme ? access::Verb::kCreate : access::Verb::kManage,
        plan.assignments.front()->where, "assign people in programme '" + programme + "'", plan);
  }
  for (const ProjectItem* p : plan.projects)
    Ask(who, access::NewProjectResource{p->info.programme}, access::Verb::kCreate, p->where,
        "create action '" + p->info.id + "' in programme '" + p->info.programme + "'", plan);
}

Status Listed(StatusCode code, const std::string& title, const std::vector<std::string>& lines) {
  std::string text = std::to_string(lines.size()) + " " + title;
  for (const std::string& l : lines) text += "\n  " + l;
  return Status(code, text);
}

Status Apply(const ImportSet& set, ImportTargets& t, const runtime::Actor& actor, const Plan& plan) {
  for (const PartnerItem* p : plan.partners)
    RELAIS_RETURN_IF_ERROR(t.partners.Register(p->id, p->fields, actor.subject).status().WithContext(p->where));
  for (const PersonItem* p : plan.people)
    RELAIS_RETURN_IF_ERROR(t.people->Register(p->id, p->fields, actor.subject).status().WithContext(p->where));
  for (const EndpointItem* e : plan.endpoints)
    RELAIS_RETURN_IF_ERROR(t.webhooks.endpoints().Create(e->partner, e->fields, e->id).status().WithContext(e->where));
  if (plan.define_programme)
    RELAIS_RETURN_IF_ERROR(t.programmes.Define(set.programme, actor.subject).status().WithContext(kProgrammeFile));
  for (const AssignmentItem* a : plan.assignments)
    RELAIS_RETURN_IF_ERROR(
        t.programmes.Assign(set.programme.id, a->request, actor.subject).status().WithContext(a->where));
  for (const ProjectItem* p : plan.projects) {
    runtime::CreateRequest create;
    create.info = p->info;
    create.create.initial_phase = p->initial_phase;
    create.actor = actor;
    create.idempotency_key = std::string(kIdempotencyKey);
    auto outcome = t.projects.Create(std::move(create));
    RELAIS_RETURN_IF_ERROR(outcome.status().WithContext(p->where));
    if (outcome->refusal)
      return FailedPrecondition(p->where + ": refused by workflow " + set.workflow + ": " + outcome->refusal->message);
  }
  return Status::Ok();
}

// A relative plan imported again keeps the years of its first import: the
// set moved so that its first plan year is the stored programme's.
ImportSet PlacedAsStored(const ImportSet& set, const programme::ProgrammeState* stored) {
  ImportSet placed = set;
  const std::vector<int>& have = stored ? stored->definition.plan_years : std::vector<int>{};
  const std::vector<int>& want = set.programme.plan_years;
  if (set.plan_relative && !have.empty() && !want.empty())
    ShiftPlan(placed, *std::min_element(have.begin(), have.end()) - *std::min_element(want.begin(), want.end()));
  return placed;
}

}  // namespace

StatusOr<ImportReport> Import(const ImportSet& written, ImportTargets& t, const access::Principal& who, bool dry_run) {
  programme::StatePtr stored;
  if (auto state = t.programmes.Get(written.programme.id); state.ok())
    stored = *state;
  else if (state.status().code() != StatusCode::kNotFound)
    return state.status();
  const ImportSet set = PlacedAsStored(written, stored.get());
  Plan plan;
  plan.report.dry_run = dry_run;
  plan.report.plan_relative = set.plan_relative;
  plan.report.plan_years = set.programme.plan_years;
  plan.report.plan_shift_years = set.plan_shift_years;
  RELAIS_RETURN_IF_ERROR(PlanPartners(set, t, plan));
  RELAIS_RETURN_IF_ERROR(PlanPeople(set, t, plan));
  RELAIS_RETURN_IF_ERROR(PlanEndpoints(set, t, plan));
  PlanProgramme(set, stored.get(), plan);
  PlanAssignments(set, stored.get(), plan);
  RELAIS_RETURN_IF_ERROR(PlanProjects(set, t, plan));
  PlanAccess(set, t, who, plan);
  if (!plan.problems.empty())
    return Listed(StatusCode::kInvalidArgument, "problem(s) in the import files; nothing was written:", plan.problems);
  if (!plan.differences.empty())
    return Listed(StatusCode::kFailedPrecondition,
                  "difference(s) between the store and the import files; nothing was written "
                  "(change the files, or change the store through the API):",
                  plan.differences);
  if (!dry_run) RELAIS_RETURN_IF_ERROR(Apply(set, t, who.ToActor(), plan));
  return plan.report;
}

std::string FormatReport(const ImportReport& report) {
  std::string out;
  for (const KindCount& k : report.kinds)
    out += k.kind + ": " + std::to_string(k.created) + (report.dry_run ? " to create, " : " created, ") +
           std::to_string(k.present) + " already present\n";
  if (report.plan_relative && !report.plan_years.empty())
    out += "plan years placed from the import year: " + std::to_string(report.plan_years.front()) + "-" +
           std::to_string(report.plan_years.back()) + " (as written + " + std::to_string(report.plan_shift_years) +
           " years)\n";
  return out;
}

}  // namespace relais::importer
