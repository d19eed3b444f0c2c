// IcsFeed: a programme's milestones as an RFC 5545 calendar (VCALENDAR with
// the Europe/Paris VTIMEZONE and one VEVENT per milestone): stable UIDs
// (<milestone>@<programme>.relais), DTSTAMP of the milestone's last change,
// SEQUENCE raised on each move, STATUS:CANCELLED when cancelled, a URL back
// to the milestones of its axis. Titles in French, or English with lang "en".
//
// Thread-safety: stateless functions.
#pragma once

#include <string>
#include <vector>

#include "engine/people/person.h"
#include "engine/programme/programme.h"

namespace relais::programme {

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
std::string RenderIcsFeed(std::string_view calendar_name, const std::vector<FeedEntry>& entries, std::string_view lang,
                          std::string_view base_url);

}  // namespace relais::programme
