// Review slots: where in a working day a review (or any milestone) sits,
// and the diary of the people it occupies. A slot is [start, start +
// duration) in local wall-clock time (calendar::LocalDateTime, the
// programme's zone); it lies inside one working-hours window of a working
// day. The planner never lets two slots of one person overlap, nor a person
// have more than max_per_day slots on one day (docs/programmes.md, "Slots").
//
// Placement is deterministic: the same rules, calendar, diary and nominal
// date give the same slot, whatever the order in which the diary was filled.
//
// Thread-safety: SlotRules is a plain value; a Diary is not safe for
// concurrent mutation (one per placement); the functions are stateless.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/calendar/civil_date.h"
#include "engine/calendar/time_zone.h"
#include "engine/programme/programme.h"
#include "engine/util/status.h"

namespace relais::programme {

// The rules a placement follows (a ReviewRule with the configuration's
// defaults filled in: EffectiveSlotRules).
struct SlotRules {
  int duration_minutes = 60;
  std::vector<WorkingWindow> windows = {{9 * 60, 12 * 60 + 30}, {14 * 60, 17 * 60 + 30}};
  int max_per_day = 3;             // per person
  int preferred_minute = 10 * 60;  // the first slot tried on a day (the rule's time)
  int max_shift_days = 30;         // how many days after its nominal date a review may land
};

// rule's slot fields, each unset one (0 / empty) taken from defaults.
SlotRules EffectiveSlotRules(const ReviewRule& rule, const SlotRules& defaults);

// "HH:MM-HH:MM" as a window; errors: kInvalidArgument naming `field`
// ("programme.reviews.working_hours[1]: expected HH:MM-HH:MM ...").
StatusOr<WorkingWindow> ParseWorkingWindow(const std::string& field, const std::string& text);
std::string FormatWorkingWindow(const WorkingWindow& w);
// Windows sorted, non-overlapping, each at least `duration` long.
// Errors: kInvalidArgument naming field.
Status CheckWorkingWindows(const std::string& field, const std::vector<WorkingWindow>& windows, int duration_minutes);

// One booked slot of a person.
struct Booking {
  int start = 0;  // minutes since local midnight
  int end = 0;    // exclusive
  std::string programme;
  std::string milestone;
};

// Who is busy when: person -> day -> bookings. Empty person names are
// ignored.
class Diary {
 public:
  void Add(const std::string& person, const CivilDate& day, const Booking& booking);
  // Drops person's bookings of programme's milestone on day (a milestone
  // being placed again).
  void Remove(const std::string& person, const CivilDate& day, const std::string& programme,
              const std::string& milestone);
  // The first booking of person on day overlapping [start, end), if any.
  const Booking* Overlap(const std::string& person, const CivilDate& day, int start, int end) const;
  int CountOn(const std::string& person, const CivilDate& day) const;

 private:
  std::map<std::string, std::map<CivilDate, std::vector<Booking>>> days_;
};

// Why a slot is refused (the codes the API and the dashboard show).
enum class SlotFault { kNone, kNotWorkingDay, kOutsideHours, kPersonBusy, kDayFull };
std::string_view SlotFaultCode(
    SlotFault fault);  // "non_working_day", "outside_working_hours", "person_busy", "day_full"

struct SlotCheck {
  SlotFault fault = SlotFault::kNone;
  std::string person;  // kPersonBusy, kDayFull: who
  Booking conflict;    // kPersonBusy: the booking in the way
  bool ok() const { return fault == SlotFault::kNone; }
};

// Whether attendees can all meet at `start` for rules.duration_minutes.
SlotCheck CheckSlot(const SlotRules& rules, const calendar::WorkingCalendar& calendar, const Diary& diary,
                    const std::vector<std::string>& attendees, const calendar::LocalDateTime& start);

// The first free slot for attendees on `nominal` or the days after it (at
// most rules.max_shift_days later, never after last_day): days in order;
// within a day, the grid of slots from each window's start (step: the
// duration), from the first at or after preferred_minute, then the earlier
// ones. nullopt when the calendar is full over the whole range.
std::optional<calendar::LocalDateTime> FirstFreeSlot(const SlotRules& rules, const calendar::WorkingCalendar& calendar,
                                                     const Diary& diary, const std::vector<std::string>& attendees,
                                                     const CivilDate& nominal, const CivilDate& last_day);

// Up to n free slots nearest to `wanted` (before or after it, by distance in
// minutes, earlier first on ties), from `earliest` on, within max_shift_days
// of wanted's date either side.
std::vector<calendar::LocalDateTime> NearestFreeSlots(const SlotRules& rules, const calendar::WorkingCalendar& calendar,
                                                      const Diary& diary, const std::vector<std::string>& attendees,
                                                      const calendar::LocalDateTime& wanted, const CivilDate& earliest,
                                                      size_t n);

// minutes since midnight of a local time.
inline int MinuteOfDay(const calendar::LocalDateTime& at) { return at.hour * 60 + at.minute; }

}  // namespace relais::programme
