// Review slots through the ProgrammeService (issue 16 §5): a coordinator of
// two programmes is never booked twice, a full calendar refuses the
// assignment and writes nothing, the configured defaults are recorded in the
// definition, and the same commands give the same slots in another store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/programme/review_placement.h"
#include "tests/programme/programme_fixture.h"

namespace relais::programme {
namespace {

using testing::CbeDefinition;
using testing::D;
using testing::Harness;
using testing::T;

// Every scheduled milestone of the programmes, per attendee and day: the
// attendee's slots [start, end) in minutes.
using Slots = std::map<std::string, std::map<CivilDate, std::vector<std::pair<int, int>>>>;
void Collect(const ProgrammeState& s, int rule_duration, Slots& out) {
  for (const auto& [id, m] : s.milestones) {
    if (m.status != MilestoneStatus::kScheduled) continue;
    const int start = MinuteOfDay(m.at);
    for (const std::string& person : s.NotifyFor(m))
      out[person][m.at.date].push_back({start, start + (m.duration_minutes ? m.duration_minutes : rule_duration)});
  }
}
// "" when no person has two overlapping slots or more than max_per_day a day.
std::string Collisions(Slots& slots, int max_per_day) {
  std::string out;
  for (auto& [person, days] : slots)
    for (auto& [day, list] : days) {
      if (static_cast<int>(list.size()) > max_per_day) out += person + " has too many on " + day.ToString() + "; ";
      std::sort(list.begin(), list.end());
      for (size_t i = 1; i < list.size(); ++i)
        if (list[i].first < list[i - 1].second) out += person + " is booked twice on " + day.ToString() + "; ";
    }
  return out;
}

Json Named(const std::string& id, Json reviews = {{"per_year", 3}}) {
  Json json = CbeDefinition(std::move(reviews));
  json["id"] = id;
  return json;
}

TEST(ReviewPlacement, ACoordinatorOfTwoProgrammesIsNeverBookedTwice) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  Harness h(store, clock);
  for (const char* id : {"nord", "sud"}) {
    auto def = ProgrammeDefinition::FromJson(Named(id));
    ASSERT_TRUE(def.ok()) << def.status();
    ASSERT_TRUE(h.programmes.Define(*def, "x").ok());
    ASSERT_TRUE(
        h.programmes.Assign(id, {"person:claire.dumas", "coordinator", "", D("2026-12-01"), D("2030-12-31")}, "x")
            .ok());
  }
  // Four élus in each, every term starting the same day: all nominal dates collide.
  for (const char* id : {"nord", "sud"})
    for (const char* axis : {"1", "2A", "2B", "3"}) {
      auto a = h.programmes.Assign(
          id, {"person:elu-" + std::string(axis) + "-" + id, "elu_referent", axis, D("2027-01-01"), D("2029-12-31")},
          "x");
      ASSERT_TRUE(a.ok()) << a.status();
    }
  Slots slots;
  size_t reviews = 0;
  for (const char* id : {"nord", "sud"}) {
    auto state = h.programmes.Get(id);
    ASSERT_TRUE(state.ok());
    Collect(**state, 60, slots);
    for (const auto& [mid, m] : (*state)->milestones) reviews += m.kind == "review";
  }
  EXPECT_EQ(reviews, 2u * 4u * 9u);
  EXPECT_EQ(Collisions(slots, 3), "");
  // The coordinator's 72 reviews over both programmes, at most 3 a day.
  size_t coordinator = 0;
  for (const auto& [day, list] : slots["person:claire.dumas"]) coordinator += list.size();
  EXPECT_GE(coordinator, 72u);
  // Moving a review of "sud" onto a slot the coordinator holds in "nord" is refused.
  auto nord = h.programmes.Get("nord");
  auto sud = h.programmes.Get("sud");
  ASSERT_TRUE(nord.ok() && sud.ok());
  const Milestone* in_nord = nullptr;
  const Milestone* in_sud = nullptr;
  for (const auto& [mid, m] : (*nord)->milestones)
    if (m.kind == "review" && (!in_nord || m.due < in_nord->due)) in_nord = &m;
  for (const auto& [mid, m] : (*sud)->milestones)
    if (m.kind == "review" && (!in_sud || m.due < in_sud->due)) in_sud = &m;
  ASSERT_TRUE(in_nord && in_sud);
  SlotRefusal refused;
  auto moved =
      h.programmes.Move("sud", in_sud->id, MoveTarget{in_nord->at.date, MinuteOfDay(in_nord->at)}, "x", &refused);
  EXPECT_EQ(moved.status().code(), StatusCode::kFailedPrecondition) << moved.status();
  EXPECT_EQ(refused.check.fault, SlotFault::kPersonBusy);
  EXPECT_EQ(refused.check.person, "person:claire.dumas");
  EXPECT_EQ(refused.check.conflict.programme, "nord");
  EXPECT_EQ(refused.check.conflict.milestone, in_nord->id);
}

TEST(ReviewPlacement, ANewCoordinatorBusyElsewhereGetsTheCollidingReviewsMoved) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  Harness h(store, clock);
  for (const char* id : {"nord", "sud"}) {
    auto def = ProgrammeDefinition::FromJson(Named(id));
    ASSERT_TRUE(def.ok()) << def.status();
    ASSERT_TRUE(h.programmes.Define(*def, "x").ok());
  }
  // "nord": claire coordinates from the start; "sud": élus first, no coordinator yet.
  ASSERT_TRUE(
      h.programmes.Assign("nord", {"person:claire.dumas", "coordinator", "", D("2026-12-01"), D("2030-12-31")}, "x")
          .ok());
  for (const char* id : {"nord", "sud"})
    for (const char* axis : {"1", "2A"})
      ASSERT_TRUE(h.programmes
                      .Assign(id,
                              {"person:elu-" + std::string(axis) + "-" + id, "elu_referent", axis, D("2027-01-01"),
                               D("2029-12-31")},
                              "x")
                      .ok());
  // Same slots in both (no shared person yet).
  auto before = h.programmes.Get("sud");
  ASSERT_TRUE(before.ok());
  // claire now coordinates "sud" too: its reviews at her "nord" times move.
  auto a =
      h.programmes.Assign("sud", {"person:claire.dumas", "coordinator", "", D("2026-12-01"), D("2030-12-31")}, "x");
  ASSERT_TRUE(a.ok()) << a.status();
  auto after = h.programmes.Get("sud");
  ASSERT_TRUE(after.ok());
  int moved = 0;
  for (const auto& [id, m] : (*after)->milestones) {
    const Milestone& old = (*before)->milestones.at(id);
    if (old.at != m.at) {
      ++moved;
      EXPECT_EQ(m.sequence, old.sequence + 1) << id;
    }
  }
  EXPECT_GT(moved, 0);
  Slots slots;
  for (const char* id : {"nord", "sud"}) Collect(**h.programmes.Get(id), 60, slots);
  EXPECT_EQ(Collisions(slots, 3), "");
}

TEST(ReviewPlacement, AFullCalendarRefusesTheAssignmentAndWritesNothing) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  ProgrammeOptions options;
  options.review_defaults.max_shift_days = 2;
  Harness h(store, clock, options);
  // One review a day, in one morning hour.
  h.Define(CbeDefinition({{"per_year", 3}, {"working_hours", {"09:00-10:00"}}, {"max_per_day", 1}}));
  h.Assign("person:paul.sud", "coordinator", "", "2026-12-01", "2030-12-31");
  // Each nominal day and the two after it hold at most 3 reviews of the coordinator (fewer on
  // weekends): the élus fill them, then one is refused.
  Status refused;
  int placed = 0;
  for (const char* axis : {"1", "2", "2A", "2B", "3"}) {
    auto a = h.programmes.Assign(
        "sud-val-de-marnais",
        {"person:elu-" + std::string(axis), "elu_referent", axis, D("2027-01-01"), D("2029-12-31")}, "x");
    if (!a.ok()) {
      refused = a.status();
      break;
    }
    ++placed;
  }
  ASSERT_FALSE(refused.ok()) << "a full calendar must refuse, not overlap";
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("no free review slot for person:elu-"));
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("programme.reviews.max_per_day"));
  EXPECT_GE(placed, 1);
  // Nothing of the refused assignment was written.
  size_t assignments = 0;
  for (const auto& [id, a] : h.State()->assignments) assignments += a.role == "elu_referent";
  EXPECT_EQ(assignments, static_cast<size_t>(placed));
  Slots slots;
  Collect(*h.State(), 60, slots);
  EXPECT_EQ(Collisions(slots, 1), "");
}

TEST(ReviewPlacement, TheConfiguredDefaultsApplyWhereTheRuleSaysNothing) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  ProgrammeOptions options;
  options.review_defaults.duration_minutes = 90;
  options.review_defaults.windows = {{8 * 60, 12 * 60}, {13 * 60 + 30, 17 * 60}};
  options.review_defaults.max_per_day = 3;
  Harness h(store, clock, options);
  h.Define(CbeDefinition({{"per_year", 3}, {"time", "08:00"}, {"max_per_day", 2}}));
  const SlotRules rules = h.programmes.SlotRulesOf(h.State()->definition);
  EXPECT_EQ(rules.duration_minutes, 90);
  EXPECT_EQ(rules.max_per_day, 2);  // the programme's own
  EXPECT_EQ(rules.windows, options.review_defaults.windows);
  EXPECT_EQ(rules.preferred_minute, 8 * 60);
  h.Assign("person:paul.sud", "coordinator", "", "2026-12-01", "2030-12-31");
  for (const char* axis : {"1", "2A", "3"})
    h.Assign("person:elu-" + std::string(axis), "elu_referent", axis, "2027-01-01", "2029-12-31");
  std::vector<Milestone> first;
  for (const char* axis : {"1", "2A", "3"}) first.push_back(h.Reviews(axis).front());
  std::sort(first.begin(), first.end(), [](const Milestone& a, const Milestone& b) { return a.due < b.due; });
  EXPECT_EQ(first[0].at.hour, 8);
  EXPECT_EQ(first[0].at.minute, 0);
  EXPECT_EQ(first[1].at.hour, 9);  // 08:00 + 90 minutes
  EXPECT_EQ(first[1].at.minute, 30);
  EXPECT_EQ(first[0].duration_minutes, 90);
  EXPECT_LT(first[1].at.date, first[2].at.date);  // two a day at most
  Slots slots;
  Collect(*h.State(), 90, slots);
  EXPECT_EQ(Collisions(slots, 2), "");
}

TEST(ReviewPlacement, TheSameCommandsGiveTheSameSlotsInAnotherStore) {
  auto run = [](std::vector<std::pair<std::string, std::string>>* out) {
    ManualClock clock(T("2026-12-01T08:00:00Z"));
    MemoryEventStore store(clock);
    Harness h(store, clock);
    h.Define();
    h.Assign("person:paul.sud", "coordinator", "", "2026-12-01", "2030-12-31");
    for (const char* axis : {"1", "2", "2A", "2B", "3"})
      h.Assign("person:elu-" + std::string(axis), "elu_referent", axis, "2027-01-01", "2029-12-31");
    for (const auto& [id, m] : h.State()->milestones)
      out->push_back({id, m.at.date.ToString() + " " + std::to_string(MinuteOfDay(m.at))});
  };
  std::vector<std::pair<std::string, std::string>> a, b;
  run(&a);
  run(&b);
  ASSERT_EQ(a.size(), 5u * 9u + 6u);
  EXPECT_EQ(a, b);
}

TEST(ReviewPlacement, TheRuleIsValidatedNamingTheField) {
  auto bad = [](Json reviews) {
    auto def = ProgrammeDefinition::FromJson(CbeDefinition(std::move(reviews)));
    return def.ok() ? std::string("ok") : def.status().message();
  };
  EXPECT_THAT(bad({{"working_hours", {"09:00-12:30", "9h-17h"}}}),
              ::testing::HasSubstr("programme.reviews.working_hours[1]: expected \"HH:MM-HH:MM\""));
  EXPECT_THAT(bad({{"working_hours", {"14:00-17:00", "09:00-12:00"}}}),
              ::testing::HasSubstr("programme.reviews.working_hours[1]"));
  EXPECT_THAT(bad({{"duration_minutes", 600}}),
              ::testing::HasSubstr("programme.reviews.duration_minutes: expected an integer from 5 to 480"));
  EXPECT_THAT(bad({{"max_per_day", 0}}), ::testing::HasSubstr("programme.reviews.max_per_day"));
  EXPECT_THAT(bad({{"duration_minutes", 120}, {"working_hours", {"09:00-10:00"}}}),
              ::testing::HasSubstr("shorter than a review (120 minutes)"));
  EXPECT_EQ(bad({{"duration_minutes", 45}, {"working_hours", {"09:00-12:00"}}, {"max_per_day", 2}}), "ok");
}

}  // namespace
}  // namespace relais::programme
