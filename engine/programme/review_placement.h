// Review placement: the dates of an élu référent's reviews over a term, and
// of a programme's yearly milestones, each moved off weekends, public
// holidays and closed days to the next working day (never past the term).
//
// Thread-safety: stateless functions.
#pragma once

#include <vector>

#include "engine/calendar/civil_date.h"
#include "engine/programme/programme.h"

namespace relais::programme {

// The working calendar a programme's definition describes.
calendar::WorkingCalendar CalendarOf(const ProgrammeDefinition& definition);

// Review dates of a term [start, end] (end inclusive), in order.
// Evenly: each year of the term (from the start's anniversary) is cut into
// per_year equal slots, a review in the middle of each. Months: the rule's
// day of each listed month. A date moved to the next working day that falls
// after `end` is dropped.
std::vector<CivilDate> ReviewDates(const ReviewRule& rule, const calendar::WorkingCalendar& calendar,
                                   const CivilDate& start, const CivilDate& end);

// The date of a yearly milestone in `year`, on a working day.
CivilDate YearlyDate(const YearlyMilestone& milestone, const calendar::WorkingCalendar& calendar, int year);

// start plus n years (29 February becomes 28 February).
CivilDate AddYears(const CivilDate& start, int n);

}  // namespace relais::programme
