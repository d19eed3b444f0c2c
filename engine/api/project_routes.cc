// /v1/projects: create, get state, list (filters, sort, paging).
#include <limits>
#include <set>

#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/api/command_response.h"
#include "engine/runtime/project_timers.h"
#include "engine/workflow/next_steps.h"

namespace relais::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::JsonResponse;
using server::MakeProblem;
using server::ProblemKind;
using server::RouteParams;

constexpr size_t kMaxListEntries = 1000;  // partners or members named by one project
constexpr size_t kMaxTextBytes = 1024;    // title, programme, axis...

std::optional<HttpResponse> ReadMembers(const Json& list, std::vector<runtime::ProjectMember>* out);
std::optional<HttpResponse> ReadPartners(const Json& list, std::vector<std::string>* out);

// "late" and, when late, "late_by_years" (>= 1) on a project's JSON.
void AddLateness(const runtime::Project& p, const runtime::DefinitionLookup& definitions, TimePoint now, Json& j) {
  std::optional<int> years = p.LateByYears(definitions, now);
  j["late"] = years.has_value();
  if (years) j["late_by_years"] = *years;
}

// Reads an optional string member; false (and *problem set) when ill-typed.
bool StringMember(const Json& body, const char* name, std::string* out, std::optional<HttpResponse>* problem) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return true;
  if (!it->is_string() || it->get_ref<const std::string&>().size() > kMaxTextBytes) {
    *problem = MakeProblem(ProblemKind::kBadRequest, std::string("'") + name + "' must be a string of at most " +
                                                         std::to_string(kMaxTextBytes) + " bytes");
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

// The creation request of a POST /v1/projects body, or the problem with it.
std::optional<HttpResponse> ReadCreate(const Json& body, runtime::CreateRequest* req) {
  std::optional<HttpResponse> problem;
  runtime::ProjectInfo& info = req->info;
  if (!StringMember(body, "id", &info.id, &problem) || !StringMember(body, "workflow", &info.workflow, &problem) ||
      !StringMember(body, "title", &info.title, &problem) ||
      !StringMember(body, "programme", &info.programme, &problem) ||
      !StringMember(body, "axis", &info.axis, &problem) ||
      !StringMember(body, "initial_phase", &req->create.initial_phase, &problem))
    return problem;
  if (info.workflow.empty()) return MakeProblem(ProblemKind::kBadRequest, "'workflow' is required");
  if (auto it = body.find("partners"); it != body.end())
    if (auto partners_problem = ReadPartners(*it, &info.partners)) return partners_problem;
  if (auto it = body.find("members"); it != body.end())
    if (auto members_problem = ReadMembers(*it, &info.members)) return members_problem;
  if (auto it = body.find("planned_years"); it != body.end()) {
    if (!it->is_object()) return MakeProblem(ProblemKind::kBadRequest, "'planned_years' must map phase ids to years");
    for (const auto& [phase, year] : it->items()) {
      if (!year.is_number_integer() || year.get<int64_t>() < 1900 || year.get<int64_t>() > 9999)
        return MakeProblem(ProblemKind::kBadRequest, "'planned_years." + phase + "' must be a year from 1900 to 9999");
      info.planned_years[phase] = year.get<int>();
    }
  }
  if (auto it = body.find("fields"); it != body.end()) {
    if (!it->is_object()) return MakeProblem(ProblemKind::kBadRequest, "'fields' must be an object");
    req->create.fields = *it;
  }
  if (auto it = body.find("parent"); it != body.end() && !it->is_null()) {
    const char* shape =
        "'parent' must be {\"project\": <the parent's id>, \"children\": <a kind of children its workflow declares>}";
    if (!it->is_object()) return MakeProblem(ProblemKind::kBadRequest, shape);
    for (const auto& [key, value] : it->items())
      if ((key != "project" && key != "children") || !value.is_string() ||
          value.get_ref<const std::string&>().empty() || value.get_ref<const std::string&>().size() > kMaxTextBytes)
        return MakeProblem(ProblemKind::kBadRequest, shape);
    if (!it->contains("project") || !it->contains("children")) return MakeProblem(ProblemKind::kBadRequest, shape);
    info.parent.project = (*it)["project"].get<std::string>();
    info.parent.link = (*it)["children"].get<std::string>();
  }
  return std::nullopt;
}

std::optional<runtime::ProjectSort> ParseSort(std::string_view text) {
  if (text == "id") return runtime::ProjectSort::kId;
  if (text == "updated" || text == "-updated") return runtime::ProjectSort::kUpdatedDesc;
  if (text == "phase") return runtime::ProjectSort::kPhase;
  return std::nullopt;
}

// The members list of a body, or the problem with it.
std::optional<HttpResponse> ReadMembers(const Json& list, std::vector<runtime::ProjectMember>* out) {
  if (!list.is_array() || list.size() > kMaxListEntries)
    return MakeProblem(ProblemKind::kBadRequest, "'members' must be a list of {subject, role}");
  for (const Json& m : list) {
    if (!m.is_object() || !m.contains("subject") || !m["subject"].is_string() ||
        m["subject"].get_ref<const std::string&>().empty() || (m.contains("role") && !m["role"].is_string()))
      return MakeProblem(ProblemKind::kBadRequest, "'members' must be a list of {subject, role}");
    out->push_back({m["subject"].get<std::string>(), m.value("role", "")});
  }
  return std::nullopt;
}

// The partners list of a body, or the problem with it.
std::optional<HttpResponse> ReadPartners(const Json& list, std::vector<std::string>* out) {
  if (!list.is_array() || list.size() > kMaxListEntries)
    return MakeProblem(ProblemKind::kBadRequest, "'partners' must be a list of partner ids");
  for (const Json& p : list) {
    if (!p.is_string()) return MakeProblem(ProblemKind::kBadRequest, "'partners' must be a list of partner ids");
    out->push_back(p.get<std::string>());
  }
  return std::nullopt;
}

// The handlers of /v1/projects, one per route.
class ProjectHandlers {
 public:
  explicit ProjectHandlers(Api& api) : s_(api.services()), scopes_(api.scopes()), config_(api.config()) {}

  HttpResponse Create(const access::Principal& who, const HttpRequest& req, const RouteParams&);
  std::optional<HttpResponse> GetCached(const access::Principal& who, const HttpRequest& req,
                                        const RouteParams& params);
  HttpResponse Get(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse List(const access::Principal& who, const HttpRequest& req, const RouteParams&);
  HttpResponse PutMembers(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse PutPartners(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse Children(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  // An action's title, axis or planned years (coordinators, admins).
  HttpResponse Patch(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  // What the project may do next and what it lacks (workflow/next_steps.h).
  HttpResponse NextSteps(const access::Principal& who, const HttpRequest& req, const RouteParams& params);

 private:
  // Replaces a list of the project's info (members, partners): reads the
  // body's `member` list and runs the change, or answers the problem.
  using InfoChange = std::function<std::variant<HttpResponse, StatusOr<runtime::CommandOutcome>>(
      const std::string& id, const Json& list, std::optional<uint64_t> expected, const std::string& key)>;
  HttpResponse PutInfo(const access::Principal& who, const HttpRequest& req, const RouteParams& params,
                       const std::string& member, const InfoChange& change);

  // The project's state as a response, when who may read it.
  std::optional<HttpResponse> StateResponse(const access::Principal& who, const runtime::Project& project) const;

  ApiServices& s_;
  Scopes& scopes_;
  const ApiOptions& config_;
};

HttpResponse ProjectHandlers::Create(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
  if (who.IsReadOnly()) return Forbidden("observers may only read");
  Json body;
  if (auto problem = ReadJsonObject(req, config_.max_json_depth, &body)) return *problem;
  runtime::CreateRequest create;
  if (auto problem = ReadCreate(body, &create)) return *problem;
  if (!create.info.parent.empty()) {
    // A sub-item: whoever may record on the parent adds one, in its programme.
    auto parent = scopes_.ProjectVersion(who, create.info.parent.project, access::Verb::kRecord);
    if (!parent.ok()) return parent.problem();  // the runtime gives it the parent's programme
  } else if (auto refused = scopes_.CheckNewProject(who, create.info.programme)) {
    return *refused;
  }
  std::string key;
  if (auto problem = ReadIdempotencyKey(req, &key)) return *problem;
  create.actor = who.ToActor();
  create.idempotency_key = key;
  auto outcome = s_.projects.Create(std::move(create));
  if (!outcome.ok()) return CommandProblem(outcome.status());
  if (outcome->refusal) return RefusalProblem(*outcome->refusal, req);
  HttpResponse res = CommandResponse(*outcome, outcome->project_id);
  res.headers.Set("Location", "/v1/projects/" + outcome->project_id);
  return res;
}

std::optional<HttpResponse> ProjectHandlers::StateResponse(const access::Principal& who,
                                                           const runtime::Project& project) const {
  if (scopes_.CheckProject(who, project.info, access::Verb::kRead)) return std::nullopt;
  Json body = project.ToJson();
  const runtime::DefinitionLookup definitions = s_.projects.definitions();
  AddLateness(project, definitions, s_.clock.Now(), body);
  body["timers"] = runtime::ProjectTimersJson(definitions(project.info.workflow_hash), project.state);
  HttpResponse res = JsonResponse(200, body);
  res.headers.Set("ETag", "\"" + std::to_string(project.version) + "\"");
  return res;
}

// A cached project answers on the I/O thread; the rest goes to the pool.
std::optional<HttpResponse> ProjectHandlers::GetCached(const access::Principal& who, const HttpRequest&,
                                                       const RouteParams& params) {
  const std::string id = params.Get("id");
  std::optional<HttpResponse> res;
  bool needs_parent = false;
  if (!s_.projects.TryRead(id, [&](const runtime::Project& p) {
        // Seeing a sub-item may take reading its parent, perhaps from the
        // store: that is the pool's work, never the I/O thread's.
        needs_parent = p.info.inherit_visibility && !p.info.parent.empty();
        if (!needs_parent) res = StateResponse(who, p);
      }))
    return std::nullopt;
  if (needs_parent) return std::nullopt;
  if (!res) return ProjectNotFound(id);
  return res;
}

HttpResponse ProjectHandlers::Get(const access::Principal& who, const HttpRequest&, const RouteParams& params) {
  const std::string id = params.Get("id");
  std::optional<HttpResponse> res;
  Status found = s_.projects.Read(id, [&](const runtime::Project& p) { res = StateResponse(who, p); });
  if (!found.ok() && found.code() != StatusCode::kNotFound && found.code() != StatusCode::kInvalidArgument)
    return server::ProblemFromStatus(found);
  if (!res) return ProjectNotFound(id);
  return std::move(*res);
}

HttpResponse ProjectHandlers::NextSteps(const access::Principal& who, const HttpRequest&, const RouteParams& params) {
  const std::string id = params.Get("id");
  std::optional<runtime::Project> project;
  Status found = s_.projects.Read(id, [&](const runtime::Project& p) {
    if (!scopes_.CheckProject(who, p.info, access::Verb::kRead)) project = p;
  });
  if (!found.ok() && found.code() != StatusCode::kNotFound && found.code() != StatusCode::kInvalidArgument)
    return server::ProblemFromStatus(found);
  if (!project) return ProjectNotFound(id);
  const workflow::WorkflowDefinition* def = s_.projects.definitions()(project->info.workflow_hash);
  if (!def) return server::ProblemFromStatus(FailedPrecondition("project '" + id + "' runs on an unknown workflow"));
  Json children;
  if (!def->children.empty()) {
    auto counts = s_.projects.ChildCounts(id, *def);
    if (!counts.ok()) return server::ProblemFromStatus(counts.status());
    children = std::move(*counts);
  }
  const auto steps = workflow::NextSteps(*def, project->state, def->children.empty() ? nullptr : &children);
  Json body = workflow::NextStepsJson(*def, project->state, steps);
  body["project"] = id;
  body["version"] = project->version;
  return JsonResponse(200, body);
}

HttpResponse ProjectHandlers::List(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
  runtime::ProjectFilter filter;
  if (auto v = req.Query("phase")) filter.phase = std::string(*v);
  if (auto v = req.Query("axis")) filter.axis = std::string(*v);
  if (auto v = req.Query("partner")) filter.partner = std::string(*v);
  if (auto v = req.Query("workflow")) filter.workflow = std::string(*v);
  if (auto v = req.Query("programme")) filter.programme = std::string(*v);
  if (auto v = req.Query("late")) {
    if (*v != "true" && *v != "false")
      return MakeProblem(ProblemKind::kBadRequest, "query parameter 'late' must be true or false");
    filter.late = *v == "true";
  }
  runtime::ProjectSort sort = runtime::ProjectSort::kId;
  if (auto v = req.Query("sort")) {
    auto parsed = ParseSort(*v);
    if (!parsed) return MakeProblem(ProblemKind::kBadRequest, "query parameter 'sort' must be id, updated or phase");
    sort = *parsed;
  }
  auto offset = QueryUint(req, "offset", 0, std::numeric_limits<uint32_t>::max());
  if (offset.problem) return *offset.problem;
  auto limit = QueryUint(req, "limit", config_.default_page_size, config_.max_page_size);
  if (limit.problem) return *limit.problem;
  // Visibility is per caller, so the index's matches are filtered here
  // before paging; totals count only what the caller may see.
  runtime::ProjectPage all = s_.index.Query(filter, sort, 0, std::numeric_limits<size_t>::max(), s_.clock.Now());
  Json items = Json::array();
  size_t visible = 0;
  const runtime::DefinitionLookup definitions = s_.projects.definitions();
  for (const runtime::Project& p : all.projects) {
    if (scopes_.CheckProject(who, p.info, access::Verb::kRead)) continue;
    if (visible >= offset.value && items.size() < limit.value) {
      Json j = p.ToJson();
      AddLateness(p, definitions, s_.clock.Now(), j);
      items.push_back(std::move(j));
    }
    ++visible;
  }
  return JsonResponse(200, {{"projects", items},
                            {"total", visible},
                            {"offset", offset.value},
                            {"limit", limit.value},
                            {"index_position", s_.index.checkpoint()}});
}

HttpResponse ProjectHandlers::PutMembers(const access::Principal& who, const HttpRequest& req,
                                         const RouteParams& params) {
  return PutInfo(who, req, params, "members",
                 [&](const std::string& id, const Json& list, std::optional<uint64_t> expected,
                     const std::string& key) -> std::variant<HttpResponse, StatusOr<runtime::CommandOutcome>> {
                   std::vector<runtime::ProjectMember> members;
                   if (auto problem = ReadMembers(list, &members)) return *problem;
                   return s_.projects.ChangeMembers(id, std::move(members), who.ToActor(), expected, key);
                 });
}

HttpResponse ProjectHandlers::PutPartners(const access::Principal& who, const HttpRequest& req,
                                          const RouteParams& params) {
  return PutInfo(who, req, params, "partners",
                 [&](const std::string& id, const Json& list, std::optional<uint64_t> expected,
                     const std::string& key) -> std::variant<HttpResponse, StatusOr<runtime::CommandOutcome>> {
                   std::vector<std::string> partners;
                   if (auto problem = ReadPartners(list, &partners)) return *problem;
                   return s_.projects.ChangePartners(id, std::move(partners), who.ToActor(), expected, key);
                 });
}

HttpResponse ProjectHandlers::Patch(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
  const std::string id = params.Get("id");
  auto project = scopes_.ProjectVersion(who, id, access::Verb::kManage);
  if (!project.ok()) return project.problem();
  Json body;
  if (auto problem = ReadJsonObject(req, config_.max_json_depth, &body)) return *problem;
  runtime::ProjectDetails details;
  for (const auto& [key, value] : body.items()) {
    if (key == "title" || key == "axis") {
      if (!value.is_string() || value.get_ref<const std::string&>().empty() ||
          value.get_ref<const std::string&>().size() > kMaxTextBytes)
        return MakeProblem(ProblemKind::kBadRequest, "'" + key + "' must be a non-empty string of at most " +
                                                         std::to_string(kMaxTextBytes) + " bytes");
      (key == "title" ? details.title : details.axis) = value.get<std::string>();
    } else if (key == "planned_years") {
      if (!value.is_object())
        return MakeProblem(ProblemKind::kBadRequest, "'planned_years' must map phase keys to years");
      std::map<std::string, int> years;
      for (const auto& [phase, year] : value.items()) {
        if (!year.is_number_integer() || year.get<int64_t>() < 1900 || year.get<int64_t>() > 9999)
          return MakeProblem(ProblemKind::kBadRequest,
                             "'planned_years." + phase + "' must be a year from 1900 to 9999");
        years[phase] = year.get<int>();
      }
      details.planned_years = std::move(years);
    } else {
      return MakeProblem(ProblemKind::kBadRequest,
                         "unknown member '" + key + "'; an action's title, axis and planned_years may change");
    }
  }
  std::string key;
  if (auto problem = ReadIdempotencyKey(req, &key)) return *problem;
  std::optional<uint64_t> expected;
  if (auto problem = ReadIfMatch(req, &expected)) return *problem;
  auto outcome = s_.projects.ChangeDetails(id, std::move(details), who.ToActor(), expected, key);
  if (!outcome.ok()) return CommandFailure(outcome.status(), expected);
  return CommandResponse(*outcome, id);
}

HttpResponse ProjectHandlers::PutInfo(const access::Principal& who, const HttpRequest& req, const RouteParams& params,
                                      const std::string& member, const InfoChange& change) {
  const std::string id = params.Get("id");
  auto project = scopes_.ProjectVersion(who, id, access::Verb::kManage);
  if (!project.ok()) return project.problem();
  Json body;
  if (auto problem = ReadJsonObject(req, config_.max_json_depth, &body)) return *problem;
  auto list = body.find(member);
  if (list == body.end()) return MakeProblem(ProblemKind::kBadRequest, "the body needs '" + member + "'");
  std::string key;
  if (auto problem = ReadIdempotencyKey(req, &key)) return *problem;
  std::optional<uint64_t> expected;
  if (auto problem = ReadIfMatch(req, &expected)) return *problem;
  auto changed = change(id, *list, expected, key);
  if (auto* problem = std::get_if<HttpResponse>(&changed)) return std::move(*problem);
  auto& outcome = std::get<StatusOr<runtime::CommandOutcome>>(changed);
  if (!outcome.ok()) return CommandFailure(outcome.status(), expected);
  return CommandResponse(*outcome, id);
}

}  // namespace

// GET /v1/projects/{id}/children: the sub-items the caller may see, with the
// counts per kind and phase (over all of them, as the parent's guards read
// them) and the milestones of the children the caller may see (a child's
// title must not reach who may not see the child).
HttpResponse ProjectHandlers::Children(const access::Principal& who, const HttpRequest& req,
                                       const RouteParams& params) {
  const std::string id = params.Get("id");
  auto project = scopes_.ProjectVersion(who, id, access::Verb::kRead);
  if (!project.ok()) return project.problem();
  auto limit = QueryUint(req, "milestones", config_.default_page_size, config_.max_page_size);
  if (limit.problem) return *limit.problem;
  std::string hash;
  (void)s_.projects.Read(id, [&](const runtime::Project& p) { hash = p.info.workflow_hash; });
  const runtime::DefinitionLookup definitions = s_.projects.definitions();
  const workflow::WorkflowDefinition* def = definitions(hash);
  if (!def)
    return server::ProblemFromStatus(FailedPrecondition("project '" + id + "' runs on an unknown workflow version"));
  auto children = s_.projects.children().List(id);
  if (!children.ok()) return server::ProblemFromStatus(children.status());
  const Json counts = s_.projects.ChildCountsOf(*children, *def);
  Json items = Json::array();
  std::set<std::string> visible_ids;
  for (const runtime::ChildEntry& c : *children) {
    bool visible = false;
    Status read = s_.projects.Read(
        c.id, [&](const runtime::Project& p) { visible = !scopes_.CheckProject(who, p.info, access::Verb::kRead); });
    if (!read.ok() || !visible) continue;
    visible_ids.insert(c.id);
    const workflow::WorkflowDefinition* child_def = definitions(c.workflow_hash);
    const workflow::Phase* phase = child_def ? child_def->FindPhase(c.phase) : nullptr;
    Json labels = phase ? Json{{"fr", phase->labels.fr}, {"en", phase->labels.en}} : Json::object();
    items.push_back({{"id", c.id},
                     {"title", c.title},
                     {"children", c.link},
                     {"workflow", c.workflow},
                     {"phase", c.phase},
                     {"phase_labels", labels},
                     {"terminal", phase && phase->terminal}});
  }
  auto milestones = s_.projects.children().Milestones(id, limit.value);
  if (!milestones.ok()) return server::ProblemFromStatus(milestones.status());
  Json log = Json::array();
  for (const auto& m : *milestones)
    if (visible_ids.count(m.child)) log.push_back(m.ToJson());
  Json kinds = Json::array();
  for (const auto& k : def->children)
    kinds.push_back({{"id", k.id},
                     {"labels", {{"fr", k.labels.fr}, {"en", k.labels.en}}},
                     {"workflow", k.workflow},
                     {"visibility", k.inherit_visibility ? "parent" : "own"}});
  return JsonResponse(200, {{"kinds", kinds}, {"counts", counts}, {"children", items}, {"milestones", log}});
}

void AddProjectRoutes(RouteContext& ctx) {
  auto h = std::make_shared<ProjectHandlers>(ctx.api);
  ctx.router.AddRoute("POST", "/v1/projects", ctx.guarded(Handle(h, &ProjectHandlers::Create)));
  ctx.router.AddRoute("GET", "/v1/projects", ctx.guarded(Handle(h, &ProjectHandlers::List)));
  ctx.router.AddRoute("GET", "/v1/projects/{id}",
                      ctx.guarded_read(Handle(h, &ProjectHandlers::GetCached), Handle(h, &ProjectHandlers::Get)));
  ctx.router.AddRoute("PATCH", "/v1/projects/{id}", ctx.guarded(Handle(h, &ProjectHandlers::Patch)));
  ctx.router.AddRoute("PUT", "/v1/projects/{id}/members", ctx.guarded(Handle(h, &ProjectHandlers::PutMembers)));
  ctx.router.AddRoute("PUT", "/v1/projects/{id}/partners", ctx.guarded(Handle(h, &ProjectHandlers::PutPartners)));
  ctx.router.AddRoute("GET", "/v1/projects/{id}/children", ctx.guarded(Handle(h, &ProjectHandlers::Children)));
  ctx.router.AddRoute("GET", "/v1/projects/{id}/next-steps", ctx.guarded(Handle(h, &ProjectHandlers::NextSteps)));
}

}  // namespace relais::api
