// RFC 9457 problem details (application/problem+json): the one shape of every
// HTTP error Relais returns. Each kind of error has a stable type URI under
// kProblemTypeBase that clients may switch on; title is fixed per kind, detail
// says what happened this time.
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/server/http_types.h"
#include "engine/util/json.h"
#include "engine/util/status.h"

namespace relais::server {

inline constexpr std::string_view kProblemTypeBase = "https://relais.dev/problems/";
inline constexpr std::string_view kProblemContentType = "application/problem+json";

enum class ProblemKind {
  kBadRequest,              // 400 bad-request
  kBadJson,                 // 400 bad-json (extension: offset)
  kUnauthorized,            // 401 unauthorized (WWW-Authenticate: Bearer)
  kForbidden,               // 403 forbidden
  kNotFound,                // 404 not-found
  kMethodNotAllowed,        // 405 method-not-allowed (Allow header, extension: allowed)
  kVersionConflict,         // 409 version-conflict (extension: current_version)
  kAlreadyExists,           // 409 already-exists
  kStateConflict,           // 409 state-conflict (failed precondition)
  kPayloadTooLarge,         // 413 payload-too-large (extension: limit_bytes)
  kUnsupportedMediaType,    // 415 unsupported-media-type
  kValidationFailed,        // 422 validation-failed (extension: errors)
  kRefusedByWorkflow,       // 422 refused-by-workflow (extensions: code, rule details)
  kIdempotencyKeyReused,    // 422 idempotency-key-reused (the key was used for another request)
  kIdempotencyKeyInFlight,  // 409 idempotency-key-in-flight (its first request still runs)
  kTooManyRequests,         // 429 too-many-requests (Retry-After)
  kHeadersTooLarge,         // 431 headers-too-large (extension: limit_bytes)
  kInternal,                // 500 internal
  kNotImplemented,          // 501 not-implemented (e.g. a transfer coding other than chunked)
  kUnavailable,             // 503 unavailable (Retry-After)
};

// "https://relais.dev/problems/version-conflict"
std::string ProblemTypeUri(ProblemKind kind);
int ProblemStatus(ProblemKind kind);
std::string_view ProblemTitle(ProblemKind kind);

// A problem+json response. extensions must be a JSON object (or null); its
// members are added beside type/title/status/detail/instance, never over them.
HttpResponse MakeProblem(ProblemKind kind, std::string detail, Json extensions = nullptr, std::string instance = "");

// Sets the `instance` member of a problem+json response to
// ProblemInstance(request_id) (request_id.h), replacing any other value, so
// every problem names the request it answers. Leaves other responses, and
// problem bodies that are not a JSON object, unchanged.
void StampProblemInstance(HttpResponse& response, std::string_view request_id);

// Helpers for the kinds that carry more than a detail.
// parse_error is ParseJson's failure; its byte offset becomes "offset".
HttpResponse BadJsonProblem(const Status& parse_error);
HttpResponse UnauthorizedProblem(std::string detail);
HttpResponse MethodNotAllowedProblem(const std::vector<std::string>& allowed_methods, std::string instance = "");
HttpResponse VersionConflictProblem(std::string detail, uint64_t current_version,
                                    std::optional<uint64_t> expected_version = std::nullopt);
HttpResponse PayloadTooLargeProblem(uint64_t limit_bytes);
HttpResponse HeadersTooLargeProblem(uint64_t limit_bytes);
HttpResponse ValidationProblem(std::string detail, Json errors = Json::array());
HttpResponse TooManyRequestsProblem(std::string detail, int retry_after_seconds);
HttpResponse UnavailableProblem(std::string detail, std::optional<int> retry_after_seconds = std::nullopt);

// Maps a failed Status to its problem: kInvalidArgument 400, kNotFound 404,
// kAlreadyExists 409, kVersionConflict 409 (with current_version when the
// Status carries it), kFailedPrecondition 409, kPermissionDenied 403,
// kResourceExhausted 429, kUnavailable 503, kCorruption and kInternal 500 with a
// generic detail (internal messages are not shown to clients; the Status goes
// to log_cause, which the transport logs).
// REQUIRES: !status.ok().
HttpResponse ProblemFromStatus(const Status& status);

// Reads a JSON request body: 415 unless Content-Type is JSON, 400 bad-json
// (with offset) if it does not parse. Returns nullopt and fills *out on success.
std::optional<HttpResponse> ReadJsonBody(const HttpRequest& request, Json* out, size_t max_depth = 64);

}  // namespace relais::server
