// Local wall-clock time in an IANA time zone <-> UTC. Zones are resolved by
// name through Howard Hinnant's date/tz library over the system's tzdata
// (/usr/share/zoneinfo, Debian's `tzdata`): a rule change arrives with a
// tzdata update, not with a release of Relais.
//
// Local times that a zone skips or repeats are read as RFC 5545 (3.3.5) reads
// a DATE-TIME with a TZID, so that an instant computed here is the one a
// calendar client computes from the same local time: a time in a gap (the
// skipped hour of a spring change) uses the UTC offset before the gap, i.e.
// it moves forward by the gap's length (02:30 in Paris on the last Sunday of
// March is 03:30 CEST); a time in an overlap (the repeated hour of an autumn
// change) is the first occurrence, the earlier instant.
//
// Thread-safety: a TimeZone is an immutable handle to a zone of the process's
// tz database, cheap to copy and safe for concurrent use; the functions are
// safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "engine/calendar/civil_date.h"
#include "engine/util/clock.h"
#include "engine/util/status.h"

namespace date {
class time_zone;
}

namespace relais::calendar {

// The zone of the programmes that predate per-programme zones, and the
// default of `programmes.time_zone`.
inline constexpr std::string_view kDefaultTimeZone = "Europe/Paris";

struct LocalDateTime {
  CivilDate date;
  int hour = 0;    // 0..23
  int minute = 0;  // 0..59
  int second = 0;  // 0..59

  // "20270315T100000" (iCalendar local form, to be used with TZID)
  std::string Compact() const;
  friend auto operator<=>(const LocalDateTime&, const LocalDateTime&) = default;
};

class TimeZone {
 public:
  // UTC ("UTC", offset 0, no daylight time).
  TimeZone() = default;

  // The zone named `name` ("Europe/Paris", "Indian/Reunion", a link such as
  // "Indian/Mayotte"); "UTC" and "Etc/UTC" give TimeZone(). Errors: kInvalidArgument naming the zone and the
  // expected form when tzdata has no such zone (or tzdata cannot be read).
  static StatusOr<TimeZone> Find(std::string_view name);

  // The IANA name, as given to Find (a link keeps its own name).
  const std::string& name() const { return name_; }

  // The instant a local time denotes (gaps and overlaps: see above).
  TimePoint ToUtc(const LocalDateTime& local) const;
  // The local time of instant t, truncated to the second.
  LocalDateTime ToLocal(TimePoint t) const;
  // The UTC offset at instant t, in seconds (local = UTC + offset).
  int OffsetSeconds(TimePoint t) const;
  // True when the zone observes daylight saving time at instant t.
  bool IsDaylightTime(TimePoint t) const;

  // Is this UTC (the default)?
  bool IsUtc() const { return zone_ == nullptr; }

 private:
  TimeZone(std::string name, const date::time_zone* zone) : name_(std::move(name)), zone_(zone) {}

  std::string name_ = "UTC";
  const date::time_zone* zone_ = nullptr;  // null: UTC; else owned by the tz database, which lives until exit
};

}  // namespace relais::calendar
