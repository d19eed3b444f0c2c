// Request ids: every request the transport reads gets one, so a client, the
// access log, the error log and problem+json `instance` all name the same
// request. A sane incoming X-Request-Id (e.g. set by a proxy) is kept;
// anything else is replaced by a fresh UUID. docs/api.md, "Request ids".
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace relais::server {

inline constexpr std::string_view kRequestIdHeader = "X-Request-Id";
inline constexpr size_t kMaxRequestIdLength = 128;
// problem+json `instance` of a request: kProblemInstancePrefix + id.
inline constexpr std::string_view kProblemInstancePrefix = "urn:relais:request:";

// True if id has 1 to kMaxRequestIdLength characters, each of
// [A-Za-z0-9._:-] (safe in a header, a log line and a URN).
bool IsValidRequestId(std::string_view id);

// The id of a request whose X-Request-Id field is incoming (nullopt: absent):
// incoming itself if valid, else a new UUID.
std::string RequestIdFor(std::optional<std::string_view> incoming);

// "urn:relais:request:<id>", the `instance` of the problems of that request.
std::string ProblemInstance(std::string_view request_id);

}  // namespace relais::server
