// The slot planner (engine/programme/review_slots.h): hours, working days,
// no overlap per person, max per day, determinism, a full calendar.
#include "engine/programme/review_slots.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace relais::programme {
namespace {

using calendar::LocalDateTime;
using calendar::WorkingCalendar;

CivilDate D(int y, int m, int d) { return CivilDate{y, m, d}; }
int Min(int h, int m) { return h * 60 + m; }

SlotRules Rules() {
  SlotRules r;
  r.duration_minutes = 60;
  r.windows = {{Min(9, 0), Min(12, 30)}, {Min(14, 0), Min(17, 30)}};
  r.max_per_day = 3;
  r.preferred_minute = Min(10, 0);
  r.max_shift_days = 30;
  return r;
}

// Places `n` reviews of élus e0..e(n-1), all attended by coordinator "c", all
// on nominal day `day`; returns the slots in order.
std::vector<LocalDateTime> PlaceMany(const SlotRules& rules, const WorkingCalendar& cal, Diary& diary, int n,
                                     const CivilDate& day, std::vector<std::string> extra = {}) {
  std::vector<LocalDateTime> out;
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> who = {"c", "e" + std::to_string(i)};
    who.insert(who.end(), extra.begin(), extra.end());
    auto slot = FirstFreeSlot(rules, cal, diary, who, day, day.AddDays(365));
    EXPECT_TRUE(slot.has_value()) << i;
    if (!slot) break;
    const int s = MinuteOfDay(*slot);
    for (const std::string& p : who) diary.Add(p, slot->date, Booking{s, s + rules.duration_minutes, "p", "m"});
    out.push_back(*slot);
  }
  return out;
}

TEST(ReviewSlotsTest, ParsesWorkingWindowsAndNamesTheField) {
  auto w = ParseWorkingWindow("f", "09:00-12:30");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->start, Min(9, 0));
  EXPECT_EQ(w->end, Min(12, 30));
  EXPECT_EQ(FormatWorkingWindow(*w), "09:00-12:30");
  auto bad = ParseWorkingWindow("programme.reviews.working_hours[1]", "9h-12h");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("programme.reviews.working_hours[1]"), std::string::npos);
  EXPECT_NE(bad.status().message().find("HH:MM-HH:MM"), std::string::npos);
  EXPECT_FALSE(ParseWorkingWindow("f", "12:00-09:00").ok());
  EXPECT_FALSE(ParseWorkingWindow("f", "09:00-24:30").ok());
  EXPECT_TRUE(ParseWorkingWindow("f", "20:00-24:00").ok());
  Status overlap = CheckWorkingWindows("w", {{Min(9, 0), Min(12, 0)}, {Min(11, 0), Min(13, 0)}}, 60);
  EXPECT_NE(overlap.message().find("w[1]"), std::string::npos) << overlap;
  Status short_window = CheckWorkingWindows("w", {{Min(9, 0), Min(9, 30)}}, 60);
  EXPECT_NE(short_window.message().find("shorter than a review"), std::string::npos) << short_window;
}

TEST(ReviewSlotsTest, NoTwoReviewsOverlapForAnyPersonAndAllStayInHours) {
  const SlotRules rules = Rules();
  WorkingCalendar cal;
  Diary diary;
  // 40 élus whose reviews all fall on Monday 2027-03-15: the coordinator attends each.
  auto slots = PlaceMany(rules, cal, diary, 40, D(2027, 3, 15));
  ASSERT_EQ(slots.size(), 40u);
  std::map<CivilDate, std::vector<int>> by_day;
  for (const LocalDateTime& s : slots) {
    EXPECT_TRUE(cal.IsWorkingDay(s.date)) << s.date.ToString();
    const int m = MinuteOfDay(s);
    const bool inside = (m >= Min(9, 0) && m + 60 <= Min(12, 30)) || (m >= Min(14, 0) && m + 60 <= Min(17, 30));
    EXPECT_TRUE(inside) << s.date.ToString() << " " << m;
    by_day[s.date].push_back(m);
  }
  for (auto& [day, starts] : by_day) {
    EXPECT_LE(starts.size(), 3u) << day.ToString();  // max_per_day for the coordinator
    std::sort(starts.begin(), starts.end());
    for (size_t i = 1; i < starts.size(); ++i) EXPECT_GE(starts[i] - starts[i - 1], 60) << day.ToString();
  }
  // The first three on the nominal day, from the preferred 10:00 on.
  EXPECT_EQ(slots[0].date, D(2027, 3, 15));
  EXPECT_EQ(MinuteOfDay(slots[0]), Min(10, 0));
  EXPECT_EQ(MinuteOfDay(slots[1]), Min(11, 0));
  EXPECT_EQ(MinuteOfDay(slots[2]), Min(14, 0));
  EXPECT_EQ(slots[3].date, D(2027, 3, 16));
}

TEST(ReviewSlotsTest, SkipsWeekendsHolidaysAndClosedDays) {
  const SlotRules rules = Rules();
  WorkingCalendar cal({D(2027, 5, 10)});  // a closed Monday
  Diary diary;
  // Friday 7 May 2027 full (3), then Sat 8 (Victoire 1945 and a Saturday), Sun 9, Mon 10 closed.
  auto slots = PlaceMany(rules, cal, diary, 4, D(2027, 5, 7));
  ASSERT_EQ(slots.size(), 4u);
  EXPECT_EQ(slots[2].date, D(2027, 5, 7));
  EXPECT_EQ(slots[3].date, D(2027, 5, 11));
  // A holiday as nominal day: Thursday 6 May 2027 is Ascension.
  Diary empty;
  auto s = FirstFreeSlot(rules, cal, empty, {"c"}, D(2027, 5, 6), D(2027, 12, 31));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->date, D(2027, 5, 7));
}

TEST(ReviewSlotsTest, APersonBusyElsewhereIsNotBookedTwice) {
  const SlotRules rules = Rules();
  WorkingCalendar cal;
  Diary diary;
  diary.Add("c", D(2027, 3, 15), Booking{Min(9, 30), Min(11, 30), "other-programme", "x"});
  auto s = FirstFreeSlot(rules, cal, diary, {"c", "e"}, D(2027, 3, 15), D(2027, 12, 31));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->date, D(2027, 3, 15));
  EXPECT_EQ(MinuteOfDay(*s), Min(14, 0));  // 10:00 and 11:00 overlap the other programme's meeting
  SlotCheck busy = CheckSlot(rules, cal, diary, {"e", "c"}, {D(2027, 3, 15), 11, 0, 0});
  EXPECT_EQ(busy.fault, SlotFault::kPersonBusy);
  EXPECT_EQ(busy.person, "c");
  EXPECT_EQ(busy.conflict.programme, "other-programme");
  EXPECT_EQ(CheckSlot(rules, cal, diary, {"e"}, {D(2027, 3, 15), 11, 0, 0}).fault, SlotFault::kNone);
}

TEST(ReviewSlotsTest, CheckNamesEachRuleBroken) {
  const SlotRules rules = Rules();
  WorkingCalendar cal;
  Diary diary;
  EXPECT_EQ(CheckSlot(rules, cal, diary, {"c"}, {D(2027, 3, 13), 10, 0, 0}).fault, SlotFault::kNotWorkingDay);
  EXPECT_EQ(CheckSlot(rules, cal, diary, {"c"}, {D(2027, 3, 15), 12, 0, 0}).fault, SlotFault::kOutsideHours);
  EXPECT_EQ(CheckSlot(rules, cal, diary, {"c"}, {D(2027, 3, 15), 8, 30, 0}).fault, SlotFault::kOutsideHours);
  EXPECT_EQ(CheckSlot(rules, cal, diary, {"c"}, {D(2027, 3, 15), 16, 30, 0}).fault, SlotFault::kNone);
  for (int h : {9, 10, 11}) diary.Add("c", D(2027, 3, 15), Booking{Min(h, 0), Min(h + 1, 0), "p", "m"});
  SlotCheck full = CheckSlot(rules, cal, diary, {"e", "c"}, {D(2027, 3, 15), 15, 0, 0});
  EXPECT_EQ(full.fault, SlotFault::kDayFull);
  EXPECT_EQ(full.person, "c");
  EXPECT_EQ(SlotFaultCode(full.fault), "day_full");
}

TEST(ReviewSlotsTest, PlacementIsDeterministicWhateverTheDiaryOrder) {
  const SlotRules rules = Rules();
  WorkingCalendar cal;
  std::vector<std::pair<CivilDate, Booking>> bookings;
  for (int i = 0; i < 30; ++i)
    bookings.push_back({D(2027, 3, 15).AddDays(i % 5), Booking{Min(9 + i % 8, 0), Min(9 + i % 8, 45), "o", "b"}});
  std::vector<LocalDateTime> first;
  for (int round = 0; round < 5; ++round) {
    std::mt19937 rng(round);
    std::shuffle(bookings.begin(), bookings.end(), rng);
    Diary diary;
    for (const auto& [day, b] : bookings) diary.Add("c", day, b);
    auto slots = PlaceMany(rules, cal, diary, 12, D(2027, 3, 15));
    if (round == 0) first = slots;
    ASSERT_EQ(slots.size(), first.size());
    for (size_t i = 0; i < slots.size(); ++i) {
      EXPECT_EQ(slots[i].date, first[i].date);
      EXPECT_EQ(MinuteOfDay(slots[i]), MinuteOfDay(first[i]));
    }
  }
}

TEST(ReviewSlotsTest, AFullCalendarIsNoSlotRatherThanAnOverlap) {
  SlotRules rules = Rules();
  rules.max_shift_days = 6;  // a week
  WorkingCalendar cal;
  Diary diary;
  // A week of 5 working days × 3 a day: 15 fit, the 16th does not.
  auto slots = PlaceMany(rules, cal, diary, 15, D(2027, 3, 15));
  ASSERT_EQ(slots.size(), 15u);
  EXPECT_FALSE(FirstFreeSlot(rules, cal, diary, {"c", "late"}, D(2027, 3, 15), D(2027, 12, 31)).has_value());
  // Nor past the term's last day.
  Diary empty;
  EXPECT_FALSE(FirstFreeSlot(rules, cal, empty, {"c"}, D(2027, 3, 13), D(2027, 3, 14)).has_value());
}

TEST(ReviewSlotsTest, NearestFreeSlotsAreFreeAndClosestFirst) {
  const SlotRules rules = Rules();
  WorkingCalendar cal;
  Diary diary;
  diary.Add("c", D(2027, 3, 16), Booking{Min(10, 0), Min(11, 0), "p", "m"});
  auto near = NearestFreeSlots(rules, cal, diary, {"c"}, {D(2027, 3, 16), 10, 0, 0}, D(2027, 3, 1), 3);
  ASSERT_EQ(near.size(), 3u);
  // 09:00 and 11:00 are both an hour away: the earlier first.
  EXPECT_EQ(MinuteOfDay(near[0]), Min(9, 0));
  EXPECT_EQ(MinuteOfDay(near[1]), Min(11, 0));
  for (const LocalDateTime& s : near) EXPECT_TRUE(CheckSlot(rules, cal, diary, {"c"}, s).ok());
}

TEST(ReviewSlotsTest, EffectiveRulesTakeUnsetFieldsFromDefaults) {
  ReviewRule rule;
  rule.hour = 9;
  rule.minute = 30;
  rule.max_per_day = 2;
  SlotRules defaults = Rules();
  defaults.duration_minutes = 45;
  SlotRules r = EffectiveSlotRules(rule, defaults);
  EXPECT_EQ(r.duration_minutes, 45);
  EXPECT_EQ(r.max_per_day, 2);
  EXPECT_EQ(r.windows, defaults.windows);
  EXPECT_EQ(r.preferred_minute, Min(9, 30));
}

}  // namespace
}  // namespace relais::programme
