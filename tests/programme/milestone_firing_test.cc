// How milestone timers fire: from their payloads and the programme's head
// record (no fold), and by folding the programme when a timer has no payload
// (timers armed by an older version) or the head record is missing. Both ways
// must record the same events; a timer read before a change must not fire;
// the cached programme must catch up with what was fired without it.
#include <gtest/gtest.h>

#include "engine/programme/milestone_timers.h"
#include "tests/programme/programme_fixture.h"

namespace relais::programme {
namespace {

using testing::D;
using testing::Harness;
using testing::T;

using MilestoneFiring = testing::CbeProgrammeTest;

constexpr const char* kProgramme = "sud-val-de-marnais";
constexpr const char* kStream = "programme-sud-val-de-marnais";

// Rewrites every pending timer of the programme without its payload and
// deletes the head record: what a store written before payloads holds.
void ForgetPayloads(EventStore& store) {
  auto due = store.KvScan(std::string(runtime::kTimerDuePrefix), "", 100'000);
  ASSERT_TRUE(due.ok()) << due.status();
  KvWrites writes;
  for (const KvEntry& e : *due) {
    auto json = ParseJson(e.value);
    ASSERT_TRUE(json.ok());
    json->erase("payload");
    writes.Put(e.key, DumpJson(*json));
  }
  writes.Delete(HeadKey(kProgramme));
  ASSERT_TRUE(store.KvWrite(writes).ok());
}

// One élu and a coordinator, then a second coordinator after the first
// reminder; every stage fired up to January 2028. forget: before each firing, the
// timers lose their payloads (the folding way every time).
std::vector<std::pair<std::string, Json>> FiringsOfATerm(bool forget) {
  testing::CbeProgramme cbe;
  Harness& h = cbe.h;
  ManualClock& clock = cbe.clock;
  h.Assign("person:claire.dumas", "coordinator", "", "2026-12-01", "2030-12-31");
  cbe.AssignMarc();
  bool second_coordinator = false;
  for (int guard = 0; guard < 1000; ++guard) {
    auto next = h.timers.NextDue();
    EXPECT_TRUE(next.ok());
    if (!next.ok() || !*next || T("2028-01-15T00:00:00Z") < **next) break;
    clock.Set(std::max(clock.Now(), **next));
    if (forget) ForgetPayloads(cbe.store);
    auto report = h.timers.FireDue();
    EXPECT_TRUE(report.ok()) << report.status();
    if (!second_coordinator && h.CountByType()["reminder_sent"] > 0) {
      h.Assign("person:nadia.benali", "coordinator", "", "2027-01-01", "2030-12-31");
      second_coordinator = true;
    }
  }
  std::vector<std::pair<std::string, Json>> out;
  for (const RecordedEvent& e : h.Events())
    if (e.type == "reminder_sent" || e.type == "milestone_due" || e.type == "milestone_overdue")
      out.push_back({e.type, e.Data()});
  return out;
}

TEST(MilestoneFiringWays, PayloadsAndFoldingRecordTheSameEvents) {
  const auto from_payloads = FiringsOfATerm(false);
  const auto folded = FiringsOfATerm(true);
  ASSERT_GE(from_payloads.size(), 12u);  // three stages of the 2027 reviews, the prize and the evaluation
  ASSERT_EQ(from_payloads.size(), folded.size());
  for (size_t i = 0; i < folded.size(); ++i) {
    EXPECT_EQ(from_payloads[i].first, folded[i].first) << i;
    EXPECT_EQ(from_payloads[i].second, folded[i].second) << i;
  }
  // The coordinator added after the first reminder is told of what follows.
  const Json& last = from_payloads.back().second;
  EXPECT_NE(std::find(last["notify"].begin(), last["notify"].end(), "person:nadia.benali"), last["notify"].end())
      << last.dump();
}

TEST_F(MilestoneFiring, ATimerReadBeforeAMoveIsDroppedNotFired) {
  AssignMarc();
  const Milestone first = h.Reviews().front();
  const std::optional<runtime::DueTimer> pending = h.PendingTimerOf(first.id);
  ASSERT_TRUE(pending);
  const runtime::DueTimer read_before = *pending;
  ASSERT_TRUE(read_before.payload.is_object());

  auto moved = h.programmes.Move(kProgramme, first.id, first.at.date.AddDays(21), "person:claire.dumas");
  ASSERT_TRUE(moved.ok()) << moved.status();
  const size_t events_before = h.Events().size();
  clock.Set(read_before.due);
  auto fired = h.programmes.FireTimers({read_before});
  ASSERT_TRUE(fired.ok()) << fired.status();
  EXPECT_EQ(*fired, 0u);
  EXPECT_EQ(h.Events().size(), events_before);
  auto stale = store.KvGet(read_before.DueKey());
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->has_value());
  // The moved milestone's own reminder is still armed, with its new date.
  const auto rearmed = h.PendingTimerOf(first.id);
  ASSERT_TRUE(rearmed);
  EXPECT_EQ(rearmed->due, moved->due - std::chrono::days(7));
  EXPECT_EQ(rearmed->payload["date"], moved->at.date.ToString());
}

TEST_F(MilestoneFiring, TheCachedProgrammeCatchesUpWithWhatFired) {
  AssignMarc();
  const Milestone first = h.Reviews().front();  // the programme is now cached
  EXPECT_FALSE(first.reminder_sent);
  h.RunUntil(first.due - std::chrono::days(1));
  auto state = h.State();
  EXPECT_TRUE(state->milestones.at(first.id).reminder_sent);
  auto version = store.StreamVersion(kStream);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(state->version, *version);
  // A change made after the firing appends at the right version.
  auto a = h.programmes.Assign(kProgramme, {"person:claire.dumas", "coordinator", "", D("2027-01-01"), D("2029-12-31")},
                               "person:claire.dumas");
  EXPECT_TRUE(a.ok()) << a.status();
}

TEST_F(MilestoneFiring, ANewEluIsNamedInTheRemindersOfTheReviewsTheyTakeOver) {
  AssignMarc();
  h.Assign("person:sophie.garnier", "elu_referent", "2A", "2026-12-02", "2029-12-31");
  const Milestone first = h.Reviews().front();
  EXPECT_EQ(first.person, "person:sophie.garnier");
  h.RunUntil(first.due);
  int reminders = 0;
  for (const RecordedEvent& e : h.Events())
    if (e.type == "reminder_sent" && e.Data()["milestone"] == first.id) {
      ++reminders;
      EXPECT_EQ(e.Data()["person"], "person:sophie.garnier");
      EXPECT_EQ(e.Data()["notify"], Json::array({"person:sophie.garnier"}));
    }
  EXPECT_EQ(reminders, 1);
}

TEST(MilestoneTimers, EachStageLeadsToTheNextFromThePayloadAlone) {
  Milestone m;
  m.id = "2A-review-20270315";
  m.kind = "review";
  m.axis = "2A";
  m.person = "person:marc.lefort";
  m.at = {D("2027-03-15"), 10, 0, 0};
  m.due = calendar::TimeZone::Find("Europe/Paris")->ToUtc(m.at);
  const StageDelays delays{std::chrono::days(7), std::chrono::days(14)};
  auto timer = MilestoneTimer(kStream, m.id, NextStage(m), m.due, MilestonePayload(m), delays);
  ASSERT_TRUE(timer);
  EXPECT_EQ(timer->fires, "programme/reminder");
  EXPECT_EQ(timer->due, m.due - std::chrono::days(7));
  auto due = FollowingTimer(*timer, delays);
  ASSERT_TRUE(due.ok() && *due);
  EXPECT_EQ((*due)->fires, "programme/due");
  EXPECT_EQ((*due)->due, m.due);
  auto overdue = FollowingTimer(**due, delays);
  ASSERT_TRUE(overdue.ok() && *overdue);
  EXPECT_EQ((*overdue)->fires, "programme/overdue");
  EXPECT_EQ((*overdue)->due, m.due + std::chrono::days(14));
  auto done = FollowingTimer(**overdue, delays);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
  // What they record, and the people told.
  auto data = FiringData(m.id, timer->payload, {"person:claire.dumas"});
  ASSERT_TRUE(data.ok());
  EXPECT_EQ((*data)["milestone"], m.id);
  EXPECT_EQ((*data)["date"], "2027-03-15");
  EXPECT_EQ((*data)["notify"], Json::array({"person:claire.dumas", "person:marc.lefort"}));
  // A stored timer survives its JSON round trip with its payload.
  auto back = runtime::DueTimer::FromJson(timer->ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->payload, timer->payload);
}

TEST(MilestoneTimers, DamagedPayloadsAndHeadsAreCorruptionNotGuesses) {
  runtime::DueTimer t;
  t.project_id = kStream;
  t.timer_id = "m.x";
  t.fires = "programme/reminder";
  t.payload = {{"kind", "review"}, {"date", "2027-03-15"}};
  auto next = FollowingTimer(t, {});
  EXPECT_EQ(next.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(FiringData("x", t.payload, {}).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ParseHead("{\"title\":\"t\"}").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ParseHead("{\"coordinators\":[1]}").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ParseHead("not json").status().code(), StatusCode::kCorruption);
  auto head = ParseHead(R"({"title":"Plate-forme","coordinators":["person:claire.dumas"]})");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->coordinators, std::vector<std::string>{"person:claire.dumas"});
  Json bad = {{"project", kStream},
              {"timer", "m.x"},
              {"fires", "programme/due"},
              {"due", "2027-03-15T09:00:00Z"},
              {"payload", "not an object"}};
  EXPECT_EQ(runtime::DueTimer::FromJson(bad).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace relais::programme
