// The API's request reading and error mapping on top of server/problem.h:
// JSON bodies read without ever throwing, workflow refusals as problems that
// say which rule refused and why, paging parameters checked.
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <optional>
#include <string>

#include "engine/server/http_types.h"
#include "engine/server/problem.h"
#include "engine/workflow/decision.h"

namespace relais::api {

// Reads a JSON object body: 415 unless Content-Type is JSON, 400 bad-json
// (with byte offset) if it does not parse, names a member twice (the key and
// its path), nests deeper than max_depth or
// holds a number out of range, 400 bad-request if it is not an object.
// Returns nullopt and fills *out on success.
std::optional<server::HttpResponse> ReadJsonObject(const server::HttpRequest& request, size_t max_depth, Json* out);

// A refusal as a problem: role_not_allowed is 403 forbidden, every other
// code 422 refused-by-workflow; both carry {code, reason, details}, and
// `messages` ({fr, en}) when the workflow file words the refusal. reason and
// detail are those words in the caller's language (language.h) when it
// names one, else the refusal's message.
server::HttpResponse RefusalProblem(const workflow::Refusal& refusal, const server::HttpRequest& request);

// 404 for a project the caller may not see, worded exactly as for one that
// does not exist, so its existence does not leak.
server::HttpResponse ProjectNotFound(const std::string& project_id);

server::HttpResponse Forbidden(std::string detail);

// A problem worded in French and English: detail in the caller's language
// (language.h; English when it names neither), and `messages` {fr, en}.
server::HttpResponse BilingualProblem(server::ProblemKind kind, const server::HttpRequest& request,
                                      const std::string& fr, const std::string& en);

// A failed project command, creation or members change as its problem: the
// idempotency refusals (runtime/idempotency.h) as 422 idempotency-key-reused
// and 409 idempotency-key-in-flight (Retry-After: 1), everything else as
// server::ProblemFromStatus. REQUIRES: !status.ok().
server::HttpResponse CommandProblem(const Status& status);
// 503: the server runs without programmes (a test harness, a tool).
server::HttpResponse ProgrammesOff();
// A command's failure: a version conflict (with the If-Match the caller sent,
// expected) as 409 version-conflict carrying the current version, anything
// else as CommandProblem.
server::HttpResponse CommandFailure(const Status& status, std::optional<uint64_t> expected);

// A non-negative integer query parameter, or fallback when absent; a 400
// problem when present but not a number in [0, max].
struct UintOrProblem {
  uint64_t value = 0;
  std::optional<server::HttpResponse> problem;
};
UintOrProblem QueryUint(const server::HttpRequest& request, std::string_view name, uint64_t fallback, uint64_t max);
// The same in [min, max].
UintOrProblem QueryUintFrom(const server::HttpRequest& request, std::string_view name, uint64_t fallback, uint64_t min,
                            uint64_t max);

}  // namespace relais::api
