// ReviewInvitations: each élu's review sent as an iTIP invitation (RFC 5546,
// RFC 6047) to the élu and the programme's coordinators, in the same atomic
// batch as the programme events that schedule, move, reassign or cancel it,
// so that the review lands in Outlook, Thunderbird or any CalDAV client and
// a later change updates the same entry:
// - milestone_scheduled, milestone_moved: METHOD:REQUEST to the élu and the
//   active coordinators;
// - milestone_reassigned: METHOD:REQUEST to the new élu and the
//   coordinators, METHOD:CANCEL to the élu it is taken from;
// - milestone_cancelled: METHOD:CANCEL to the élu and the coordinators.
// The VEVENT's UID is the ICS feed's (<milestone>@<programme>.relais) and its
// SEQUENCE the milestone's (raised by every move, reassignment and
// cancellation), so the invitation and the feed speak of one entry. The
// ORGANIZER is Relais's sender address (Relais sends every update); the
// attendees are the élu (REQ-PARTICIPANT) and the coordinators (CHAIR).
//
// Each person gets one e-mail, in their language, whose id is
// NameUuid("invite/<event id>/<person>"): the same Message-ID whatever
// happens after. A person who chose "nothing" for the programme gets no
// invitation; "digest" still gets it at once (a calendar entry cannot wait
// for tomorrow's digest). People without an address are skipped; a
// message that cannot be built is logged and skipped, never refusing the
// programme's change; store errors refuse it.
//
// Thread-safety: OnProgrammeAppend is safe for concurrent calls. Everything
// given must outlive it.
#pragma once

#include <string>
#include <vector>

#include "engine/calendar/itip.h"
#include "engine/email/preferences.h"
#include "engine/email/recipients.h"
#include "engine/email/unsubscribe.h"
#include "engine/programme/programme_service.h"

namespace relais::email {

class EmailService;

class ReviewInvitations {
 public:
  ReviewInvitations(EmailService& service, RecipientDirectory& people, EmailPreferences& preferences,
                    const UnsubscribeLinks& links, const Clock& clock);

  Status OnProgrammeAppend(const programme::ProgrammeAppend& append, KvWrites& writes);

 private:
  // Sends the review's invitation (or cancellation) to each of `people`,
  // listing them as its attendees; `newcomers` get it as a first
  // invitation whatever its SEQUENCE.
  Status Send(const programme::ProgrammeState& programme, const programme::Milestone& review,
              const std::string& event_id, const std::vector<std::string>& people,
              const std::vector<std::string>& newcomers, bool cancel, KvWrites& writes);

  EmailService& service_;
  RecipientDirectory& people_;
  EmailPreferences& preferences_;
  const UnsubscribeLinks& links_;
  const Clock& clock_;
};

}  // namespace relais::email
