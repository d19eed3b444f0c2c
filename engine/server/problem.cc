#include "engine/server/problem.h"

#include <charconv>

#include "engine/server/request_id.h"

namespace relais::server {
namespace {

struct ProblemSpec {
  int status;
  std::string_view slug;
  std::string_view title;
};

ProblemSpec SpecOf(ProblemKind kind) {
  switch (kind) {
    case ProblemKind::kBadRequest: return {400, "bad-request", "Bad request"};
    case ProblemKind::kBadJson: return {400, "bad-json", "Malformed JSON"};
    case ProblemKind::kUnauthorized: return {401, "unauthorized", "Authentication required"};
    case ProblemKind::kForbidden: return {403, "forbidden", "Forbidden"};
    case ProblemKind::kNotFound: return {404, "not-found", "Not found"};
    case ProblemKind::kMethodNotAllowed: return {405, "method-not-allowed", "Method not allowed"};
    case ProblemKind::kVersionConflict: return {409, "version-conflict", "Version conflict"};
    case ProblemKind::kAlreadyExists: return {409, "already-exists", "Already exists"};
    case ProblemKind::kStateConflict: return {409, "state-conflict", "Not allowed in the current state"};
    case ProblemKind::kPayloadTooLarge: return {413, "payload-too-large", "Request body too large"};
    case ProblemKind::kUnsupportedMediaType: return {415, "unsupported-media-type", "Unsupported media type"};
    case ProblemKind::kValidationFailed: return {422, "validation-failed", "Validation failed"};
    case ProblemKind::kRefusedByWorkflow: return {422, "refused-by-workflow", "Refused by the workflow"};
    case ProblemKind::kIdempotencyKeyReused: return {422, "idempotency-key-reused", "Idempotency-Key reused"};
    case ProblemKind::kIdempotencyKeyInFlight: return {409, "idempotency-key-in-flight", "Idempotency-Key in flight"};
    case ProblemKind::kTooManyRequests: return {429, "too-many-requests", "Too many requests"};
    case ProblemKind::kHeadersTooLarge: return {431, "headers-too-large", "Request header fields too large"};
    case ProblemKind::kInternal: return {500, "internal", "Internal server error"};
    case ProblemKind::kNotImplemented: return {501, "not-implemented", "Not implemented"};
    case ProblemKind::kUnavailable: return {503, "unavailable", "Service unavailable"};
  }
  return {500, "internal", "Internal server error"};
}

// ParseJson reports "... at byte offset N ..."; recover N.
std::optional<uint64_t> ByteOffsetIn(std::string_view message) {
  constexpr std::string_view kMarker = "byte offset ";
  size_t pos = message.find(kMarker);
  if (pos == std::string_view::npos) return std::nullopt;
  const char* begin = message.data() + pos + kMarker.size();
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(begin, message.data() + message.size(), value);
  if (ec != std::errc() || ptr == begin) return std::nullopt;
  return value;
}

}  // namespace

std::string ProblemTypeUri(ProblemKind kind) { return std::string(kProblemTypeBase) + std::string(SpecOf(kind).slug); }
int ProblemStatus(ProblemKind kind) { return SpecOf(kind).status; }
std::string_view ProblemTitle(ProblemKind kind) { return SpecOf(kind).title; }

HttpResponse MakeProblem(ProblemKind kind, std::string detail, Json extensions, std::string instance) {
  ProblemSpec spec = SpecOf(kind);
  Json body = Json::object();
  if (extensions.is_object()) {
    for (auto it = extensions.begin(); it != extensions.end(); ++it) body[it.key()] = it.value();
  }
  body["type"] = ProblemTypeUri(kind);
  body["title"] = std::string(spec.title);
  body["status"] = spec.status;
  if (!detail.empty()) body["detail"] = std::move(detail);
  if (!instance.empty()) body["instance"] = std::move(instance);
  HttpResponse res;
  res.status = spec.status;
  res.body = DumpJson(body);
  res.content_type = std::string(kProblemContentType);
  return res;
}

void StampProblemInstance(HttpResponse& response, std::string_view request_id) {
  if (request_id.empty() || response.stream) return;
  std::string_view type = response.content_type;
  if (auto field = response.headers.Get("Content-Type")) type = *field;
  if (type.substr(0, kProblemContentType.size()) != kProblemContentType) return;
  StatusOr<Json> body = ParseJson(response.body);
  if (!body.ok() || !body->is_object()) return;
  (*body)["instance"] = ProblemInstance(request_id);
  response.body = DumpJson(*body);
}

HttpResponse BadJsonProblem(const Status& parse_error) {
  Json ext = Json::object();
  if (auto offset = ByteOffsetIn(parse_error.message())) ext["offset"] = *offset;
  return MakeProblem(ProblemKind::kBadJson, parse_error.message(), std::move(ext));
}

HttpResponse UnauthorizedProblem(std::string detail) {
  HttpResponse res = MakeProblem(ProblemKind::kUnauthorized, std::move(detail));
  res.headers.Set("WWW-Authenticate", "Bearer realm=\"relais\"");
  return res;
}

HttpResponse MethodNotAllowedProblem(const std::vector<std::string>& allowed_methods, std::string instance) {
  std::string allow;
  for (const std::string& m : allowed_methods) {
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
  HttpResponse res = MakeProblem(ProblemKind::kMethodNotAllowed, "allowed methods: " + allow,
                                 Json{{"allowed", allowed_methods}}, std::move(instance));
  res.headers.Set("Allow", allow);
  return res;
}

HttpResponse VersionConflictProblem(std::string detail, uint64_t current_version,
                                    std::optional<uint64_t> expected_version) {
  Json ext = {{"current_version", current_version}};
  if (expected_version) ext["expected_version"] = *expected_version;
  return MakeProblem(ProblemKind::kVersionConflict, std::move(detail), std::move(ext));
}

HttpResponse PayloadTooLargeProblem(uint64_t limit_bytes) {
  return MakeProblem(ProblemKind::kPayloadTooLarge,
                     "the request body exceeds the limit of " + std::to_string(limit_bytes) + " bytes",
                     Json{{"limit_bytes", limit_bytes}});
}

HttpResponse HeadersTooLargeProblem(uint64_t limit_bytes) {
  return MakeProblem(ProblemKind::kHeadersTooLarge,
                     "the request line and header fields exceed the limit of " + std::to_string(limit_bytes) + " bytes",
                     Json{{"limit_bytes", limit_bytes}});
}

HttpResponse ValidationProblem(std::string detail, Json errors) {
  return MakeProblem(ProblemKind::kValidationFailed, std::move(detail), Json{{"errors", std::move(errors)}});
}

HttpResponse TooManyRequestsProblem(std::string detail, int retry_after_seconds) {
  HttpResponse res = MakeProblem(ProblemKind::kTooManyRequests, std::move(detail));
  res.headers.Set("Retry-After", std::to_string(retry_after_seconds));
  return res;
}

HttpResponse UnavailableProblem(std::string detail, std::optional<int> retry_after_seconds) {
  HttpResponse res = MakeProblem(ProblemKind::kUnavailable, std::move(detail));
  if (retry_after_seconds) res.headers.Set("Retry-After", std::to_string(*retry_after_seconds));
  return res;
}

HttpResponse ProblemFromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kInternal:
    case StatusCode::kCorruption: {
      HttpResponse res = MakeProblem(ProblemKind::kInternal, "the server could not complete the request");
      res.log_cause = status.ToString();
      return res;
    }
    case StatusCode::kInvalidArgument: return MakeProblem(ProblemKind::kBadRequest, status.message());
    case StatusCode::kNotFound: return MakeProblem(ProblemKind::kNotFound, status.message());
    case StatusCode::kAlreadyExists: return MakeProblem(ProblemKind::kAlreadyExists, status.message());
    case StatusCode::kVersionConflict:
      if (status.actual_version()) return VersionConflictProblem(status.message(), *status.actual_version());
      return MakeProblem(ProblemKind::kVersionConflict, status.message());
    case StatusCode::kFailedPrecondition: return MakeProblem(ProblemKind::kStateConflict, status.message());
    case StatusCode::kPermissionDenied: return MakeProblem(ProblemKind::kForbidden, status.message());
    case StatusCode::kResourceExhausted: return TooManyRequestsProblem(status.message(), 1);
    case StatusCode::kUnavailable: return UnavailableProblem(status.message(), 1);
  }
  HttpResponse res = MakeProblem(ProblemKind::kInternal, "the server could not complete the request");
  res.log_cause = status.ToString();
  return res;
}

std::optional<HttpResponse> ReadJsonBody(const HttpRequest& request, Json* out, size_t max_depth) {
  auto content_type = request.headers.Get("Content-Type");
  if (!content_type || !IsJsonMediaType(*content_type)) {
    return MakeProblem(ProblemKind::kUnsupportedMediaType, "the request body must be application/json");
  }
  StatusOr<Json> parsed = ParseJsonStrict(request.body, max_depth);
  if (!parsed.ok()) return BadJsonProblem(parsed.status());
  *out = std::move(parsed).value();
  return std::nullopt;
}

}  // namespace relais::server
