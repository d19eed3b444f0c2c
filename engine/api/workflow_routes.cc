// /v1/workflows: list, get (with source), validate, deploy.
#include <algorithm>

#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/loader.h"

namespace relais::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::JsonResponse;
using server::MakeProblem;
using server::ProblemKind;
using server::RouteParams;

Json Summary(const workflow::WorkflowDefinition& def) {
  return {{"name", def.name},
          {"version", def.version},
          {"hash", def.content_hash},
          {"file_name", def.file_name},
          {"phases", def.PhaseIds()},
          {"events", def.EventTypes()},
          {"roles", def.roles}};
}

Json DiagnosticsJson(const workflow::Diagnostics& diagnostics) {
  Json list = Json::array();
  for (const workflow::Diagnostic& d : diagnostics.items()) {
    list.push_back({{"severity", d.severity == workflow::Severity::kError ? "error" : "warning"},
                    {"file", d.file},
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
  if (auto name = body.find("file_name"); name != body.end() && name->is_string()) out->file_name = name->get<std::string>();
  return std::nullopt;
}

}  // namespace

void AddWorkflowRoutes(RouteContext& ctx) {
  Api& api = ctx.api;
  runtime::WorkflowRegistry& registry = api.services().registry;
  const size_t depth = api.config().max_json_depth;

  ctx.router.AddRoute("GET", "/v1/workflows", ctx.guarded([&registry](const Principal&, const HttpRequest&,
                                                                          const RouteParams&) {
    Json list = Json::array();
    for (const auto* def : registry.ListCurrent()) list.push_back(Summary(*def));
    return JsonResponse(200, Json::object({{"workflows", list}}));
  }));

  ctx.router.AddRoute("GET", "/v1/workflows/{name}", ctx.guarded([&registry](const Principal&, const HttpRequest& req,
                                                                                 const RouteParams& params) {
    const std::string name = params.Get("name");
    const workflow::WorkflowDefinition* def = registry.Current(name);
    if (auto hash = req.Query("hash")) {
      def = registry.ByHash(std::string(*hash));
      if (def && def->name != name) def = nullptr;
    }
    if (!def) return MakeProblem(ProblemKind::kNotFound, "no workflow '" + name + "' (at that version) is deployed");
    Json body = Summary(*def);
    body["current"] = registry.Current(name) == def;
    body["source"] = registry.SourceOf(def->content_hash);
    // The structure (labels, phases, events with their schemas, transitions),
    // so a client draws and drives the workflow without parsing YAML.
    body["definition"] = workflow::CanonicalJson(*def);
    return JsonResponse(200, body);
  }));

  ctx.router.AddRoute("POST", "/v1/workflows/validate", ctx.guarded([depth](const Principal& who, const HttpRequest& req,
                                                                             const RouteParams&) {
    if (!who.IsManager()) return Forbidden("only coordinators and admins validate workflow files");
    WorkflowSource source;
    if (auto problem = ReadWorkflowSource(req, depth, &source)) return *problem;
    workflow::LoadResult loaded = workflow::LoadWorkflowWithDiagnostics(source.text, source.file_name);
    Json body = {{"valid", !loaded.diagnostics.has_errors()},
                 {"errors", loaded.diagnostics.error_count()},
                 {"warnings", loaded.diagnostics.warning_count()},
                 {"diagnostics", DiagnosticsJson(loaded.diagnostics)}};
    if (loaded.definition) body["workflow"] = Summary(*loaded.definition);
    return JsonResponse(200, body);
  }));

  ctx.router.AddRoute("POST", "/v1/workflows", ctx.guarded([depth, &registry](const Principal& who,
                                                                               const HttpRequest& req,
                                                                               const RouteParams&) {
    if (!who.IsManager()) return Forbidden("only coordinators and admins deploy workflows");
    WorkflowSource source;
    if (auto problem = ReadWorkflowSource(req, depth, &source)) return *problem;
    // Loaded once here for structured diagnostics; Deploy loads it again
    // (it is the one that persists), which costs little next to a deploy.
    workflow::LoadResult loaded = workflow::LoadWorkflowWithDiagnostics(source.text, source.file_name);
    if (loaded.diagnostics.has_errors())
      return server::ValidationProblem("the workflow file has " + std::to_string(loaded.diagnostics.error_count()) +
                                           " error(s)",
                                       DiagnosticsJson(loaded.diagnostics));
    auto deployed = registry.Deploy(source.text, source.file_name);
    if (!deployed.ok()) return server::ProblemFromStatus(deployed.status());
    Json body = Summary(*deployed->definition);
    body["is_new"] = deployed->is_new;
    body["diagnostics"] = DiagnosticsJson(deployed->diagnostics);
    HttpResponse res = JsonResponse(deployed->is_new ? 201 : 200, body);
    res.headers.Set("Location", "/v1/workflows/" + deployed->definition->name + "?hash=" +
                                    deployed->definition->content_hash);
    return res;
  }));
}

}  // namespace relais::api
