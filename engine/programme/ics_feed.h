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

#include "engine/programme/programme.h"

namespace relais::programme {

struct FeedEntry {
  const ProgrammeState* programme;
  const Milestone* milestone;
};

// The milestone's title in lang ("fr" or "en").
std::string MilestoneTitle(const ProgrammeState& programme, const Milestone& milestone, std::string_view lang);

// REQUIRES: every entry's pointers are live during the call.
// base_url: the server's public origin ("https://relais.example"); each
// event's URL opens the programme's dashboard page there.
std::string RenderIcsFeed(std::string_view calendar_name, const std::vector<FeedEntry>& entries, std::string_view lang,
                          std::string_view base_url);

}  // namespace relais::programme
