// Programmes with an injected clock: review placement over a term, every
// milestone stage firing exactly once (also across a store reopen),
// reassignment, DST, holidays, escalation, term reminders, indicators, feeds.
#include <gtest/gtest.h>

#include <set>

#include "engine/programme/ics_feed.h"
#include "engine/programme/review_placement.h"
#include "engine/store/memory_event_store.h"
#include "engine/store/rocksdb_event_store.h"
#include "tests/programme/programme_fixture.h"
#include "tests/testing/temp_dir.h"

namespace relais::programme {
namespace {

using testing::CbeDefinition;
using testing::D;
using testing::Harness;
using testing::OpenRocks;
using testing::T;

TEST(ProgrammeDefinition, ErrorsNameTheFieldAndWhatIsExpected) {
  Json bad = CbeDefinition();
  bad["axes"][3]["parent"] = "9";
  auto def = ProgrammeDefinition::FromJson(bad);
  ASSERT_EQ(def.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(def.status().message().find("programme.axes[3].parent: no axis '9'"), std::string::npos) << def.status();

  bad = CbeDefinition({{"per_year", 3}, {"months", {3, 6}}});
  def = ProgrammeDefinition::FromJson(bad);
  EXPECT_NE(def.status().message().find("programme.reviews.months"), std::string::npos) << def.status();

  bad = CbeDefinition({{"time", "25:00"}});
  def = ProgrammeDefinition::FromJson(bad);
  EXPECT_NE(def.status().message().find("programme.reviews.time: expected HH:MM"), std::string::npos) << def.status();

  bad = CbeDefinition();
  bad["actions"][0]["axis"] = "7";
  def = ProgrammeDefinition::FromJson(bad);
  EXPECT_NE(def.status().message().find("programme.actions[0].axis: no axis '7'"), std::string::npos) << def.status();

  auto good = ProgrammeDefinition::FromJson(CbeDefinition());
  ASSERT_TRUE(good.ok()) << good.status();
  auto again = ProgrammeDefinition::FromJson(good->ToJson());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->ToJson(), good->ToJson());
}

TEST(ReviewPlacement, EvenlyGivesThreeAYearOnWorkingDaysInsideTheTerm) {
  calendar::WorkingCalendar cal;
  ReviewRule rule;
  for (const char* start : {"2027-01-01", "2027-03-17", "2028-02-29", "2026-09-01"}) {
    CivilDate s = D(start);
    CivilDate e = AddYears(s, 3).AddDays(-1);
    auto dates = ReviewDates(rule, cal, s, e);
    ASSERT_EQ(dates.size(), 9u) << start;
    for (const CivilDate& d : dates) {
      EXPECT_TRUE(cal.IsWorkingDay(d)) << d.ToString();
      EXPECT_FALSE(d < s || e < d) << d.ToString();
    }
    // Evenly: every gap between two reviews is about four months.
    for (size_t i = 1; i < dates.size(); ++i) {
      int64_t gap = dates[i].DaysSinceEpoch() - dates[i - 1].DaysSinceEpoch();
      EXPECT_GE(gap, 115) << start;
      EXPECT_LE(gap, 130) << start;
    }
  }
}

TEST(ReviewPlacement, NamedMonthsMoveOffFirstMayAndAscension) {
  calendar::WorkingCalendar cal;
  ReviewRule rule;
  rule.per_year = 1;
  rule.months = {5};
  rule.day = 1;
  auto dates = ReviewDates(rule, cal, D("2027-01-01"), D("2029-12-31"));
  ASSERT_EQ(dates.size(), 3u);
  EXPECT_EQ(dates[0], D("2027-05-03"));  // Saturday 1 May -> Monday
  EXPECT_EQ(dates[1], D("2028-05-02"));  // Monday 1 May -> Tuesday
  EXPECT_EQ(dates[2], D("2029-05-02"));  // Tuesday 1 May -> Wednesday
  rule.day = 25;
  dates = ReviewDates(rule, cal, D("2028-01-01"), D("2028-12-31"));
  ASSERT_EQ(dates.size(), 1u);
  EXPECT_EQ(dates[0], D("2028-05-26"));  // Ascension Thursday -> Friday
  // A move past the term's last day drops the review.
  rule.day = 1;
  EXPECT_TRUE(ReviewDates(rule, cal, D("2028-04-01"), D("2028-05-01")).empty());
}

TEST(Programme, FullTermGivesNineReviewsEachFiringEveryStageOnce) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  Harness h(store, clock);
  h.Define();
  h.Assign("person:claire.dumas", "coordinator", "", "2026-12-01", "2030-12-31");
  h.Assign("person:marc.lefort", "elu_referent", "2A", "2027-01-01", "2029-12-31");
  auto reviews = h.Reviews();
  ASSERT_EQ(reviews.size(), 9u);
  calendar::WorkingCalendar cal;
  for (const Milestone& m : reviews) {
    EXPECT_TRUE(cal.IsWorkingDay(m.at.date)) << m.at.date.ToString();
    EXPECT_EQ(m.person, "person:marc.lefort");
    EXPECT_EQ(m.at.hour, 10);
    EXPECT_EQ(calendar::TimeZone::Find("Europe/Paris")->ToLocal(m.due).hour, 10)
        << m.id;  // 10:00 Paris, summer or winter
  }
  // Hold every other review when it falls due; leave the others.
  std::set<std::string> held;
  for (size_t i = 0; i < reviews.size(); ++i) {
    h.RunUntil(reviews[i].due + std::chrono::hours(1));
    if (i % 2 == 0) {
      auto m = h.programmes.RecordHeld("sud-val-de-marnais", reviews[i].id, "Point sur l'aide à domicile",
                                       Json::array({"relancer le CCAS"}), "person:claire.dumas");
      ASSERT_TRUE(m.ok()) << m.status();
      held.insert(reviews[i].id);
    }
  }
  h.RunUntil(T("2030-06-01T00:00:00Z"));
  auto counts = h.CountByType();
  EXPECT_EQ(counts["reminder_sent"], 9 + 6);  // 9 reviews + 3 prizes + 3 evaluations
  EXPECT_EQ(counts["milestone_due"], 9 + 6);
  EXPECT_EQ(counts["review_held"], 5);
  EXPECT_EQ(counts["milestone_overdue"], 4 + 6);
  EXPECT_EQ(counts["term_reminder_sent"], 1);  // the élu's; the coordinator's term runs on
  EXPECT_EQ(counts["term_ended"], 1);
  EXPECT_EQ(counts["role_vacant"], 1);
  // Each stage of each milestone exactly once.
  std::set<std::pair<std::string, std::string>> seen;
  for (const RecordedEvent& e : h.Events()) {
    if (e.type != "reminder_sent" && e.type != "milestone_due" && e.type != "milestone_overdue") continue;
    EXPECT_TRUE(seen.insert({e.type, e.Data()["milestone"].get<std::string>()}).second) << e.type;
  }
  auto state = h.State();
  EXPECT_EQ(state->ActiveHolder("elu_referent", "2A"), nullptr);
  auto pending = h.timers.NextDue();
  ASSERT_TRUE(pending.ok());
  // Only the coordinator's term reminder is still pending.
  ASSERT_TRUE(pending->has_value());
  EXPECT_EQ(**pending, calendar::TimeZone::Find("Europe/Paris")->ToUtc({D("2030-12-31").AddDays(-60), 9, 0, 0}));
}

TEST(Programme, StoreReopenedMidTermLosesAndDuplicatesNothing) {
  relais::testing::TempDir dir;
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  std::vector<std::string> review_ids;
  {
    auto store = OpenRocks(dir.Sub("db"), clock);
    ASSERT_NE(store, nullptr);
    Harness h(*store, clock);
    h.Define();
    h.Assign("person:marc.lefort", "elu_referent", "2A", "2027-01-01", "2029-12-31");
    for (const Milestone& m : h.Reviews()) review_ids.push_back(m.id);
    h.RunUntil(T("2028-06-15T12:00:00Z"));
  }
  ASSERT_EQ(review_ids.size(), 9u);
  {
    auto store = OpenRocks(dir.Sub("db"), clock);
    ASSERT_NE(store, nullptr);
    Harness h(*store, clock);
    // Fire again at the same instant: nothing already fired fires twice.
    auto report = h.timers.FireDue();
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->fired, 0u);
    h.RunUntil(T("2030-03-01T00:00:00Z"));
    auto counts = h.CountByType();
    EXPECT_EQ(counts["milestone_due"], 9 + 6);
    EXPECT_EQ(counts["reminder_sent"], 9 + 6);
    EXPECT_EQ(counts["milestone_overdue"], 9 + 6);
    EXPECT_EQ(counts["term_ended"], 1);
    std::set<std::string> due;
    for (const RecordedEvent& e : h.Events())
      if (e.type == "milestone_due") {
        EXPECT_TRUE(due.insert(e.Data()["milestone"].get<std::string>()).second);
      }
    for (const std::string& id : review_ids) EXPECT_TRUE(due.count(id)) << id;
  }
}

TEST(Programme, NewEluTakesOverFutureReviewsAndOldOnesStopAtReplacement) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  Harness h(store, clock);
  h.Define(CbeDefinition({{"months", {3, 6, 11}}, {"day", 15}}));
  Assignment first = h.Assign("person:marc.lefort", "elu_referent", "2A", "2027-01-01", "2029-12-31");
  ASSERT_EQ(h.Reviews().size(), 9u);
  h.RunUntil(T("2027-07-01T08:00:00Z"));  // March and June 2027 are past
  Assignment second = h.Assign("person:nadia.berrada", "elu_referent", "2A", "2027-07-01", "2030-06-30");
  auto state = h.State();
  EXPECT_FALSE(state->assignments.at(first.id).active);
  EXPECT_EQ(state->assignments.at(first.id).end_reason, "replaced");
  int old_person = 0, new_person = 0, taken_over = 0;
  for (const Milestone& m : h.Reviews()) {
    if (m.status == MilestoneStatus::kCancelled) continue;
    if (m.person == "person:marc.lefort") {
      ++old_person;
      EXPECT_LT(m.at.date, D("2027-07-01"));
    } else {
      ++new_person;
      EXPECT_EQ(m.person, "person:nadia.berrada");
      EXPECT_EQ(m.assignment_id, second.id);
      if (m.sequence == 1) ++taken_over;
    }
  }
  EXPECT_EQ(old_person, 2);
  EXPECT_EQ(taken_over, 7);      // Nov 2027 .. Nov 2029
  EXPECT_EQ(new_person, 7 + 2);  // plus March and June 2030
  EXPECT_EQ(h.CountByType()["milestone_reassigned"], 7);
  EXPECT_EQ(h.CountByType()["role_vacant"], 0);
}

TEST(Programme, ReviewsAcrossTheDstChangeFallDueAtTenParis) {
  ManualClock clock(T("2027-01-05T08:00:00Z"));
  MemoryEventStore store(clock);
  ProgrammeOptions options;
  options.reminder_days = 2;
  Harness h(store, clock, options);
  h.Define(CbeDefinition({{"months", {3}}, {"day", 26}}));
  h.Assign("person:marc.lefort", "elu_referent", "2A", "2027-01-01", "2028-12-31");
  auto reviews = h.Reviews();
  ASSERT_EQ(reviews.size(), 2u);
  // 26 March 2027 is a Friday before the change (Sunday 28): 09:00 UTC.
  EXPECT_EQ(reviews[0].due, T("2027-03-26T09:00:00Z"));
  // 26 March 2028 is a Sunday, after the change (26 March 2028 itself): Monday 27, 08:00 UTC.
  EXPECT_EQ(reviews[1].at.date, D("2028-03-27"));
  EXPECT_EQ(reviews[1].due, T("2028-03-27T08:00:00Z"));
  auto reviews_due = [&] {
    int n = 0;
    for (const RecordedEvent& e : h.Events())
      if (e.type == "milestone_due" && e.Data()["kind"] == "review") ++n;
    return n;
  };
  h.RunUntil(T("2028-03-27T07:59:59Z"));
  EXPECT_EQ(reviews_due(), 1);
  h.RunUntil(T("2028-03-27T08:00:00Z"));  // 10:00 summer time, not 09:00 UTC
  EXPECT_EQ(reviews_due(), 2);
}

TEST(Programme, OverdueEscalationTellsCoordinatorAndElu) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  Harness h(store, clock);
  h.Define();
  h.Assign("person:claire.dumas", "coordinator", "", "2026-12-01", "2029-12-31");
  h.Assign("person:marc.lefort", "elu_referent", "2A", "2027-01-01", "2029-12-31");
  Milestone first = h.Reviews().front();
  h.RunUntil(first.due + std::chrono::days(14) - std::chrono::microseconds(1));
  EXPECT_EQ(h.CountByType()["milestone_overdue"], 0);
  EXPECT_FALSE(h.State()->milestones.at(first.id).overdue);
  h.RunUntil(first.due + std::chrono::days(14));
  EXPECT_TRUE(h.State()->milestones.at(first.id).overdue);
  Json overdue;
  for (const RecordedEvent& e : h.Events())
    if (e.type == "milestone_overdue") overdue = e.Data();
  ASSERT_TRUE(overdue.is_object());
  EXPECT_EQ(overdue["milestone"], first.id);
  EXPECT_EQ(overdue["notify"], Json::array({"person:claire.dumas", "person:marc.lefort"}));
  // Held late: no longer overdue; the record says it was.
  auto held = h.programmes.RecordHeld("sud-val-de-marnais", first.id, "", Json::array(), "person:claire.dumas");
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_FALSE(held->overdue);
  EXPECT_EQ(held->status, MilestoneStatus::kHeld);
  auto again = h.programmes.RecordHeld("sud-val-de-marnais", first.id, "", Json::array(), "person:claire.dumas");
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
}

TEST(Programme, TermEndReminderOnceThenTermEndsAndRoleIsVacant) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  ProgrammeOptions options;
  options.term_reminder_days = 30;
  Harness h(store, clock, options);
  h.Define();
  Assignment a = h.Assign("person:julie.moreau", "referent_technique", "3", "2027-01-01", "2027-12-31");
  h.RunUntil(T("2027-12-01T07:59:59Z"));  // 1 Dec 2027 09:00 Paris = 08:00 UTC
  EXPECT_EQ(h.CountByType()["term_reminder_sent"], 0);
  h.RunUntil(T("2027-12-01T08:00:00Z"));
  EXPECT_EQ(h.CountByType()["term_reminder_sent"], 1);
  h.RunUntil(T("2027-12-31T22:59:59Z"));
  EXPECT_TRUE(h.State()->assignments.at(a.id).active);
  h.RunUntil(T("2027-12-31T23:00:00Z"));  // midnight in Paris
  EXPECT_FALSE(h.State()->assignments.at(a.id).active);
  EXPECT_EQ(h.State()->assignments.at(a.id).end_reason, "expired");
  auto counts = h.CountByType();
  EXPECT_EQ(counts["term_reminder_sent"], 1);
  EXPECT_EQ(counts["term_ended"], 1);
  EXPECT_EQ(counts["role_vacant"], 1);
}

TEST(Programme, EndingATermCancelsWhatRemains) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  Harness h(store, clock);
  h.Define();
  Assignment a = h.Assign("person:marc.lefort", "elu_referent", "2A", "2027-01-01", "2029-12-31");
  h.RunUntil(T("2028-01-10T08:00:00Z"));
  auto ended = h.programmes.EndTerm("sud-val-de-marnais", a.id, "person:claire.dumas");
  ASSERT_TRUE(ended.ok()) << ended.status();
  int cancelled = 0, fired = 0;
  for (const Milestone& m : h.Reviews()) {
    if (m.status == MilestoneStatus::kCancelled) {
      ++cancelled;
      EXPECT_EQ(m.sequence, 1);
    } else {
      ++fired;
      EXPECT_TRUE(m.due_fired);
    }
  }
  EXPECT_EQ(cancelled + fired, 9);
  EXPECT_EQ(fired, 3);
  h.RunUntil(T("2030-06-01T00:00:00Z"));
  EXPECT_EQ(h.CountByType()["milestone_due"], 3 + 6);
  EXPECT_EQ(h.programmes.EndTerm("sud-val-de-marnais", a.id, "x").status().code(), StatusCode::kFailedPrecondition);
}

TEST(Programme, BadInputIsRefusedAndWritesNothing) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  Harness h(store, clock);
  h.Define();
  const uint64_t version = h.State()->version;
  auto& p = h.programmes;
  EXPECT_EQ(p.Assign("sud-val-de-marnais", {"person:a", "elu_referent", "9", D("2027-01-01"), D("2029-12-31")}, "x")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(p.Assign("sud-val-de-marnais", {"person:a", "maire", "2A", D("2027-01-01"), D("2029-12-31")}, "x")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(p.Assign("sud-val-de-marnais", {"person:a", "elu_referent", "", D("2027-01-01"), D("2029-12-31")}, "x")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(p.Assign("sud-val-de-marnais", {"person:a", "elu_referent", "2A", D("2029-01-01"), D("2027-12-31")}, "x")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(p.Assign("nope", {"person:a", "elu_referent", "2A", D("2027-01-01"), D("2029-12-31")}, "x").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(p.RecordIndicator("sud-val-de-marnais", "inconnue", "jobs_created", 2, 2027, "x").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(p.RecordIndicator("sud-val-de-marnais", "aide-domicile", "jobs created", 2, 2027, "x").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(p.RecordHeld("sud-val-de-marnais", "nope", "", Json::array(), "x").status().code(), StatusCode::kNotFound);
  auto def = ProgrammeDefinition::FromJson(CbeDefinition());
  EXPECT_EQ(p.Define(*def, "x").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(h.State()->version, version);
  auto next = h.timers.NextDue();
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(next->has_value());  // only the yearly milestones' reminders
}

TEST(Programme, IndicatorsSumPerActionAxisParentAndProgramme) {
  ManualClock clock(T("2027-06-01T08:00:00Z"));
  MemoryEventStore store(clock);
  Harness h(store, clock);
  h.Define();
  auto& p = h.programmes;
  ASSERT_TRUE(p.RecordIndicator("sud-val-de-marnais", "aide-domicile", "jobs_created", 4, 2027, "x").ok());
  ASSERT_TRUE(p.RecordIndicator("sud-val-de-marnais", "garde-horaires-atypiques", "jobs_created", 3, 2027, "x").ok());
  ASSERT_TRUE(p.RecordIndicator("sud-val-de-marnais", "plateforme-mobilite", "people_placed", 12, 2028, "x").ok());
  Json totals = IndicatorTotals(*h.State());
  EXPECT_EQ(totals["programme"]["jobs_created"], 7.0);
  EXPECT_EQ(totals["programme"]["people_placed"], 12.0);
  EXPECT_EQ(totals["axes"]["2A"]["jobs_created"], 4.0);
  EXPECT_EQ(totals["axes"]["2"]["jobs_created"], 7.0);  // 2A + 2B
  EXPECT_EQ(totals["axes"]["3"]["people_placed"], 12.0);
  EXPECT_EQ(IndicatorTotals(*h.State(), 2028)["programme"].value("jobs_created", 0.0), 0.0);
}

TEST(Programme, MoveRaisesSequenceAndFeedShowsItAndCancellations) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  Harness h(store, clock);
  h.Define();
  Assignment a = h.Assign("person:marc.lefort", "elu_referent", "2A", "2027-01-01", "2029-12-31");
  Milestone first = h.Reviews().front();
  // 1 May 2027 (a Saturday and a public holiday) is refused, not shifted.
  SlotRefusal refused;
  auto holiday = h.programmes.Move("sud-val-de-marnais", first.id, D("2027-05-01"), "person:claire.dumas", &refused);
  EXPECT_EQ(holiday.status().code(), StatusCode::kFailedPrecondition) << holiday.status();
  EXPECT_EQ(refused.check.fault, SlotFault::kNotWorkingDay);
  ASSERT_FALSE(refused.nearest.empty());
  EXPECT_TRUE(CalendarOf(h.State()->definition).IsWorkingDay(refused.nearest.front().date));
  auto moved = h.programmes.Move("sud-val-de-marnais", first.id, D("2027-05-03"), "person:claire.dumas");
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->at.date, D("2027-05-03"));
  EXPECT_EQ(moved->at.hour, 10);  // its own time, free that day
  EXPECT_EQ(moved->sequence, 1);
  EXPECT_EQ(moved->id, first.id);
  // The reminder follows the move.
  auto reminder = h.PendingTimerOf(first.id);
  ASSERT_TRUE(reminder);
  EXPECT_EQ(reminder->due, moved->due - std::chrono::days(7));
  ASSERT_TRUE(h.programmes.EndTerm("sud-val-de-marnais", a.id, "person:claire.dumas").ok());
  auto state = h.State();
  std::vector<FeedEntry> entries;
  for (const auto& [id, m] : state->milestones) entries.push_back({state.get(), &m});
  auto unfold = [](std::string text) {
    for (size_t at; (at = text.find("\r\n ")) != std::string::npos;) text.erase(at, 3);
    return text;
  };
  std::string fr = unfold(*RenderIcsFeed("Relais", entries, "fr", "https://relais.example"));
  std::string en = unfold(*RenderIcsFeed("Relais", entries, "en", "https://relais.example"));
  EXPECT_NE(fr.find("UID:" + first.id + "@sud-val-de-marnais.relais\r\n"), std::string::npos);
  EXPECT_NE(fr.find("DTSTART;TZID=Europe/Paris:20270503T100000\r\n"), std::string::npos);
  EXPECT_NE(fr.find("SEQUENCE:2\r\n"), std::string::npos);  // moved, then cancelled
  EXPECT_NE(fr.find("STATUS:CANCELLED\r\n"), std::string::npos);
  EXPECT_NE(fr.find("Point d'étape de l'axe 2A"), std::string::npos);
  EXPECT_NE(fr.find("Prix de l'innovation"), std::string::npos);
  EXPECT_NE(en.find("Innovation prize"), std::string::npos);
  EXPECT_NE(en.find("Review of axis 2A"), std::string::npos);
  // The link opens the programme's page of the dashboard, for a person.
  EXPECT_NE(fr.find("URL:https://relais.example/ui/index.html#/programme/sud-val-de-marnais\r\n"), std::string::npos);
}

TEST(Programme, ManyProgrammesDueAtOnceFireOnceEachInParallel) {
  relais::testing::TempDir dir;
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  auto store = OpenRocks(dir.Sub("db"), clock);
  ASSERT_NE(store, nullptr);
  Harness h(*store, clock);
  const int kProgrammes = 40;
  for (int p = 0; p < kProgrammes; ++p) {
    Json json = CbeDefinition({{"months", {2, 6, 10}}, {"day", 15}});
    json["id"] = "prog" + std::to_string(p);
    json["yearly"] = Json::array();
    auto def = ProgrammeDefinition::FromJson(json);
    ASSERT_TRUE(def.ok()) << def.status();
    ASSERT_TRUE(h.programmes.Define(*def, "x").ok());
    for (const char* axis : {"1", "2A", "3"})
      ASSERT_TRUE(h.programmes
                      .Assign(def->id,
                              {"person:elu-" + std::string(axis) + "-of-" + def->id, "elu_referent", axis,
                               D("2027-01-01"), D("2029-12-31")},
                              "x")
                      .ok());
  }
  // 120 reminders fall due at the same instant (7 days before 15 Feb 2027, 10:00 Paris): 120
  // different élus, and no coordinator, so no one is booked twice.
  clock.Set(T("2027-02-08T09:00:00Z"));
  auto report = h.timers.FireDue();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->fired, 120u);
  EXPECT_EQ(report->refused, 0u);
  report = h.timers.FireDue();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->fired, 0u);
  for (int p = 0; p < kProgrammes; ++p) {
    auto events = store->ReadStream("programme-prog" + std::to_string(p), 1, 10'000);
    ASSERT_TRUE(events.ok());
    int reminders = 0;
    for (const RecordedEvent& e : *events) reminders += e.type == "reminder_sent";
    EXPECT_EQ(reminders, 3) << p;
  }
}

TEST(Programme, FeedTokensAreRevocable) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  Harness h(store, clock);
  auto token = h.programmes.IssueFeedToken("person:marc.lefort");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->size(), 48u);
  auto feed = h.programmes.FeedOfToken(*token);
  ASSERT_TRUE(feed.ok());
  EXPECT_EQ(feed->value_or(""), "person:marc.lefort");
  ASSERT_TRUE(h.programmes.RevokeFeedToken(*token).ok());
  EXPECT_FALSE(h.programmes.FeedOfToken(*token)->has_value());
  EXPECT_EQ(h.programmes.RevokeFeedToken(*token).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace relais::programme
