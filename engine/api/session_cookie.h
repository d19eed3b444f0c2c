// The session cookie `relais_session` (docs/accounts.md): reading it from a
// request, and the Set-Cookie values that start and end it (HttpOnly,
// SameSite=Lax, Path=/, Secure when the server's public address is https).
// Also the client address that sign-in rate limits count.
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "engine/server/http_types.h"

namespace relais::api {

inline constexpr std::string_view kSessionCookie = "relais_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// The session id the request's Cookie field carries, if any.
std::optional<std::string> SessionCookieOf(const server::HttpRequest& request);
// The Set-Cookie value giving the browser session_id for max_age.
std::string SessionCookieValue(const std::string& session_id, std::chrono::seconds max_age, bool secure);
// The Set-Cookie value that removes it.
std::string ClearedSessionCookieValue(bool secure);
// The client's IP without the port ("127.0.0.1", "::1"); "" when unknown.
std::string ClientAddressOf(const server::HttpRequest& request);
// Whether a write made with a session cookie may go on: its X-CSRF-Token
// equals csrf_token, and its Origin field, when present, names the host of
// its Host field.
bool CsrfAllows(const server::HttpRequest& request, const std::string& csrf_token);
// GET, HEAD and OPTIONS change nothing (RFC 9110 safe methods).
bool IsSafeMethod(const std::string& method);

}  // namespace relais::api
