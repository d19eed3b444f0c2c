// POST /v1/workflows/{name}/migrations: moves chosen projects of a workflow
// to its current version, mapping phases (docs/api.md, Workflows): a dry
// run first ("dry_run": true, the default) says, project by project, what
// would move and what would be refused; the same body without the dry run
// moves them. The checks are ProjectService::PlanMigration's and Migrate's
// (those of `relais migrate`). Coordinators and admins; each project must be
// one the caller may manage.
#include <limits>
#include <set>

#include "engine/api/api.h"
#include "engine/api/api_problems.h"

namespace relais::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::JsonResponse;
using server::MakeProblem;
using server::ProblemKind;
using server::RouteParams;

constexpr size_t kMaxProjectsNamed = 10'000;

struct MigrationRequest {
  std::optional<std::set<std::string>> projects;  // absent: every project on an older version
  std::map<std::string, std::string> mapping;
  bool dry_run = true;
};

std::optional<HttpResponse> ReadMigration(const Json& body, MigrationRequest* out) {
  for (const auto& [key, value] : body.items())
    if (key != "projects" && key != "phase_mapping" && key != "dry_run")
      return MakeProblem(ProblemKind::kBadRequest,
                         "unknown member '" + key + "'; expected projects, phase_mapping or dry_run");
  if (auto it = body.find("projects"); it != body.end() && !it->is_null()) {
    if (!it->is_array() || it->size() > kMaxProjectsNamed)
      return MakeProblem(ProblemKind::kBadRequest,
                         "'projects' must be a list of at most " + std::to_string(kMaxProjectsNamed) + " project ids");
    out->projects.emplace();
    for (const Json& id : *it) {
      if (!id.is_string()) return MakeProblem(ProblemKind::kBadRequest, "'projects' must list project ids (strings)");
      out->projects->insert(id.get<std::string>());
    }
  }
  if (auto it = body.find("phase_mapping"); it != body.end() && !it->is_null()) {
    if (!it->is_object())
      return MakeProblem(ProblemKind::kBadRequest, "'phase_mapping' must be an object {\"old phase\": \"new phase\"}");
    for (const auto& [from, to] : it->items()) {
      if (!to.is_string())
        return MakeProblem(ProblemKind::kBadRequest, "'phase_mapping." + from + "' must be a phase id (a string)");
      out->mapping[from] = to.get<std::string>();
    }
  }
  if (auto it = body.find("dry_run"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return MakeProblem(ProblemKind::kBadRequest, "'dry_run' must be true or false");
    out->dry_run = it->get<bool>();
  }
  return std::nullopt;
}

class MigrationHandlers {
 public:
  explicit MigrationHandlers(Api& api) : s_(api.services()), scopes_(api.scopes()), config_(api.config()) {}

  HttpResponse Migrate(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
    const access::Decision may = scopes_.authorizer().Decide(who, access::WorkflowResource{}, access::Verb::kManage);
    if (!may.may_act()) return Forbidden(may.reason);
    const std::string name = params.Get("name");
    const workflow::WorkflowDefinition* target = s_.registry.Current(name);
    if (!target) return MakeProblem(ProblemKind::kNotFound, "no workflow '" + name + "' is deployed");
    Json body;
    if (auto problem = ReadJsonObject(req, config_.max_json_depth, &body)) return *problem;
    MigrationRequest request;
    if (auto problem = ReadMigration(body, &request)) return *problem;

    // Named projects are read as they are now; "every project" comes from
    // the read model (which follows commits a moment behind).
    std::vector<runtime::Project> candidates;
    if (request.projects) {
      for (const std::string& id : *request.projects)
        (void)s_.projects.Read(id, [&](const runtime::Project& p) {
          if (p.info.workflow == name) candidates.push_back(p);
        });
    } else {
      runtime::ProjectFilter filter;
      filter.workflow = name;
      candidates =
          s_.index.Query(filter, runtime::ProjectSort::kId, 0, std::numeric_limits<size_t>::max(), s_.clock.Now())
              .projects;
    }
    Json results = Json::array();
    size_t moving = 0, refused = 0;
    std::set<std::string> seen;
    auto refuse = [&](const std::string& id, const std::string& why) {
      results.push_back({{"project", id}, {"outcome", "refused"}, {"message", why}});
      ++refused;
    };
    for (const runtime::Project& p : candidates) {
      if (scopes_.CheckProject(who, p.info, access::Verb::kRead)) continue;  // as if it did not exist
      seen.insert(p.info.id);
      Json r = {{"project", p.info.id}, {"title", p.info.title}, {"from", p.info.workflow_hash}};
      if (p.info.workflow_hash == target->content_hash) {
        r["outcome"] = "current";
        r["phase_before"] = r["phase_after"] = p.state.phase;
        results.push_back(std::move(r));
        continue;
      }
      if (scopes_.CheckProject(who, p.info, access::Verb::kManage)) {
        refuse(p.info.id, "you may read this action but not change its workflow");
        continue;
      }
      auto plan = s_.projects.PlanMigration(p.info.id, target->content_hash, request.mapping);
      if (!plan.ok()) {
        refuse(p.info.id, plan.status().message());
        continue;
      }
      r["phase_before"] = plan->phase_before;
      r["phase_after"] = plan->phase_after;
      if (!plan->keyed_tracks_text.empty()) r["keyed_tracks"] = plan->keyed_tracks_text;
      if (request.dry_run) {
        r["outcome"] = "would_move";
      } else {
        auto moved = s_.projects.Migrate(p.info.id, target->content_hash, request.mapping, who.ToActor());
        if (!moved.ok()) {
          refuse(p.info.id, moved.status().message());
          continue;
        }
        r["outcome"] = "moved";
        r["phase_after"] = moved->phase;
        r["version"] = moved->version;
      }
      ++moving;
      results.push_back(std::move(r));
    }
    if (request.projects)
      for (const std::string& id : *request.projects)
        if (!seen.count(id)) refuse(id, "no project '" + id + "' runs on workflow '" + name + "'");
    return JsonResponse(200, {{"workflow", name},
                              {"to", target->content_hash},
                              {"dry_run", request.dry_run},
                              {request.dry_run ? "would_move" : "moved", moving},
                              {"refused", refused},
                              {"results", results}});
  }

 private:
  ApiServices& s_;
  Scopes& scopes_;
  const ApiOptions& config_;
};

}  // namespace

void AddMigrationRoutes(RouteContext& ctx) {
  auto h = std::make_shared<MigrationHandlers>(ctx.api);
  ctx.router.AddRoute("POST", "/v1/workflows/{name}/migrations", ctx.guarded(Handle(h, &MigrationHandlers::Migrate)));
}

}  // namespace relais::api
