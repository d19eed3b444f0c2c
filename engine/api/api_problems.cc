#include "engine/api/api_problems.h"

#include <charconv>

#include "engine/api/language.h"
#include "engine/runtime/idempotency.h"
#include "engine/util/json.h"

namespace relais::api {

using server::HttpResponse;
using server::MakeProblem;
using server::ProblemKind;

std::optional<HttpResponse> ReadJsonObject(const server::HttpRequest& request, size_t max_depth, Json* out) {
  auto content_type = request.Header("Content-Type");
  if (!content_type || !server::IsJsonMediaType(*content_type))
    return MakeProblem(ProblemKind::kUnsupportedMediaType, "the request body must be application/json");
  StatusOr<Json> parsed = InvalidArgument("unparsed");
  try {
    parsed = ParseJsonStrict(request.body, max_depth);
  } catch (const Json::exception& e) {
    // nlohmann reports a number too large for a double (1e999) as
    // out_of_range rather than a parse error.
    return MakeProblem(ProblemKind::kBadJson, std::string("invalid JSON: ") + e.what());
  }
  if (!parsed.ok()) return server::BadJsonProblem(parsed.status());
  if (!parsed->is_object()) return MakeProblem(ProblemKind::kBadRequest, "the request body must be a JSON object");
  *out = std::move(parsed).value();
  return std::nullopt;
}

HttpResponse RefusalProblem(const workflow::Refusal& refusal, const server::HttpRequest& request) {
  const std::string lang = refusal.messages.empty() ? "" : PreferredLanguage(request);
  const std::string reason = lang.empty() ? refusal.message : refusal.messages.In(lang);
  Json ext = {
      {"code", std::string(workflow::RefusalCodeName(refusal.code))}, {"reason", reason}, {"details", refusal.details}};
  if (!refusal.messages.empty()) ext["messages"] = refusal.messages.ToJson();
  if (refusal.code == workflow::RefusalCode::kRoleNotAllowed)
    return MakeProblem(ProblemKind::kForbidden, reason, std::move(ext));
  return MakeProblem(ProblemKind::kRefusedByWorkflow, reason, std::move(ext));
}

HttpResponse ProjectNotFound(const std::string& project_id) {
  return MakeProblem(ProblemKind::kNotFound, "project '" + project_id + "' does not exist");
}

HttpResponse Forbidden(std::string detail) { return MakeProblem(ProblemKind::kForbidden, std::move(detail)); }

HttpResponse BilingualProblem(ProblemKind kind, const server::HttpRequest& request, const std::string& fr,
                              const std::string& en) {
  return MakeProblem(kind, PreferredLanguage(request) == "fr" ? fr : en, Json{{"messages", {{"fr", fr}, {"en", en}}}});
}

HttpResponse CommandFailure(const Status& status, std::optional<uint64_t> expected) {
  if (status.code() == StatusCode::kVersionConflict && status.actual_version())
    return server::VersionConflictProblem(status.message(), *status.actual_version(), expected);
  return CommandProblem(status);
}

HttpResponse ProgrammesOff() { return server::UnavailableProblem("programmes are not enabled on this server", 60); }

HttpResponse CommandProblem(const Status& status) {
  switch (runtime::IdempotencyFaultOf(status)) {
    case runtime::IdempotencyFault::kReused: return MakeProblem(ProblemKind::kIdempotencyKeyReused, status.message());
    case runtime::IdempotencyFault::kInFlight: {
      HttpResponse res = MakeProblem(ProblemKind::kIdempotencyKeyInFlight, status.message());
      res.headers.Set("Retry-After", "1");
      return res;
    }
    case runtime::IdempotencyFault::kNone: break;
  }
  return server::ProblemFromStatus(status);
}

UintOrProblem QueryUint(const server::HttpRequest& request, std::string_view name, uint64_t fallback, uint64_t max) {
  return QueryUintFrom(request, name, fallback, 0, max);
}

UintOrProblem QueryUintFrom(const server::HttpRequest& request, std::string_view name, uint64_t fallback, uint64_t min,
                            uint64_t max) {
  UintOrProblem r;
  auto text = request.Query(name);
  if (!text) {
    r.value = fallback;
    return r;
  }
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (text->empty() || ec != std::errc() || ptr != text->data() + text->size() || v < min || v > max) {
    r.problem =
        MakeProblem(ProblemKind::kBadRequest, "query parameter '" + std::string(name) + "' must be an integer from " +
                                                  std::to_string(min) + " to " + std::to_string(max));
    return r;
  }
  r.value = v;
  return r;
}

}  // namespace relais::api
