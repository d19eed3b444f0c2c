#include "engine/calendar/time_zone.h"

#include <date/tz.h>

#include <cstdio>
#include <exception>

namespace relais::calendar {
namespace {

using std::chrono::seconds;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

date::local_seconds LocalSecondsOf(const LocalDateTime& t) {
  return date::local_seconds(seconds(t.date.DaysSinceEpoch() * 86400 + t.hour * 3600 + t.minute * 60 + t.second));
}

date::sys_seconds SysSecondsOf(TimePoint t) { return date::sys_seconds(seconds(FloorDiv(ToMicros(t), 1'000'000))); }

}  // namespace

std::string LocalDateTime::Compact() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d%02d%02d", date.Compact().c_str(), hour, minute, second);
  return buf;
}

StatusOr<TimeZone> TimeZone::Find(std::string_view name) {
  // The library throws std::runtime_error for an unknown name or an
  // unreadable database: one place turns that into a result.
  try {
    if (name == "UTC" || name == "Etc/UTC") return TimeZone();
    if (name.empty() || name.size() > 64) throw std::runtime_error("empty or too long");
    return TimeZone(std::string(name), date::locate_zone(name));
  } catch (const std::exception&) {
    return InvalidArgument("unknown time zone \"" + std::string(name) +
                           "\": expected an IANA time zone name of the system's tzdata, such as \"Europe/Paris\", "
                           "\"Indian/Reunion\" or \"America/Cayenne\"");
  }
}

TimePoint TimeZone::ToUtc(const LocalDateTime& local) const {
  const date::local_seconds lt = LocalSecondsOf(local);
  if (!zone_) return std::chrono::time_point_cast<std::chrono::microseconds>(date::sys_seconds(lt.time_since_epoch()));
  const date::local_info info = zone_->get_info(lt);
  // unique: its offset; nonexistent: `first` is the period before the gap
  // (RFC 5545: the offset before the gap); ambiguous: `first` is the earlier.
  const date::sys_seconds utc(lt.time_since_epoch() - info.first.offset);
  return std::chrono::time_point_cast<std::chrono::microseconds>(utc);
}

LocalDateTime TimeZone::ToLocal(TimePoint t) const {
  const int64_t secs = SysSecondsOf(t).time_since_epoch().count() + OffsetSeconds(t);
  const int64_t days = FloorDiv(secs, 86400);
  const int64_t rem = secs - days * 86400;
  LocalDateTime out;
  out.date = CivilDate::FromDaysSinceEpoch(days);
  out.hour = static_cast<int>(rem / 3600);
  out.minute = static_cast<int>(rem % 3600 / 60);
  out.second = static_cast<int>(rem % 60);
  return out;
}

int TimeZone::OffsetSeconds(TimePoint t) const {
  if (!zone_) return 0;
  return static_cast<int>(zone_->get_info(SysSecondsOf(t)).offset.count());
}

bool TimeZone::IsDaylightTime(TimePoint t) const { return zone_ && zone_->get_info(SysSecondsOf(t)).save.count() != 0; }

}  // namespace relais::calendar
