// ParseRetryAfter: the delay a 429 or 503 response asks for in its
// Retry-After field (RFC 9110 §10.2.3): either delay-seconds ("120") or an
// HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", IMF-fixdate), read against
// now. A date in the past is a delay of zero.
//
// Thread-safety: a pure function.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace relais::plugins::webhook {

// nullopt when the value is neither form (the retry schedule then applies).
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace relais::plugins::webhook
