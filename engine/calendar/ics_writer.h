// IcsCalendar: RFC 5545 iCalendar text built with libical (Debian's
// libical-dev): the library escapes TEXT values, folds content lines at 75
// octets and ends them with CRLF. Each event's DTSTART and DTEND are local
// times with the TZID of its IANA zone, and the calendar carries one
// VTIMEZONE per zone its events use, produced by libical from the system's
// tzdata (/usr/share/zoneinfo) under the zone's IANA name, truncated to the
// observances from 1 January of the year before the zone's earliest event.
//
// Thread-safety: an IcsCalendar is a plain builder; use one per thread.
// Text() may be called from many threads at once (libical's zone loading is
// serialized inside).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "engine/calendar/time_zone.h"
#include "engine/util/clock.h"
#include "engine/util/status.h"

namespace relais::calendar {

// A person named in a calendar entry: CN=name, the value mailto:email.
struct IcsPerson {
  std::string name;
  std::string email;
};

// ROLE of an ATTENDEE (RFC 5545 3.2.16).
enum class AttendeeRole { kChair, kRequired, kOptional, kNonParticipant };

struct IcsAttendee {
  std::string name;
  std::string email;
  AttendeeRole role = AttendeeRole::kRequired;
};

enum class EventStatus { kTentative, kConfirmed, kCancelled };

struct IcsEvent {
  std::string uid;
  int sequence = 0;
  TimePoint stamp{};  // DTSTAMP (UTC, truncated to the second)
  LocalDateTime start;
  TimeZone zone;                                 // of start and end (UTC: written in the UTC form, no TZID)
  std::chrono::minutes duration{60};             // DTEND: the local time `duration` after start
  std::string summary;                           // SUMMARY
  std::string description;                       // DESCRIPTION; empty: none
  std::string url;                               // URL; empty: none
  std::string category;                          // CATEGORIES; empty: none
  EventStatus status = EventStatus::kConfirmed;  // STATUS
  IcsPerson organizer;                           // ORGANIZER when organizer.email is not empty
  std::vector<IcsAttendee> attendees;            // ATTENDEE;CN;ROLE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE
};

// METHOD of the calendar (RFC 5546): a published feed, an invitation or
// its update, a cancellation.
enum class IcsMethod { kPublish, kRequest, kCancel };

class IcsCalendar {
 public:
  // prodid: PRODID ("-//Relais//Programmes//FR").
  IcsCalendar(std::string prodid, IcsMethod method) : prodid_(std::move(prodid)), method_(method) {}

  // The name a client shows for a subscribed feed: NAME (RFC 7986, escaped)
  // and X-WR-CALNAME (verbatim on one line: libical does not escape X- values).
  void SetName(std::string name) { name_ = std::move(name); }
  // Events are written in the order added.
  void Add(IcsEvent event) { events_.push_back(std::move(event)); }

  // The VCALENDAR: VERSION, PRODID, CALSCALE, METHOD, NAME and X-WR-CALNAME
  // (when set), X-WR-TIMEZONE (when every event is in one zone), the VTIMEZONEs,
  // then the VEVENTs. Errors: kFailedPrecondition when libical has no
  // VTIMEZONE for an event's zone (a zone tzdata knows but libical cannot
  // read); may return some other Status.
  StatusOr<std::string> Text() const;

 private:
  std::string prodid_;
  IcsMethod method_;
  std::string name_;
  std::vector<IcsEvent> events_;
};

}  // namespace relais::calendar
