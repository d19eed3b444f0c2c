#include "engine/calendar/itip.h"

#include <algorithm>

namespace relais::calendar {
namespace {

constexpr size_t kMaxAddress = 254;  // RFC 5321's limit on a path
constexpr size_t kMaxUid = 255;
constexpr std::chrono::minutes kMaxDuration{24 * 60};

// A plain check: one '@' with text either side, no space or control, at most
// 254 octets. The mail system checks the rest.
bool IsAddress(const std::string& email) {
  const size_t at = email.find('@');
  if (email.empty() || email.size() > kMaxAddress || at == 0 || at == std::string::npos || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string::npos)
    return false;
  return std::none_of(email.begin(), email.end(), [](char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F || c == '"' || c == '<' || c == '>' || c == ',' || c == ';' || c == ':';
  });
}

Status Check(const Invitation& inv) {
  if (inv.uid.empty() || inv.uid.size() > kMaxUid)
    return InvalidArgument("invitation.uid: expected 1 to " + std::to_string(kMaxUid) + " characters");
  if (inv.sequence < 0) return InvalidArgument("invitation.sequence: expected 0 or more");
  if (inv.summary.empty()) return InvalidArgument("invitation.summary: is required");
  if (!inv.start.date.IsValid() || inv.start.hour < 0 || inv.start.hour > 23 || inv.start.minute < 0 ||
      inv.start.minute > 59 || inv.start.second < 0 || inv.start.second > 59)
    return InvalidArgument("invitation.start: expected a valid local date and time");
  if (inv.duration < std::chrono::minutes(1) || inv.duration > kMaxDuration)
    return InvalidArgument("invitation.duration: expected 1 minute to 24 hours");
  if (!IsAddress(inv.organizer.email))
    return InvalidArgument("invitation.organizer.email: expected an e-mail address, got \"" + inv.organizer.email +
                           "\"");
  if (inv.attendees.empty()) return InvalidArgument("invitation.attendees: expected at least one attendee");
  for (size_t i = 0; i < inv.attendees.size(); ++i)
    if (!IsAddress(inv.attendees[i].email))
      return InvalidArgument("invitation.attendees[" + std::to_string(i) +
                             "].email: expected an e-mail address, got \"" + inv.attendees[i].email + "\"");
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> BuildInvitation(const Invitation& inv, const Clock& clock) {
  RELAIS_RETURN_IF_ERROR(Check(inv));
  const bool cancel = inv.status == EventStatus::kCancelled;
  IcsCalendar calendar(std::string(kInvitationProdId), cancel ? IcsMethod::kCancel : IcsMethod::kRequest);
  IcsEvent e;
  e.uid = inv.uid;
  e.sequence = inv.sequence;
  e.stamp = clock.Now();
  e.start = inv.start;
  e.zone = inv.zone;
  e.duration = inv.duration;
  e.summary = inv.summary;
  e.description = inv.description;
  e.url = inv.url;
  e.status = inv.status;
  e.organizer = inv.organizer;
  e.attendees = inv.attendees;
  calendar.Add(std::move(e));
  return calendar.Text();
}

}  // namespace relais::calendar
