// /v1/workflows: list, get (with source), validate, deploy.
#include <algorithm>

#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/definition_diff.h"
#include "engine/workflow/loader.h"

namespace relais::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::JsonResponse;
using server::MakeProblem;
using server::ProblemKind;
using server::RouteParams;

// The file's name without its directories: where the server keeps its files
// is not the API's business (a workflow deployed from a directory at start
// was loaded from its path).
std::string BaseName(const std::string& file_name) {
  const size_t slash = file_name.find_last_of("/\\");
  return slash == std::string::npos ? file_name : file_name.substr(slash + 1);
}

Json Summary(const workflow::WorkflowDefinition& def) {
  return {{"name", def.name},         {"version", def.version},
          {"hash", def.content_hash}, {"file_name", BaseName(def.file_name)},
          {"phases", def.PhaseIds()}, {"events", def.EventTypes()},
          {"roles", def.roles}};
}

Json DiagnosticsJson(const workflow::Diagnostics& diagnostics) {
  Json list = Json::array();
  for (const workflow::Diagnostic& d : diagnostics.items()) {
    list.push_back({{"severity", d.severity == workflow::Severity::kError ? "error" : "warning"},
                    {"file", BaseName(d.file)},
                    {"line", d.location.line},
                    {"column", d.location.column},
                    {"code", d.code},
                    {"message", d.message},
                    {"found", d.found},
                    {"expected", d.expected},
                    {"hint", d.hint},
                    {"text", d.ToString()}});
  }
  return list;
}

bool IsYamlMediaType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  for (std::string_view t : {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"})
    if (server::EqualsIgnoreCase(media, t)) return true;
  return false;
}

struct WorkflowSource {
  std::string text;
  std::string file_name = "workflow.yaml";
};

// A workflow file is sent as itself (YAML media types) or as JSON
// {"source": "...", "file_name": "..."}.
std::optional<HttpResponse> ReadWorkflowSource(const HttpRequest& request, size_t max_depth, WorkflowSource* out) {
  auto content_type = request.Header("Content-Type");
  if (content_type && IsYamlMediaType(*content_type)) {
    out->text = request.body;
    if (auto name = request.Query("file_name")) out->file_name = std::string(*name);
    return std::nullopt;
  }
  Json body;
  if (auto problem = ReadJsonObject(request, max_depth, &body)) {
    if (problem->status == 415)
      return MakeProblem(ProblemKind::kUnsupportedMediaType,
                         "send the workflow file as application/yaml, or JSON {\"source\": ...}");
    return problem;
  }
  auto source = body.find("source");
  if (source == body.end() || !source->is_string())
    return MakeProblem(ProblemKind::kBadRequest, "the body needs a string member 'source'");
  out->text = source->get<std::string>();
  if (auto name = body.find("file_name"); name != body.end() && name->is_string())
    out->file_name = name->get<std::string>();
  return std::nullopt;
}

// The handlers of /v1/workflows, one per route.
class WorkflowHandlers {
 public:
  explicit WorkflowHandlers(Api& api)
      : registry_(api.services().registry), scopes_(api.scopes()), depth_(api.config().max_json_depth) {}

  HttpResponse List(const access::Principal& who, const HttpRequest& req, const RouteParams&);
  HttpResponse Get(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse Validate(const access::Principal& who, const HttpRequest& req, const RouteParams&);
  HttpResponse Deploy(const access::Principal& who, const HttpRequest& req, const RouteParams&);

 private:
  std::optional<HttpResponse> Check(const access::Principal& who, access::Verb verb) const {
    const access::Decision d = scopes_.authorizer().Decide(who, access::WorkflowResource{}, verb);
    return d.may_act() ? std::nullopt : std::optional<HttpResponse>(Forbidden(d.reason));
  }

  runtime::WorkflowRegistry& registry_;
  Scopes& scopes_;
  const size_t depth_;
};

HttpResponse WorkflowHandlers::List(const access::Principal& who, const HttpRequest&, const RouteParams&) {
  if (auto refused = Check(who, access::Verb::kRead)) return *refused;
  Json list = Json::array();
  for (const auto* def : registry_.ListCurrent()) list.push_back(Summary(*def));
  return JsonResponse(200, Json::object({{"workflows", list}}));
}

HttpResponse WorkflowHandlers::Get(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
  if (auto refused = Check(who, access::Verb::kRead)) return *refused;
  const std::string name = params.Get("name");
  const workflow::WorkflowDefinition* def = registry_.Current(name);
  if (auto hash = req.Query("hash")) {
    if (hash->size() != 64 || hash->find_first_not_of("0123456789abcdef") != std::string_view::npos)
      return MakeProblem(ProblemKind::kBadRequest, "query parameter 'hash' must be 64 lower-case hex digits");
    def = registry_.ByHash(std::string(*hash));
    if (def && def->name != name) def = nullptr;
  }
  if (!def) return MakeProblem(ProblemKind::kNotFound, "no workflow '" + name + "' (at that version) is deployed");
  Json body = Summary(*def);
  body["current"] = registry_.Current(name) == def;
  body["source"] = registry_.SourceOf(def->content_hash);
  // The structure (labels, phases, events with their schemas, transitions),
  // so a client draws and drives the workflow without parsing YAML.
  body["definition"] = workflow::CanonicalJson(*def);
  return JsonResponse(200, body);
}

HttpResponse WorkflowHandlers::Validate(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
  if (auto refused = Check(who, access::Verb::kManage)) return *refused;
  WorkflowSource source;
  if (auto problem = ReadWorkflowSource(req, depth_, &source)) return *problem;
  workflow::LoadResult loaded = workflow::LoadWorkflowWithDiagnostics(source.text, source.file_name);
  Json body = {{"valid", !loaded.diagnostics.has_errors()},
               {"errors", loaded.diagnostics.error_count()},
               {"warnings", loaded.diagnostics.warning_count()},
               {"diagnostics", DiagnosticsJson(loaded.diagnostics)}};
  if (loaded.definition) {
    body["workflow"] = Summary(*loaded.definition);
    // What deploying it would change against the version deployed now.
    if (const workflow::WorkflowDefinition* current = registry_.Current(loaded.definition->name))
      body["changes"] = workflow::DefinitionDiff(*current, *loaded.definition);
  }
  return JsonResponse(200, body);
}

HttpResponse WorkflowHandlers::Deploy(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
  if (auto refused = Check(who, access::Verb::kManage)) return *refused;
  WorkflowSource source;
  if (auto problem = ReadWorkflowSource(req, depth_, &source)) return *problem;
  // Loaded once here for structured diagnostics; Deploy loads it again
  // (it is the one that persists), which costs little next to a deploy.
  workflow::LoadResult loaded = workflow::LoadWorkflowWithDiagnostics(source.text, source.file_name);
  if (loaded.diagnostics.has_errors())
    return server::ValidationProblem(
        "the workflow file has " + std::to_string(loaded.diagnostics.error_count()) + " error(s)",
        DiagnosticsJson(loaded.diagnostics));
  auto deployed = registry_.Deploy(source.text, source.file_name);
  if (!deployed.ok()) return server::ProblemFromStatus(deployed.status());
  Json body = Summary(*deployed->definition);
  body["is_new"] = deployed->is_new;
  body["diagnostics"] = DiagnosticsJson(deployed->diagnostics);
  HttpResponse res = JsonResponse(deployed->is_new ? 201 : 200, body);
  res.headers.Set("Location",
                  "/v1/workflows/" + deployed->definition->name + "?hash=" + deployed->definition->content_hash);
  return res;
}

}  // namespace

void AddWorkflowRoutes(RouteContext& ctx) {
  auto h = std::make_shared<WorkflowHandlers>(ctx.api);
  ctx.router.AddRoute("GET", "/v1/workflows", ctx.guarded(Handle(h, &WorkflowHandlers::List)));
  ctx.router.AddRoute("GET", "/v1/workflows/{name}", ctx.guarded(Handle(h, &WorkflowHandlers::Get)));
  ctx.router.AddRoute("POST", "/v1/workflows/validate", ctx.guarded(Handle(h, &WorkflowHandlers::Validate)));
  ctx.router.AddRoute("POST", "/v1/workflows", ctx.guarded(Handle(h, &WorkflowHandlers::Deploy)));
}

}  // namespace relais::api
