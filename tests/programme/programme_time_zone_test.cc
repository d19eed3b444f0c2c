// Each programme's IANA time zone: stated in its definition (validated), or
// the configured default (programmes.time_zone); every local time of its
// milestones becomes an instant in that zone, and "today" is its today.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/programme/ics_feed.h"
#include "tests/programme/programme_fixture.h"

namespace relais::programme {
namespace {

using testing::CbeDefinition;
using testing::D;
using testing::Harness;
using ::testing::HasSubstr;
using testing::T;

Json InZone(const char* zone, Json reviews = {{"months", {3}}, {"day", 15}}) {
  Json j = CbeDefinition(std::move(reviews));
  j["time_zone"] = zone;
  return j;
}

TEST(ProgrammeTimeZone, DefinitionStatesAKnownZone) {
  auto def = ProgrammeDefinition::FromJson(InZone("Pacific/Noumea"));
  ASSERT_TRUE(def.ok()) << def.status();
  EXPECT_TRUE(def->time_zone_stated);
  EXPECT_EQ(def->time_zone.name(), "Pacific/Noumea");
  EXPECT_EQ(def->ToJson()["time_zone"], "Pacific/Noumea");

  auto unstated = ProgrammeDefinition::FromJson(CbeDefinition());
  ASSERT_TRUE(unstated.ok()) << unstated.status();
  EXPECT_FALSE(unstated->time_zone_stated);
  EXPECT_EQ(unstated->time_zone.name(), "Europe/Paris");

  auto unknown = ProgrammeDefinition::FromJson(InZone("Pacific/Atlantis"));
  ASSERT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("programme.time_zone: unknown time zone \"Pacific/Atlantis\""));
  Json not_text = CbeDefinition();
  not_text["time_zone"] = 4;
  EXPECT_THAT(ProgrammeDefinition::FromJson(not_text).status().message(),
              HasSubstr("programme.time_zone: expected a string"));
}

TEST(ProgrammeTimeZone, UnstatedZoneIsTheConfiguredDefaultAndIsRecorded) {
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  ProgrammeOptions options;
  options.time_zone = "Indian/Reunion";
  Harness h(store, clock, options);
  h.Define(CbeDefinition({{"months", {3}}, {"day", 15}}));
  EXPECT_EQ(h.State()->definition.time_zone.name(), "Indian/Reunion");
  // The event states it: a later change of the configuration moves nothing.
  EXPECT_EQ(h.Events().front().Data()["definition"]["time_zone"], "Indian/Reunion");
  h.Assign("person:marc.lefort", "elu_referent", "2A", "2027-01-01", "2027-12-31");
  auto reviews = h.Reviews();
  ASSERT_EQ(reviews.size(), 1u);
  EXPECT_EQ(reviews[0].at.date, D("2027-03-15"));
  EXPECT_EQ(reviews[0].due, T("2027-03-15T06:00:00Z"));  // 10:00 at UTC+4

  ProgrammeOptions bad;
  bad.time_zone = "Indian/Atlantis";
  ProgrammeService service(store, clock, bad);
  auto def = ProgrammeDefinition::FromJson(Json{{"id", "autre"}});
  ASSERT_TRUE(def.ok());
  auto defined = service.Define(*def, "x");
  ASSERT_EQ(defined.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(defined.status().message(), HasSubstr("programmes.time_zone: unknown time zone \"Indian/Atlantis\""));
}

struct Case {
  const char* zone;
  const char* due;  // 10:00 local on Monday 15 March 2027
};

TEST(ProgrammeTimeZone, ReviewsFallDueAtTenLocalInEveryZone) {
  const Case cases[] = {
      {"Europe/Paris", "2027-03-15T09:00:00Z"},       {"Indian/Reunion", "2027-03-15T06:00:00Z"},
      {"America/Guadeloupe", "2027-03-15T14:00:00Z"}, {"America/Martinique", "2027-03-15T14:00:00Z"},
      {"America/Cayenne", "2027-03-15T13:00:00Z"},    {"Indian/Mayotte", "2027-03-15T07:00:00Z"},
      {"Pacific/Noumea", "2027-03-14T23:00:00Z"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.zone);
    ManualClock clock(T("2026-12-01T08:00:00Z"));
    MemoryEventStore store(clock);
    Harness h(store, clock);
    h.Define(InZone(c.zone));
    h.Assign("person:marc.lefort", "elu_referent", "2A", "2027-01-01", "2027-12-31");
    auto reviews = h.Reviews();
    ASSERT_EQ(reviews.size(), 1u);
    EXPECT_EQ(reviews[0].at.date, D("2027-03-15"));
    EXPECT_EQ(reviews[0].at.hour, 10);
    EXPECT_EQ(reviews[0].due, T(c.due));
    // Its due event fires at that instant, not a second before.
    auto due_events = [&] {
      int n = 0;
      for (const RecordedEvent& e : h.Events())
        if (e.type == "milestone_due" && e.Data()["kind"] == "review") ++n;
      return n;
    };
    h.RunUntil(T(c.due) - std::chrono::seconds(1));
    EXPECT_EQ(due_events(), 0);
    h.RunUntil(T(c.due));
    EXPECT_EQ(due_events(), 1);
    // The folded state after a reload agrees (due is recomputed from the zone).
    ProgrammeService reloaded(store, clock);
    auto state = reloaded.Get("sud-val-de-marnais");
    ASSERT_TRUE(state.ok()) << state.status();
    EXPECT_EQ((*state)->milestones.at(reviews[0].id).due, T(c.due));
    // The feed names the zone.
    std::vector<FeedEntry> entries{{state->get(), &(*state)->milestones.at(reviews[0].id)}};
    auto feed = RenderIcsFeed("Relais", entries, "fr", "https://relais.example");
    ASSERT_TRUE(feed.ok()) << feed.status();
    EXPECT_THAT(*feed, HasSubstr("\r\nTZID:" + std::string(c.zone) + "\r\n"));
    EXPECT_THAT(*feed, HasSubstr("\r\nDTSTART;TZID=" + std::string(c.zone) + ":20270315T100000\r\n"));
  }
}

TEST(ProgrammeTimeZone, ParisSpringAndAutumnChanges) {
  // 10:00 on working days after each change of 2027, and 02:30 on the night of
  // the spring change (a skipped time: moved forward, RFC 5545).
  ManualClock clock(T("2026-12-01T08:00:00Z"));
  MemoryEventStore store(clock);
  Harness h(store, clock);
  Json def = InZone("Europe/Paris", {{"months", {3, 11}}, {"day", 29}});
  h.Define(def);
  h.Assign("person:marc.lefort", "elu_referent", "2A", "2027-01-01", "2027-12-31");
  auto reviews = h.Reviews();
  ASSERT_EQ(reviews.size(), 2u);
  EXPECT_EQ(reviews[0].at.date, D("2027-03-30"));        // 29 March 2027 is Easter Monday
  EXPECT_EQ(reviews[0].due, T("2027-03-30T08:00:00Z"));  // CEST
  EXPECT_EQ(reviews[1].due, T("2027-11-29T09:00:00Z"));  // CET

  ProgrammeState state;
  Json night = InZone("Europe/Paris");
  night["id"] = "nuit";
  ASSERT_TRUE(ApplyEvent(state, "programme_defined", {{"definition", night}}, T("2026-12-01T08:00:00Z")).ok());
  ASSERT_TRUE(
      ApplyEvent(state, "milestone_scheduled",
                 {{"milestone", {{"id", "m"}, {"kind", "annual_event"}, {"date", "2027-03-28"}, {"time", "02:30"}}}},
                 T("2026-12-01T08:00:00Z"))
          .ok());
  EXPECT_EQ(state.milestones.at("m").due, T("2027-03-28T01:30:00Z"));  // 03:30 CEST
  ASSERT_TRUE(ApplyEvent(state, "milestone_moved", {{"milestone", "m"}, {"date", "2027-10-31"}, {"time", "02:30"}},
                         T("2026-12-01T08:00:00Z"))
                  .ok());
  EXPECT_EQ(state.milestones.at("m").due, T("2027-10-31T00:30:00Z"));  // the first 02:30 (CEST)
}

TEST(ProgrammeTimeZone, ProgrammesDefinedBeforeZonesFoldInParis) {
  // A programme_defined event written before definitions stated a zone.
  ProgrammeState state;
  Json legacy = CbeDefinition();
  ASSERT_FALSE(legacy.contains("time_zone"));
  ASSERT_TRUE(ApplyEvent(state, "programme_defined", {{"definition", legacy}}, T("2026-12-01T08:00:00Z")).ok());
  EXPECT_EQ(state.definition.time_zone.name(), "Europe/Paris");
  ASSERT_TRUE(
      ApplyEvent(state, "milestone_scheduled",
                 {{"milestone", {{"id", "m"}, {"kind", "annual_event"}, {"date", "2027-11-22"}, {"time", "10:00"}}}},
                 T("2026-12-01T08:00:00Z"))
          .ok());
  EXPECT_EQ(state.milestones.at("m").due, T("2027-11-22T09:00:00Z"));
}

TEST(ProgrammeTimeZone, TodayIsTheProgrammesToday) {
  // At 02:00 UTC on 15 March 2027 it is still the 14th in Cayenne (UTC-3)
  // but already the 15th in Nouméa (UTC+11): "a day after today" differs.
  for (const auto& [zone, allowed] : {std::pair{"America/Cayenne", true}, std::pair{"Pacific/Noumea", false}}) {
    SCOPED_TRACE(zone);
    ManualClock clock(T("2026-12-01T08:00:00Z"));
    MemoryEventStore store(clock);
    Harness h(store, clock);
    h.Define(InZone(zone, {{"months", {6}}, {"day", 15}}));
    h.Assign("person:marc.lefort", "elu_referent", "2A", "2027-01-01", "2027-12-31");
    auto reviews = h.Reviews();
    ASSERT_EQ(reviews.size(), 1u);
    clock.Set(T("2027-03-15T02:00:00Z"));
    auto moved = h.programmes.Move("sud-val-de-marnais", reviews[0].id, D("2027-03-15"), "person:claire.dumas");
    EXPECT_EQ(moved.ok(), allowed) << moved.status();
  }
}

}  // namespace
}  // namespace relais::programme
