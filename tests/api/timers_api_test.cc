// GET /v1/projects/{id} lists the project's timers with their due times, or
// the time left while a suspension pauses them; a command whose timer takes
// its date from a field that is not a date is refused (timer_date_invalid).
// tests/workflow/testdata/timers_revue.yaml deployed over the API.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/runtime/timer_service.h"
#include "tests/api/api_fixture.h"

namespace relais::api {
namespace {

using testing::Harness;
using testing::kCoordinator;

class TimersApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h.CreateOwnAndOther();
    std::ifstream in(std::string(RELAIS_SOURCE_DIR) + "/tests/workflow/testdata/timers_revue.yaml");
    std::stringstream source;
    source << in.rdbuf();
    auto deployed = h.Call("POST", "/v1/workflows", kCoordinator, source.str(), {{"Content-Type", "application/yaml"}});
    ASSERT_EQ(deployed.status, 201) << deployed.body;
    Json create = {
        {"id", "revue"}, {"workflow", "timers_revue"}, {"title", "Revue"}, {"programme", testing::kOwnProgramme}};
    auto created = h.Call("POST", "/v1/projects", kCoordinator, create.dump());
    ASSERT_EQ(created.status, 201) << created.body;
  }

  Json Timers() {
    auto got = h.Call("GET", "/v1/projects/revue", kCoordinator);
    EXPECT_EQ(got.status, 200) << got.body;
    return Harness::Body(got)["timers"];
  }

  Json TimerOf(const std::string& id) {
    for (const Json& t : Timers())
      if (t["id"] == id) return t;
    return Json();
  }

  Harness h;
};

TEST_F(TimersApiTest, TheProjectShowsEachTimersDueTimeSoonestFirst) {
  Json timers = Timers();
  ASSERT_EQ(timers.size(), 2u) << timers;
  EXPECT_EQ(timers[0]["id"], "relance");  // after: P10D
  EXPECT_EQ(timers[0]["kind"], "after");
  EXPECT_EQ(timers[0]["due"], "2004-03-11T09:00:00.000000Z");
  EXPECT_EQ(timers[0]["labels"]["fr"], "Relance à 10 jours");
  EXPECT_EQ(timers[1]["id"], "revue");
  EXPECT_EQ(timers[1]["kind"], "every");
  EXPECT_EQ(timers[1]["period"], "P18M");
  EXPECT_EQ(timers[1]["due"], "2005-09-01T09:00:00.000000Z");
  EXPECT_EQ(timers[1]["fires"], "revue_due");

  // It fires, and the view moves to its next occurrence.
  runtime::TimerService service(h.store, h.projects, h.clock);
  h.clock.Set(*ParseIso8601("2005-09-01T09:00:00Z"));
  auto fired = service.FireDue();
  ASSERT_TRUE(fired.ok()) << fired.status();
  EXPECT_GE(fired->fired, 2u);  // with the other projects' timers (the harness creates two cbe actions)
  timers = Timers();
  ASSERT_EQ(timers.size(), 1u) << timers;
  EXPECT_EQ(timers[0]["due"], "2007-03-01T09:00:00.000000Z");
}

TEST_F(TimersApiTest, AFieldDateThatIsNotADateIsRefusedAndAGoodOneIsShown) {
  auto refused = h.Call("POST", "/v1/projects/revue/events", kCoordinator,
                        R"({"type": "comite_fixe", "data": {"date_comite": "le 15 mars"}})");
  ASSERT_EQ(refused.status, 422) << refused.body;
  Json problem = Harness::Body(refused);
  EXPECT_EQ(problem["code"], "timer_date_invalid");
  EXPECT_EQ(problem["details"]["timer"], "rappel_comite");
  EXPECT_EQ(problem["details"]["field"], "event.date_comite");
  auto accepted = h.Call("POST", "/v1/projects/revue/events", kCoordinator,
                         R"({"type": "comite_fixe", "data": {"date_comite": "2004-06-15"}})");
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  EXPECT_EQ(TimerOf("rappel_comite")["due"], "2004-06-15T00:00:00.000000Z");
  EXPECT_EQ(TimerOf("rappel_comite")["kind"], "at");
}

TEST_F(TimersApiTest, ASuspensionShowsThePausedTimersTimeLeft) {
  h.clock.Set(*ParseIso8601("2004-09-01T09:00:00Z"));  // a year before the review
  ASSERT_EQ(h.Call("POST", "/v1/projects/revue/events", kCoordinator, R"({"type": "periode_electorale"})").status, 201);
  Json revue = TimerOf("revue");
  EXPECT_TRUE(revue["due"].is_null()) << revue;
  EXPECT_EQ(revue["paused_remaining"], "P365D");
  EXPECT_TRUE(TimerOf("relance")["due"].is_string()) << "on_suspend: keep";
  h.clock.Set(*ParseIso8601("2005-01-01T00:00:00Z"));
  ASSERT_EQ(h.Call("POST", "/v1/projects/revue/events", kCoordinator, R"({"type": "reprise"})").status, 201);
  revue = TimerOf("revue");
  EXPECT_EQ(revue["due"], "2006-01-01T00:00:00.000000Z");
  EXPECT_FALSE(revue.contains("paused_remaining"));
}

}  // namespace
}  // namespace relais::api
