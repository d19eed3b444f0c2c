// iTIP invitations (RFC 5546) for one meeting, such as an élu's review: the
// calendar text an e-mail carries (as text/calendar; method=REQUEST or
// CANCEL) so that the meeting lands in Outlook, Thunderbird or any CalDAV
// client, and later versions update the same entry.
//
// The contract for callers:
// - uid is stable for the meeting: every update and the cancellation carry
//   the same one (the client matches on it);
// - sequence starts at 0 and rises on every change the attendees must see
//   (moved, renamed, reassigned, cancelled); a client ignores a message whose
//   SEQUENCE is lower than the one it holds;
// - status kCancelled gives METHOD:CANCEL with STATUS:CANCELLED (send it to
//   the attendees who had the meeting); otherwise METHOD:REQUEST with the
//   status given (kConfirmed by default);
// - DTSTART and DTEND are `start` and start + duration in `zone`, with its
//   TZID and VTIMEZONE (ics_writer.h); DTSTAMP is clock.Now() in UTC.
// Nothing is sent here: the e-mail channel carries the text.
//
// Thread-safety: BuildInvitation is safe from any thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engine/calendar/ics_writer.h"
#include "engine/calendar/time_zone.h"
#include "engine/util/clock.h"
#include "engine/util/status.h"

namespace relais::calendar {

inline constexpr std::string_view kInvitationProdId = "-//Relais//Invitations//FR";

struct Invitation {
  std::string uid;  // stable per meeting, e.g. "review-<milestone>@<programme>.relais"
  int sequence = 0;
  std::string summary;
  std::string description;  // may be empty
  std::string url;          // the meeting's page, for a person; may be empty
  LocalDateTime start;      // wall-clock time in zone
  TimeZone zone;
  std::chrono::minutes duration{60};
  IcsPerson organizer;                 // who sends the invitation (the coordinator)
  std::vector<IcsAttendee> attendees;  // the élu, the coordinator, ...
  EventStatus status = EventStatus::kConfirmed;
};

// The VCALENDAR of the invitation: METHOD:REQUEST (or METHOD:CANCEL for a
// cancelled meeting), the zone's VTIMEZONE, one VEVENT.
// Errors: kInvalidArgument naming the field (empty uid or summary, negative
// sequence, a duration not from 1 minute to 24 hours, an organizer or
// attendee without a valid e-mail address, no attendee); kFailedPrecondition
// when libical has no VTIMEZONE for the zone; may return some other Status.
StatusOr<std::string> BuildInvitation(const Invitation& invitation, const Clock& clock);

}  // namespace relais::calendar
