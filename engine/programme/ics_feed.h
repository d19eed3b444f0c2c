// IcsFeed: programmes' milestones as an RFC 5545 calendar (METHOD:PUBLISH,
// written by calendar::IcsCalendar over libical): one VEVENT per milestone
// with DTSTART/DTEND in its programme's time zone (TZID) and one VTIMEZONE
// per zone in use; stable UIDs (<milestone>@<programme>.relais), DTSTAMP of
// the milestone's last change, SEQUENCE raised on each move, STATUS:CANCELLED
// when cancelled, a URL back to the programme's page. Titles in French, or
// English with lang "en".
//
// Thread-safety: stateless functions.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engine/people/person.h"
#include "engine/programme/programme.h"

namespace relais::programme {

inline constexpr std::string_view kFeedProdId = "-//Relais//Programmes//FR";
// Every milestone is shown as an hour (DTEND = DTSTART + 1 h, local time).
inline constexpr std::chrono::minutes kMilestoneDuration{60};

struct FeedEntry {
  const ProgrammeState* programme;
  const Milestone* milestone;
  // The milestone's person from the people directory (null: not known
  // there); names the review and its ATTENDEE. Never an address as a name.
  const people::Person* person = nullptr;
};

// The milestone's title in lang ("fr" or "en"). A review names its élu by
// person when given ("Point avec Mme Nadia Benali (élue référente, axe
// 2B)"), else by role only ("Point d'étape de l'axe 2B : ... avec l'élu
// référent"); never by address.
std::string MilestoneTitle(const ProgrammeState& programme, const Milestone& milestone, std::string_view lang,
                           const people::Person* person = nullptr);

// REQUIRES: every entry's pointers are live during the call.
// base_url: the server's public origin ("https://relais.example"); each
// event's URL opens the programme's dashboard page there.
// Errors: kFailedPrecondition when libical has no VTIMEZONE for a
// programme's zone (calendar::IcsCalendar::Text).
StatusOr<std::string> RenderIcsFeed(std::string_view calendar_name, const std::vector<FeedEntry>& entries,
                                    std::string_view lang, std::string_view base_url);

}  // namespace relais::programme
