// The response shared by project creation and commands, built only from
// what the first outcome appended, so that re-sending the same
// Idempotency-Key gets the same body (and the Idempotent-Replayed header).
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <optional>
#include <string>

#include "engine/runtime/project_service.h"
#include "engine/server/http_types.h"

namespace relais::api {

inline constexpr size_t kMaxIdempotencyKeyBytes = 200;

// 201 {project_id, version, events}; ETag is the version after the append.
server::HttpResponse CommandResponse(const runtime::CommandOutcome& outcome, const std::string& project_id);

// The Idempotency-Key header into *key ("" when absent); a 400 problem when
// it is empty, too long or not visible ASCII.
std::optional<server::HttpResponse> ReadIdempotencyKey(const server::HttpRequest& request, std::string* key);

// If-Match: "7", W/"7" or 7 into *version (nullopt when absent); a 400
// problem when malformed.
std::optional<server::HttpResponse> ReadIfMatch(const server::HttpRequest& request, std::optional<uint64_t>* version);

}  // namespace relais::api
