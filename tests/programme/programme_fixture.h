// A programme service over one store, with a ManualClock, a TimerService that
// routes programme timers to it, and a CBE-like definition.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "engine/programme/programme_service.h"
#include "engine/runtime/project_service.h"
#include "engine/runtime/timer_service.h"
#include "engine/runtime/workflow_registry.h"
#include "engine/store/memory_event_store.h"
#include "engine/store/rocksdb_event_store.h"
#include "engine/util/time_format.h"

namespace relais::programme::testing {

inline TimePoint T(const char* iso) { return *ParseIso8601(iso); }
inline CivilDate D(const char* text) { return *calendar::ParseCivilDate(text); }

// A RocksDB store in path stamping events with clock; null (and a failure) if it cannot open.
inline std::unique_ptr<RocksDbEventStore> OpenRocks(const std::string& path, const Clock& clock) {
  RocksDbStoreOptions options;
  options.path = path;
  options.clock = &clock;
  auto store = RocksDbEventStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(store).value() : nullptr;
}

// The CBE's plate-forme (invented people; axes from the seed).
inline Json CbeDefinition(Json reviews = {{"per_year", 3}}) {
  return {{"id", "sud-val-de-marnais"},
          {"title", "Plate-forme d'appui du Sud Val-de-Marnais"},
          {"territory", {"Chevilly-Larue", "Fresnes", "L'Haÿ-les-Roses", "Orly", "Rungis", "Thiais"}},
          {"plan_years", {2027, 2028, 2029}},
          {"axes",
           {{{"id", "1"}, {"title", "Services aux salariés"}},
            {{"id", "2"}, {"title", "Services aux particuliers"}},
            {{"id", "2A"}, {"title", "Personnes âgées et dépendantes"}, {"parent", "2"}},
            {{"id", "2B"}, {"title", "Jeunes enfants"}, {"parent", "2"}},
            {{"id", "3"}, {"title", "Mobilité"}}}},
          {"actions",
           {{{"id", "garde-horaires-atypiques"},
             {"axis", "2B"},
             {"title", "Garde d'enfants en horaires atypiques"},
             {"planned_years", {{"etude", 2027}, {"montage", 2028}}}},
            {{"id", "plateforme-mobilite"}, {"axis", "3"}, {"title", "Plate-forme mobilité"}},
            {{"id", "aide-domicile"}, {"axis", "2A"}, {"title", "Aide à domicile"}}}},
          {"reviews", reviews},
          {"yearly",
           {{{"kind", "annual_event"},
             {"title_fr", "Prix de l'innovation"},
             {"title_en", "Innovation prize"},
             {"month", 11},
             {"day", 20}},
            {{"kind", "evaluation"},
             {"title_fr", "Évaluation annuelle"},
             {"title_en", "Yearly evaluation"},
             {"month", 12},
             {"day", 1}}}}};
}

struct Harness {
  Harness(EventStore& s, ManualClock& c, ProgrammeOptions options = {})
      : store(s), clock(c), registry(s), projects(s, registry, c), timers(s, projects, c), programmes(s, c, options) {
    timers.RouteFires(std::string(kFiresPrefix),
                      [this](const std::vector<runtime::DueTimer>& due) { return programmes.FireTimers(due); });
  }

  StatePtr Define(Json json = CbeDefinition()) {
    auto def = ProgrammeDefinition::FromJson(json);
    EXPECT_TRUE(def.ok()) << def.status();
    auto state = programmes.Define(*def, "person:claire.dumas");
    EXPECT_TRUE(state.ok()) << state.status();
    return state.ok() ? *state : nullptr;
  }

  Assignment Assign(const std::string& person, const std::string& role, const std::string& axis, const char* start,
                    const char* end) {
    auto a = programmes.Assign("sud-val-de-marnais", {person, role, axis, D(start), D(end)}, "person:claire.dumas");
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : Assignment{};
  }

  // Moves the clock timer by timer up to `until`, firing what falls due.
  void RunUntil(TimePoint until) {
    for (int guard = 0; guard < 100'000; ++guard) {
      auto next = timers.NextDue();
      ASSERT_TRUE(next.ok()) << next.status();
      if (!*next || until < **next) break;
      if (clock.Now() < **next) clock.Set(**next);
      auto report = timers.FireDue();
      ASSERT_TRUE(report.ok()) << report.status();
    }
    if (clock.Now() < until) clock.Set(until);
  }

  // The pending timer of a milestone, if any.
  std::optional<runtime::DueTimer> PendingTimerOf(const std::string& milestone_id) {
    auto pending = timers.PendingFor("programme-sud-val-de-marnais");
    EXPECT_TRUE(pending.ok()) << pending.status();
    if (pending.ok())
      for (const runtime::DueTimer& t : *pending)
        if (t.timer_id == "m." + milestone_id) return t;
    return std::nullopt;
  }

  std::vector<RecordedEvent> Events() {
    auto events = store.ReadStream("programme-sud-val-de-marnais", 1, 1'000'000);
    EXPECT_TRUE(events.ok()) << events.status();
    return events.ok() ? *events : std::vector<RecordedEvent>{};
  }
  std::map<std::string, int> CountByType() {
    std::map<std::string, int> out;
    for (const RecordedEvent& e : Events()) ++out[e.type];
    return out;
  }
  StatePtr State() {
    auto s = programmes.Get("sud-val-de-marnais");
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : nullptr;
  }
  std::vector<Milestone> Reviews(const std::string& axis = "2A") {
    std::vector<Milestone> out;
    for (const auto& [id, m] : State()->milestones)
      if (m.kind == "review" && m.axis == axis) out.push_back(m);
    std::sort(out.begin(), out.end(), [](const Milestone& a, const Milestone& b) { return a.due < b.due; });
    return out;
  }

  EventStore& store;
  ManualClock& clock;
  runtime::WorkflowRegistry registry;
  runtime::ProjectService projects;
  runtime::TimerService timers;
  ProgrammeService programmes;
};

// The CBE programme defined on 1 December 2026 in a memory store, and the
// élu Marc Lefort on axis 2A for 2027-2029 at AssignMarc().
struct CbeProgramme {
  CbeProgramme() { EXPECT_NE(h.Define(), nullptr); }
  Assignment AssignMarc() { return h.Assign("person:marc.lefort", "elu_referent", "2A", "2027-01-01", "2029-12-31"); }

  ManualClock clock{T("2026-12-01T08:00:00Z")};
  MemoryEventStore store{clock};
  Harness h{store, clock};
};

class CbeProgrammeTest : public ::testing::Test, protected CbeProgramme {};

}  // namespace relais::programme::testing
