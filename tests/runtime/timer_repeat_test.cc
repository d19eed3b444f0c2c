// Timers of issue 15 over a real RocksDB with an injected clock: a repeating
// (`every:`) timer that fires again and again across restarts, a timer
// paused by a suspension and re-armed for the time it had left, `at:` dates
// taken from the event, and the due times the project's state records
// (which the API shows) equal to the durable keys.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/runtime/project_timers.h"
#include "tests/runtime/runtime_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace relais::runtime {
namespace {

using relais::testing::IsOk;
using testing::T;

constexpr const char* kFile = "tests/workflow/testdata/timers_revue.yaml";

// A runtime over the RocksDB store in dir with the test workflow deployed.
struct TimersRuntime {
  TimersRuntime(const std::string& dir, const Clock& clock)
      : store(testing::OpenRocksStore(dir, clock)), rt(*store, clock) {
    std::ifstream in(std::string(RELAIS_SOURCE_DIR) + "/" + kFile);
    std::stringstream text;
    text << in.rdbuf();
    auto deployed = rt.registry.Deploy(text.str(), "timers_revue.yaml");
    EXPECT_TRUE(deployed.ok()) << deployed.status();
  }

  void Create(const std::string& id) {
    CreateRequest req;
    req.info.id = id;
    req.info.title = "Revue " + id;
    req.info.workflow = "timers_revue";
    req.actor = testing::kCoordinator;
    auto out = rt.projects.Create(std::move(req));
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_FALSE(out->refusal) << out->refusal->message;
  }

  FireReport FireDue() {
    auto r = rt.timers.FireDue();
    EXPECT_THAT(r, IsOk());
    return r.ok() ? *r : FireReport{};
  }

  workflow::ProjectState State(const std::string& id) {
    workflow::ProjectState state;
    Status read = rt.projects.Read(id, [&](const Project& p) { state = p.state; });
    EXPECT_TRUE(read.ok()) << read;
    return state;
  }

  // The durable entry of one timer; nullopt when none is pending.
  std::optional<DueTimer> Pending(const std::string& id, const std::string& timer) {
    auto pending = rt.timers.PendingFor(id);
    EXPECT_THAT(pending, IsOk());
    for (const DueTimer& t : *pending)
      if (t.timer_id == timer) return t;
    return std::nullopt;
  }

  std::unique_ptr<RocksDbEventStore> store;
  testing::Runtime rt;
};

TEST(RepeatingTimerTest, FiresEveryPeriodAcrossRestartsAndTheStateShowsTheNextDueTime) {
  relais::testing::TempDir dir;
  ManualClock clock(T("2025-01-06T09:00:00Z"));
  {
    TimersRuntime r(dir.Sub("store"), clock);
    r.Create("p1");
    ASSERT_TRUE(r.Pending("p1", "revue"));
    EXPECT_EQ(r.Pending("p1", "revue")->due, T("2026-07-06T09:00:00Z"));  // every: P18M
    EXPECT_EQ(r.State("p1").timer_due.at("revue"), T("2026-07-06T09:00:00Z"));
  }
  const TimePoint expected[] = {T("2026-07-06T09:00:00Z"), T("2028-01-06T09:00:00Z"), T("2029-07-06T09:00:00Z"),
                                T("2031-01-06T09:00:00.000000Z")};
  for (int occurrence = 1; occurrence <= 3; ++occurrence) {
    // Each occurrence in a fresh process's worth of objects: the schedule is in the store.
    TimersRuntime r(dir.Sub("store"), clock);
    clock.Set(expected[occurrence - 1] - std::chrono::seconds(1));
    r.FireDue();
    EXPECT_EQ(r.rt.Count("p1", "revue_due"), size_t(occurrence - 1)) << "not due yet";
    clock.Set(expected[occurrence - 1]);
    r.FireDue();
    EXPECT_EQ(r.rt.Count("p1", "revue_due"), size_t(occurrence));
    auto pending = r.Pending("p1", "revue");
    ASSERT_TRUE(pending) << "the timer re-armed itself";
    EXPECT_EQ(pending->due, expected[occurrence]);
    EXPECT_EQ(r.State("p1").timer_due.at("revue"), expected[occurrence]) << "the fired event records the next due";
  }
  // The history alone gives the same state as the cache (a replay after a restart).
  TimersRuntime r(dir.Sub("store"), clock);
  EXPECT_EQ(r.State("p1").timer_due.at("revue"), expected[3]);
  Json view = ProjectTimersJson(r.rt.registry.Current("timers_revue"), r.State("p1"));
  ASSERT_EQ(view.size(), 1u) << view;  // relance fired at +10 days
  EXPECT_EQ(view[0]["id"], "revue");
  EXPECT_EQ(view[0]["kind"], "every");
  EXPECT_EQ(view[0]["period"], "P18M");
  EXPECT_EQ(view[0]["due"], "2031-01-06T09:00:00.000000Z");
  // It lasts until the project ends.
  r.rt.Accept("p1", "cloture");
  EXPECT_FALSE(r.Pending("p1", "revue"));
  EXPECT_TRUE(r.State("p1").timer_due.empty());
}

TEST(PausedTimerTest, ASuspensionPausesItAndTheResumptionReArmsItForTheTimeLeft) {
  relais::testing::TempDir dir;
  ManualClock clock(T("2025-01-06T09:00:00Z"));
  {
    TimersRuntime r(dir.Sub("store"), clock);
    r.Create("p1");
    r.rt.Accept("p1", "comite_fixe", {{"date_comite", "2025-03-15"}});
    EXPECT_EQ(r.Pending("p1", "rappel_comite")->due, T("2025-03-15T00:00:00Z"));
    clock.Set(T("2025-07-06T09:00:00Z"));  // 12 months before the review
    r.FireDue();                           // the comité reminder and the 10-day relance fire
    r.rt.Accept("p1", "comite_fixe", {{"date_comite", "2026-03-15"}});
    r.rt.Accept("p1", "periode_electorale");
    EXPECT_FALSE(r.Pending("p1", "revue")) << "paused: not due";
    EXPECT_FALSE(r.Pending("p1", "rappel_comite")) << "on_suspend: cancel";
    workflow::ProjectState s = r.State("p1");
    const int64_t left =
        std::chrono::duration_cast<std::chrono::seconds>(T("2026-07-06T09:00:00Z") - clock.Now()).count();
    EXPECT_EQ(s.paused_timers.at("revue"), left);
    EXPECT_FALSE(s.armed_timers.count("rappel_comite"));
    Json view = ProjectTimersJson(r.rt.registry.Current("timers_revue"), s);
    ASSERT_EQ(view.size(), 1u) << view;
    EXPECT_TRUE(view[0]["due"].is_null());
    EXPECT_EQ(view[0]["paused_remaining"], "P365D");
  }
  clock.Set(T("2026-09-01T00:00:00Z"));  // past the review's original due time
  {
    TimersRuntime r(dir.Sub("store"), clock);  // restarted while paused
    r.FireDue();
    EXPECT_EQ(r.rt.Count("p1", "revue_due"), 0u);
    EXPECT_EQ(r.rt.Count("p1", "rappel_comite"), 1u) << "only the first one, before the suspension";
    r.rt.Accept("p1", "reprise");
    const TimePoint due = T("2026-09-01T00:00:00Z") + std::chrono::days(365);
    ASSERT_TRUE(r.Pending("p1", "revue"));
    EXPECT_EQ(r.Pending("p1", "revue")->due, due);
    EXPECT_EQ(r.State("p1").timer_due.at("revue"), due);
    EXPECT_TRUE(r.State("p1").paused_timers.empty());
    clock.Set(due);
    r.FireDue();
    EXPECT_EQ(r.rt.Count("p1", "revue_due"), 1u);
    EXPECT_EQ(r.Pending("p1", "revue")->due, T("2029-03-01T00:00:00Z")) << "then every 18 months from there";
  }
}

TEST(AtFieldTimerTest, AMissingOrInvalidDateRefusesTheCommandAndWritesNothing) {
  relais::testing::TempDir dir;
  ManualClock clock(T("2025-01-06T09:00:00Z"));
  TimersRuntime r(dir.Sub("store"), clock);
  r.Create("p1");
  auto refused = r.rt.Fire("p1", "fin_fixee", {{"date_fin", "fin 2027"}});
  ASSERT_THAT(refused, IsOk());
  ASSERT_TRUE(refused->refusal);
  EXPECT_EQ(workflow::RefusalCodeName(refused->refusal->code), "timer_date_invalid");
  EXPECT_EQ(r.rt.Count("p1", "fin_fixee"), 0u);
  EXPECT_FALSE(r.Pending("p1", "fin_proche"));
  r.rt.Accept("p1", "fin_fixee", {{"date_fin", "2027-06-30"}});
  EXPECT_EQ(r.Pending("p1", "fin_proche")->due, T("2027-06-30T00:00:00Z"));
  EXPECT_EQ(r.State("p1").timer_due.at("fin_proche"), T("2027-06-30T00:00:00Z"));
}

}  // namespace
}  // namespace relais::runtime
