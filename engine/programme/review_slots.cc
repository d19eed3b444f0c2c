#include "engine/programme/review_slots.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace relais::programme {
namespace {

// "HH:MM" as minutes since midnight (24:00 allowed as an end), or -1.
int ParseClock(std::string_view text, bool end) {
  if (text.size() != 5 || text[2] != ':') return -1;
  for (size_t i : {0, 1, 3, 4})
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && (m != 0 || !end))) return -1;
  return h * 60 + m;
}

std::string Clock(int minutes) {
  char text[16];
  std::snprintf(text, sizeof text, "%02d:%02d", minutes / 60, minutes % 60);
  return text;
}

calendar::LocalDateTime At(const CivilDate& day, int minute) { return {day, minute / 60, minute % 60, 0}; }

// The grid of slot starts of a day, in the order FirstFreeSlot tries them.
std::vector<int> SlotOrder(const SlotRules& rules) {
  std::vector<int> starts;
  for (const WorkingWindow& w : rules.windows)
    for (int s = w.start; s + rules.duration_minutes <= w.end; s += rules.duration_minutes) starts.push_back(s);
  std::stable_partition(starts.begin(), starts.end(), [&](int s) { return s >= rules.preferred_minute; });
  return starts;
}

}  // namespace

SlotRules EffectiveSlotRules(const ReviewRule& rule, const SlotRules& defaults) {
  SlotRules r = defaults;
  if (rule.duration_minutes > 0) r.duration_minutes = rule.duration_minutes;
  if (!rule.working_hours.empty()) r.windows = rule.working_hours;
  if (rule.max_per_day > 0) r.max_per_day = rule.max_per_day;
  r.preferred_minute = rule.hour * 60 + rule.minute;
  return r;
}

StatusOr<WorkingWindow> ParseWorkingWindow(const std::string& field, const std::string& text) {
  const size_t dash = text.find('-');
  const int start = dash == std::string::npos ? -1 : ParseClock(std::string_view(text).substr(0, dash), false);
  const int end = dash == std::string::npos ? -1 : ParseClock(std::string_view(text).substr(dash + 1), true);
  if (start < 0 || end < 0)
    return InvalidArgument(field + ": expected \"HH:MM-HH:MM\" (e.g. 09:00-12:30), got \"" + text + "\"");
  if (end <= start)
    return InvalidArgument(field + ": the end " + Clock(end) + " is not after the start " + Clock(start));
  return WorkingWindow{start, end};
}

std::string FormatWorkingWindow(const WorkingWindow& w) { return Clock(w.start) + "-" + Clock(w.end); }

Status CheckWorkingWindows(const std::string& field, const std::vector<WorkingWindow>& windows, int duration_minutes) {
  if (windows.empty()) return InvalidArgument(field + ": expected at least one window \"HH:MM-HH:MM\"");
  for (size_t i = 0; i < windows.size(); ++i) {
    const std::string where = field + "[" + std::to_string(i) + "]";
    if (i > 0 && windows[i].start < windows[i - 1].end)
      return InvalidArgument(where + ": " + FormatWorkingWindow(windows[i]) + " starts before " +
                             FormatWorkingWindow(windows[i - 1]) + " ends (list windows in order, without overlap)");
    if (duration_minutes > 0 && windows[i].end - windows[i].start < duration_minutes)
      return InvalidArgument(where + ": " + FormatWorkingWindow(windows[i]) + " is shorter than a review (" +
                             std::to_string(duration_minutes) + " minutes)");
  }
  return Status::Ok();
}

void Diary::Add(const std::string& person, const CivilDate& day, const Booking& booking) {
  if (person.empty()) return;
  days_[person][day].push_back(booking);
}

void Diary::Remove(const std::string& person, const CivilDate& day, const std::string& programme,
                   const std::string& milestone) {
  auto p = days_.find(person);
  if (p == days_.end()) return;
  auto d = p->second.find(day);
  if (d == p->second.end()) return;
  std::erase_if(d->second, [&](const Booking& b) { return b.programme == programme && b.milestone == milestone; });
}

const Booking* Diary::Overlap(const std::string& person, const CivilDate& day, int start, int end) const {
  auto p = days_.find(person);
  if (p == days_.end()) return nullptr;
  auto d = p->second.find(day);
  if (d == p->second.end()) return nullptr;
  const Booking* first = nullptr;
  for (const Booking& b : d->second)
    if (b.start < end && start < b.end && (!first || b.start < first->start)) first = &b;
  return first;
}

int Diary::CountOn(const std::string& person, const CivilDate& day) const {
  auto p = days_.find(person);
  if (p == days_.end()) return 0;
  auto d = p->second.find(day);
  return d == p->second.end() ? 0 : static_cast<int>(d->second.size());
}

std::string_view SlotFaultCode(SlotFault fault) {
  switch (fault) {
    case SlotFault::kNone: return "none";
    case SlotFault::kNotWorkingDay: return "non_working_day";
    case SlotFault::kOutsideHours: return "outside_working_hours";
    case SlotFault::kPersonBusy: return "person_busy";
    case SlotFault::kDayFull: return "day_full";
  }
  return "none";
}

namespace {

// CheckSlot on a day known to be a working day.
SlotCheck CheckOnWorkingDay(const SlotRules& rules, const Diary& diary, const std::vector<std::string>& attendees,
                            const calendar::LocalDateTime& start) {
  SlotCheck check;
  const int from = MinuteOfDay(start), to = from + rules.duration_minutes;
  const bool inside = std::any_of(rules.windows.begin(), rules.windows.end(),
                                  [&](const WorkingWindow& w) { return w.start <= from && to <= w.end; });
  if (!inside) {
    check.fault = SlotFault::kOutsideHours;
    return check;
  }
  for (const std::string& person : attendees) {
    if (const Booking* b = diary.Overlap(person, start.date, from, to)) {
      check.fault = SlotFault::kPersonBusy;
      check.person = person;
      check.conflict = *b;
      return check;
    }
  }
  for (const std::string& person : attendees) {
    if (!person.empty() && diary.CountOn(person, start.date) >= rules.max_per_day) {
      check.fault = SlotFault::kDayFull;
      check.person = person;
      return check;
    }
  }
  return check;
}

}  // namespace

SlotCheck CheckSlot(const SlotRules& rules, const calendar::WorkingCalendar& calendar, const Diary& diary,
                    const std::vector<std::string>& attendees, const calendar::LocalDateTime& start) {
  if (!calendar.IsWorkingDay(start.date)) {
    SlotCheck check;
    check.fault = SlotFault::kNotWorkingDay;
    return check;
  }
  return CheckOnWorkingDay(rules, diary, attendees, start);
}

std::optional<calendar::LocalDateTime> FirstFreeSlot(const SlotRules& rules, const calendar::WorkingCalendar& calendar,
                                                     const Diary& diary, const std::vector<std::string>& attendees,
                                                     const CivilDate& nominal, const CivilDate& last_day) {
  const std::vector<int> order = SlotOrder(rules);
  const CivilDate stop = std::min(last_day, nominal.AddDays(rules.max_shift_days));
  for (CivilDate day = nominal; !(stop < day); day = day.AddDays(1)) {
    if (!calendar.IsWorkingDay(day)) continue;
    for (int s : order)
      if (CheckOnWorkingDay(rules, diary, attendees, At(day, s)).ok()) return At(day, s);
  }
  return std::nullopt;
}

std::vector<calendar::LocalDateTime> NearestFreeSlots(const SlotRules& rules, const calendar::WorkingCalendar& calendar,
                                                      const Diary& diary, const std::vector<std::string>& attendees,
                                                      const calendar::LocalDateTime& wanted, const CivilDate& earliest,
                                                      size_t n) {
  std::vector<int> starts = SlotOrder(rules);
  std::sort(starts.begin(), starts.end());
  const int64_t wanted_at = wanted.date.DaysSinceEpoch() * 1440 + MinuteOfDay(wanted);
  std::vector<std::pair<int64_t, calendar::LocalDateTime>> found;
  const CivilDate first = std::max(earliest, wanted.date.AddDays(-rules.max_shift_days));
  for (CivilDate day = first; !(wanted.date.AddDays(rules.max_shift_days) < day); day = day.AddDays(1)) {
    if (!calendar.IsWorkingDay(day)) continue;
    for (int s : starts) {
      if (!CheckOnWorkingDay(rules, diary, attendees, At(day, s)).ok()) continue;
      const int64_t at = day.DaysSinceEpoch() * 1440 + s;
      found.push_back({std::abs(at - wanted_at) * 2 + (at > wanted_at ? 1 : 0), At(day, s)});
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<calendar::LocalDateTime> out;
  for (size_t i = 0; i < found.size() && i < n; ++i) out.push_back(found[i].second);
  return out;
}

}  // namespace relais::programme
