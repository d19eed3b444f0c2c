// RFC 3339 / ISO 8601 timestamps in UTC, to the microsecond.
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "engine/util/clock.h"
#include "engine/util/status.h"

namespace relais {

// "2026-11-23T17:51:20.123456Z"
std::string FormatIso8601(TimePoint t);

// Accepts "YYYY-MM-DDTHH:MM:SS[.ffffff](Z|+HH:MM|-HH:MM)".
StatusOr<TimePoint> ParseIso8601(std::string_view text);

}  // namespace relais
