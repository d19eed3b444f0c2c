#include "engine/calendar/ics_writer.h"

#include <libical/ical.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

namespace relais::calendar {
namespace {

struct ComponentFree {
  void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using Component = std::unique_ptr<icalcomponent, ComponentFree>;

// libical's builtin zones are a process-wide cache filled on first use: one
// lock around every call that reads or fills it, and its UTC zone (which
// fills the cache's index on first use) made once before any other call.
std::mutex& ZoneMutex() {
  static std::mutex mutex;
  return mutex;
}

void InitLibicalZonesOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::lock_guard lock(ZoneMutex());
    icaltimezone_get_utc_timezone();
  });
}

int64_t UnixSeconds(TimePoint t) {
  const int64_t us = ToMicros(t);
  return us / 1'000'000 - (us % 1'000'000 < 0 ? 1 : 0);
}

// TEXT may hold any character but the controls (RFC 5545 3.3.11): keep
// newlines (libical writes them as \n) and tabs, drop the others.
std::string CleanText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') continue;
      out += '\n';
    } else if (c >= 0x20 || c == '\n' || c == '\t') {
      if (c != 0x7F) out += static_cast<char>(c);
    }
  }
  return out;
}

// A parameter value (CN) may not hold DQUOTE or controls (RFC 5545 3.1).
std::string CleanParam(std::string_view text) {
  std::string out = CleanText(text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '"' || c == '\n' || c == '\t'; }, ' ');
  return out;
}

icaltimetype LocalIcalTime(const LocalDateTime& t) {
  icaltimetype out = icaltime_null_time();
  out.year = t.date.year;
  out.month = t.date.month;
  out.day = t.date.day;
  out.hour = t.hour;
  out.minute = t.minute;
  out.second = t.second;
  out.is_date = 0;
  return out;
}

icaltimetype UtcIcalTime(TimePoint t) {
  return icaltime_from_timet_with_zone(static_cast<time_t>(UnixSeconds(t)), 0, icaltimezone_get_utc_timezone());
}

// DTSTART or DTEND: the local time with TZID, or the UTC form for UTC.
icalproperty* TimeProperty(icalproperty* (*make)(icaltimetype), const LocalDateTime& local, const TimeZone& zone) {
  if (zone.IsUtc()) return make(UtcIcalTime(zone.ToUtc(local)));
  icalproperty* p = make(LocalIcalTime(local));
  icalproperty_add_parameter(p, icalparameter_new_tzid(zone.name().c_str()));
  return p;
}

icalparameter_role RoleOf(AttendeeRole role) {
  switch (role) {
    case AttendeeRole::kChair: return ICAL_ROLE_CHAIR;
    case AttendeeRole::kRequired: return ICAL_ROLE_REQPARTICIPANT;
    case AttendeeRole::kOptional: return ICAL_ROLE_OPTPARTICIPANT;
    case AttendeeRole::kNonParticipant: return ICAL_ROLE_NONPARTICIPANT;
  }
  return ICAL_ROLE_REQPARTICIPANT;
}

icalproperty_status StatusOf(EventStatus status) {
  switch (status) {
    case EventStatus::kTentative: return ICAL_STATUS_TENTATIVE;
    case EventStatus::kConfirmed: return ICAL_STATUS_CONFIRMED;
    case EventStatus::kCancelled: return ICAL_STATUS_CANCELLED;
  }
  return ICAL_STATUS_CONFIRMED;
}

icalproperty_method MethodOf(IcsMethod method) {
  switch (method) {
    case IcsMethod::kPublish: return ICAL_METHOD_PUBLISH;
    case IcsMethod::kRequest: return ICAL_METHOD_REQUEST;
    case IcsMethod::kCancel: return ICAL_METHOD_CANCEL;
  }
  return ICAL_METHOD_PUBLISH;
}

icalproperty* Person(icalproperty* (*make)(const char*), const std::string& name, const std::string& email) {
  icalproperty* p = make(("mailto:" + CleanParam(email)).c_str());
  if (!name.empty()) icalproperty_add_parameter(p, icalparameter_new_cn(CleanParam(name).c_str()));
  return p;
}

// The VTIMEZONE of zone, from libical's reading of the system's tzdata,
// with TZID the IANA name (libical's own is "/freeassociation.sourceforge.net/<name>")
// and the observances from 1 January of from_year (UTC) on.
StatusOr<Component> VTimezoneOf(const TimeZone& zone, int from_year) {
  Component vtz;
  {
    std::lock_guard lock(ZoneMutex());
    icaltimezone* tz = icaltimezone_get_builtin_timezone(zone.name().c_str());
    icalcomponent* full = tz ? icaltimezone_get_component(tz) : nullptr;
    if (!full)
      return FailedPrecondition("time zone \"" + zone.name() +
                                "\": libical has no VTIMEZONE for it in the system's tzdata");
    vtz.reset(icalcomponent_new_clone(full));
  }
  icaltimetype from = icaltime_null_time();
  from.year = from_year;
  from.month = 1;
  from.day = 1;
  from.is_date = 0;
  from.zone = icaltimezone_get_utc_timezone();
  icaltimezone_truncate_vtimezone(vtz.get(), from, icaltime_null_time(), /*ms_compatible=*/0);
  icalproperty* tzid = icalcomponent_get_first_property(vtz.get(), ICAL_TZID_PROPERTY);
  if (!tzid) return FailedPrecondition("time zone \"" + zone.name() + "\": libical's VTIMEZONE has no TZID");
  icalproperty_set_tzid(tzid, zone.name().c_str());
  return vtz;
}

Component EventComponent(const IcsEvent& e) {
  Component ev(icalcomponent_new(ICAL_VEVENT_COMPONENT));
  icalcomponent* c = ev.get();
  icalcomponent_add_property(c, icalproperty_new_uid(CleanParam(e.uid).c_str()));
  icalcomponent_add_property(c, icalproperty_new_dtstamp(UtcIcalTime(e.stamp)));
  icalcomponent_add_property(c, TimeProperty(icalproperty_new_dtstart, e.start, e.zone));
  const LocalDateTime end = e.zone.ToLocal(e.zone.ToUtc(e.start) + e.duration);
  icalcomponent_add_property(c, TimeProperty(icalproperty_new_dtend, end, e.zone));
  icalcomponent_add_property(c, icalproperty_new_sequence(e.sequence));
  icalcomponent_add_property(c, icalproperty_new_summary(CleanText(e.summary).c_str()));
  if (!e.description.empty())
    icalcomponent_add_property(c, icalproperty_new_description(CleanText(e.description).c_str()));
  if (!e.category.empty()) icalcomponent_add_property(c, icalproperty_new_categories(CleanText(e.category).c_str()));
  icalcomponent_add_property(c, icalproperty_new_status(StatusOf(e.status)));
  if (!e.url.empty()) icalcomponent_add_property(c, icalproperty_new_url(CleanParam(e.url).c_str()));
  if (!e.organizer.email.empty())
    icalcomponent_add_property(c, Person(icalproperty_new_organizer, e.organizer.name, e.organizer.email));
  for (const IcsAttendee& a : e.attendees) {
    icalproperty* p = Person(icalproperty_new_attendee, a.name, a.email);
    icalproperty_add_parameter(p, icalparameter_new_role(RoleOf(a.role)));
    icalproperty_add_parameter(p, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
    icalproperty_add_parameter(p, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
    icalcomponent_add_property(c, p);
  }
  return ev;
}

}  // namespace

StatusOr<std::string> IcsCalendar::Text() const {
  InitLibicalZonesOnce();
  Component cal(icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
  icalcomponent* c = cal.get();
  icalcomponent_add_property(c, icalproperty_new_version("2.0"));
  icalcomponent_add_property(c, icalproperty_new_prodid(CleanText(prodid_).c_str()));
  icalcomponent_add_property(c, icalproperty_new_calscale("GREGORIAN"));
  icalcomponent_add_property(c, icalproperty_new_method(MethodOf(method_)));
  if (!name_.empty()) {
    // NAME (RFC 7986), escaped by libical as TEXT; X-WR-CALNAME, the name
    // most clients read, which libical writes verbatim as an X- property:
    // one line, no control characters.
    icalcomponent_add_property(c, icalproperty_new_name(CleanText(name_).c_str()));
    icalproperty* p = icalproperty_new_x(CleanParam(name_).c_str());
    icalproperty_set_x_name(p, "X-WR-CALNAME");
    icalcomponent_add_property(c, p);
  }
  // Each zone in use, with the year its VTIMEZONE starts: the year before
  // the zone's earliest event (a local time early on 1 January is still in
  // the year before in UTC, east of Greenwich).
  std::map<std::string, std::pair<TimeZone, int>> zones;
  bool any_utc = false;
  for (const IcsEvent& e : events_) {
    if (e.zone.IsUtc()) {
      any_utc = true;
      continue;
    }
    auto [it, added] = zones.try_emplace(e.zone.name(), e.zone, e.start.date.year - 1);
    it->second.second = std::min(it->second.second, e.start.date.year - 1);
  }
  if (zones.size() == 1 && !any_utc) {
    icalproperty* p = icalproperty_new_x(zones.begin()->first.c_str());
    icalproperty_set_x_name(p, "X-WR-TIMEZONE");
    icalcomponent_add_property(c, p);
  }
  for (const auto& [name, zone_year] : zones) {
    RELAIS_ASSIGN_OR_RETURN(Component vtz, VTimezoneOf(zone_year.first, zone_year.second));
    icalcomponent_add_component(c, vtz.release());
  }
  for (const IcsEvent& e : events_) icalcomponent_add_component(c, EventComponent(e).release());
  char* text = icalcomponent_as_ical_string_r(c);
  if (!text) return Internal("libical could not write the calendar");
  std::string out(text);
  icalmemory_free_buffer(text);
  return out;
}

}  // namespace relais::calendar
