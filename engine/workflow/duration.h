// Calendar durations for workflow timers, in the ISO 8601 syntax
// "PnYnMnWnDTnHnMnS" with whole numbers (P12M, P30D, PT2H, P1Y6M).
// Months and years are calendar units: adding P1M to 31 January gives
// 28/29 February (the day is clamped to the end of the month).
//
// Thread-safety: plain values and stateless functions.
#pragma once

#include <string>
#include <string_view>

#include "engine/util/clock.h"
#include "engine/util/status.h"
#include "engine/workflow/limits.h"

namespace relais::workflow {

struct IsoDuration {
  int years = 0, months = 0, weeks = 0, days = 0;
  int hours = 0, minutes = 0, seconds = 0;

  bool IsZero() const {
    return years == 0 && months == 0 && weeks == 0 && days == 0 && hours == 0 && minutes == 0 && seconds == 0;
  }
  // Canonical form: "P1Y6M", "PT2H", "P0D" for zero.
  std::string ToString() const;
  friend bool operator==(const IsoDuration&, const IsoDuration&) = default;
};

// Parses "P12M", "P1Y2M10DT2H30M", "P2W". Returns kInvalidArgument with the
// 0-based offset of the first bad character, for anything else (fractions,
// negative values, empty "P", "T" without a time component, a unit twice).
StatusOr<IsoDuration> ParseIsoDuration(std::string_view text, const WorkflowLimits& limits = DefaultLimits());

// `start` + `d` on the UTC calendar (years and months first, then the rest).
TimePoint AddDuration(TimePoint start, const IsoDuration& d);

// A date "YYYY-MM-DD" as midnight UTC. kInvalidArgument when not a real date.
StatusOr<TimePoint> ParseDate(std::string_view text);

}  // namespace relais::workflow
