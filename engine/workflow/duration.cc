#include "engine/workflow/duration.h"

#include <chrono>

namespace relais::workflow {

std::string IsoDuration::ToString() const {
  if (IsZero()) return "P0D";
  std::string out = "P";
  auto part = [&](int v, char unit) {
    if (v != 0) out += std::to_string(v) + unit;
  };
  part(years, 'Y');
  part(months, 'M');
  part(weeks, 'W');
  part(days, 'D');
  if (hours != 0 || minutes != 0 || seconds != 0) {
    out += 'T';
    part(hours, 'H');
    part(minutes, 'M');
    part(seconds, 'S');
  }
  return out;
}

StatusOr<IsoDuration> ParseIsoDuration(std::string_view text, const WorkflowLimits& limits) {
  auto fail = [&](size_t at, const std::string& why) {
    return InvalidArgument("bad duration '" + std::string(text) + "' at offset " + std::to_string(at) + ": " + why);
  };
  if (text.empty() || text[0] != 'P') return fail(0, "a duration starts with 'P' (e.g. P12M, P30D, PT2H)");
  IsoDuration d;
  bool in_time = false;
  bool any = false;
  bool any_time = false;
  // Units must appear in this order: Y M W D, then after T: H M S.
  int last_rank = -1;
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return fail(i, "'T' appears twice");
      in_time = true;
      ++i;
      continue;
    }
    size_t start = i;
    int64_t value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      if (value > limits.max_duration_component)
        return fail(start, "number larger than " + std::to_string(limits.max_duration_component));
      ++i;
    }
    if (i == start) return fail(i, "expected a whole number");
    if (i >= text.size()) return fail(i, "number without a unit");
    char unit = text[i];
    int rank = -1;
    int* field = nullptr;
    if (!in_time) {
      switch (unit) {
        case 'Y':
          rank = 0;
          field = &d.years;
          break;
        case 'M':
          rank = 1;
          field = &d.months;
          break;
        case 'W':
          rank = 2;
          field = &d.weeks;
          break;
        case 'D':
          rank = 3;
          field = &d.days;
          break;
        default: return fail(i, "expected a date unit Y, M, W or D (time units need 'T' first)");
      }
    } else {
      switch (unit) {
        case 'H':
          rank = 4;
          field = &d.hours;
          break;
        case 'M':
          rank = 5;
          field = &d.minutes;
          break;
        case 'S':
          rank = 6;
          field = &d.seconds;
          break;
        default: return fail(i, "expected a time unit H, M or S");
      }
      any_time = true;
    }
    if (rank <= last_rank) return fail(i, "units out of order or repeated");
    last_rank = rank;
    *field = static_cast<int>(value);
    any = true;
    ++i;
  }
  if (!any) return fail(text.size(), "expected at least one number and unit");
  if (in_time && !any_time) return fail(text.size(), "'T' must be followed by hours, minutes or seconds");
  return d;
}

TimePoint AddDuration(TimePoint start, const IsoDuration& d) {
  using namespace std::chrono;
  auto day_point = floor<days>(start);
  auto time_of_day = start - day_point;
  year_month_day ymd{day_point};
  year_month ym = ymd.year() / ymd.month();
  ym += months(d.years * 12 + d.months);
  auto month_end = (ym / std::chrono::last).day();
  auto clamped = ymd.day() > month_end ? month_end : ymd.day();
  sys_days moved = sys_days{ym / clamped};
  TimePoint out = time_point_cast<microseconds>(moved) + time_of_day;
  out += days(d.weeks * 7 + d.days);
  out += hours(d.hours) + minutes(d.minutes) + seconds(d.seconds);
  return out;
}

StatusOr<TimePoint> ParseDate(std::string_view text) {
  using namespace std::chrono;
  auto digits = [&](size_t from, size_t n, int& out) {
    out = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int y = 0, m = 0, dd = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !digits(0, 4, y) || !digits(5, 2, m) ||
      !digits(8, 2, dd))
    return InvalidArgument("bad date '" + std::string(text) + "': expected YYYY-MM-DD");
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(dd)}};
  if (!ymd.ok()) return InvalidArgument("bad date '" + std::string(text) + "': no such day");
  return time_point_cast<microseconds>(sys_days{ymd});
}

}  // namespace relais::workflow
