// The /v1/programmes routes in process (Router, no sockets): who may do
// what, bad input as problems, milestones with the overdue filter, review
// held, indicators, and calendar feeds by revocable token without a bearer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/runtime/timer_service.h"
#include "tests/api/api_fixture.h"
#include "tests/programme/programme_fixture.h"

namespace relais::api {
namespace {

using namespace relais::api::testing;
using relais::programme::testing::CbeDefinition;

struct ProgrammeApi {
  ProgrammeApi()
      : clock(*ParseIso8601("2026-12-01T08:00:00Z")),
        store(clock),
        registry(store),
        projects(store, registry, clock),
        index(store, projects.definitions()),
        timers(store, projects, clock),
        programmes(store, clock) {
    EXPECT_TRUE(index.Open().ok());
    timers.RouteFires("programme/",
                      [this](const std::vector<runtime::DueTimer>& due) { return programmes.FireTimers(due); });
    ApiServices services{store, registry, projects, index, clock};
    services.programmes = &programmes;
    api = std::make_unique<Api>(services, TestApiConfig(), FixtureTokens());
    api->RegisterRoutes(router);
  }
  ~ProgrammeApi() { api->Stop(); }

  server::HttpResponse Call(const std::string& method, const std::string& target, const std::string& token,
                            const Json& body = nullptr, const std::string& language = "") {
    server::HttpRequest req = server::MakeRequest(method, target, body.is_null() ? "" : body.dump());
    if (!token.empty()) req.headers.Set("Authorization", "Bearer " + token);
    if (!language.empty()) req.headers.Set("Accept-Language", language);
    if (!req.body.empty()) req.headers.Set("Content-Type", "application/json");
    auto promise = std::make_shared<std::promise<server::HttpResponse>>();
    auto future = promise->get_future();
    router.Dispatch(std::move(req), [promise](server::HttpResponse r) { promise->set_value(std::move(r)); });
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      ADD_FAILURE() << method << " " << target << " never answered";
      return {};
    }
    server::HttpResponse response = future.get();
    testing::Harness::Record(method, target, response);  // for tests/openapi's response validation
    return response;
  }
  static Json Body(const server::HttpResponse& r) { return Json::parse(r.body, nullptr, false); }

  void RunUntil(TimePoint until) {
    for (int guard = 0; guard < 10'000; ++guard) {
      auto next = timers.NextDue();
      ASSERT_TRUE(next.ok());
      if (!*next || until < **next) break;
      if (clock.Now() < **next) clock.Set(**next);
      ASSERT_TRUE(timers.FireDue().ok());
    }
    if (clock.Now() < until) clock.Set(until);
  }

  void DefineAndAssign() {
    auto r = Call("POST", "/v1/programmes", kScopedCoordinator, CbeDefinition());
    ASSERT_EQ(r.status, 201) << r.body;
    r = Call("POST", "/v1/programmes/sud-val-de-marnais/assignments", kScopedCoordinator,
             {{"person", "person:paul.sud"}, {"role", "coordinator"}, {"start", "2026-12-01"}, {"end", "2030-12-31"}});
    ASSERT_EQ(r.status, 201) << r.body;
    r = Call("POST", "/v1/programmes/sud-val-de-marnais/assignments", kScopedCoordinator,
             {{"person", "person:marc.lefort"},
              {"role", "elu_referent"},
              {"axis", "2A"},
              {"start", "2027-01-01"},
              {"end", "2029-12-31"}});
    ASSERT_EQ(r.status, 201) << r.body;
  }

  ManualClock clock;
  MemoryEventStore store;
  runtime::WorkflowRegistry registry;
  runtime::ProjectService projects;
  runtime::ProjectIndex index;
  runtime::TimerService timers;
  programme::ProgrammeService programmes;
  server::Router router;
  std::unique_ptr<Api> api;
};

TEST(ProgrammeApiTest, OnlyTheProgrammesCoordinatorsDefineIt) {
  ProgrammeApi h;
  EXPECT_EQ(h.Call("POST", "/v1/programmes", kElu, CbeDefinition()).status, 403);
  EXPECT_EQ(h.Call("POST", "/v1/programmes", kObserver, CbeDefinition()).status, 403);
  Json other = CbeDefinition();
  other["id"] = "nord-essonne";
  EXPECT_EQ(h.Call("POST", "/v1/programmes", kScopedCoordinator, other).status, 403);
  EXPECT_EQ(h.Call("POST", "/v1/programmes", "", CbeDefinition()).status, 401);
  auto r = h.Call("POST", "/v1/programmes", kScopedCoordinator, CbeDefinition());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.headers.Get("Location").value_or(""), "/v1/programmes/sud-val-de-marnais");
  EXPECT_EQ(h.Call("POST", "/v1/programmes", kScopedCoordinator, CbeDefinition()).status, 409);
  // An élu not (yet) assigned does not see it; after assignment they do.
  EXPECT_EQ(h.Call("GET", "/v1/programmes/sud-val-de-marnais", kElu).status, 404);
  EXPECT_EQ(h.Body(h.Call("GET", "/v1/programmes", kElu))["programmes"].size(), 0u);
  EXPECT_EQ(h.Call("GET", "/v1/programmes/sud-val-de-marnais", kObserver).status, 200);
}

// What describes a programme changes; what places its calendar does not;
// an axis still served may not go.
TEST(ProgrammeApiTest, ItsTitleTerritoryRegionAndAxesChangeItsCalendarDoesNot) {
  ProgrammeApi h;
  h.DefineAndAssign();
  const size_t milestones = h.Body(h.Call("GET", "/v1/programmes/sud-val-de-marnais/milestones", kObserver))["total"];
  Json axes = CbeDefinition()["axes"];
  axes.push_back({{"id", "4"}, {"title", "Promotion des métiers"}});
  auto r = h.Call("PATCH", "/v1/programmes/sud-val-de-marnais", kScopedCoordinator,
                  {{"title", "Plate-forme du Sud Val-de-Marnais"},
                   {"region", "Île-de-France"},
                   {"axes", axes},
                   {"territory", {"Orly", "Thiais"}}});
  ASSERT_EQ(r.status, 200) << r.body;
  Json def = h.Body(h.Call("GET", "/v1/programmes/sud-val-de-marnais", kObserver))["definition"];
  EXPECT_EQ(def["title"], "Plate-forme du Sud Val-de-Marnais");
  EXPECT_EQ(def["region"], "Île-de-France");
  EXPECT_EQ(def["territory"], Json::array({"Orly", "Thiais"}));
  EXPECT_EQ(def["axes"].size(), axes.size());
  EXPECT_EQ(def["plan_years"], CbeDefinition()["plan_years"]) << "the calendar stays";
  EXPECT_EQ(h.Body(h.Call("GET", "/v1/programmes/sud-val-de-marnais/milestones", kObserver))["total"], milestones);
  // The change is in the programme's history, with its author, and survives a reload from the store.
  auto events = h.store.ReadStream("programme-sud-val-de-marnais", 1, 1000);
  ASSERT_TRUE(events.ok());
  bool found = false;
  for (const auto& e : *events)
    if (e.type == "programme_details_changed") found = e.metadata.actor == "person:paul.sud";
  EXPECT_TRUE(found);

  auto frozen = h.Call("PATCH", "/v1/programmes/sud-val-de-marnais", kScopedCoordinator, {{"time_zone", "UTC"}});
  EXPECT_EQ(frozen.status, 400);
  EXPECT_THAT(frozen.body, ::testing::HasSubstr("programme.time_zone: cannot change once the programme is defined"));
  Json without_2a = Json::array();
  for (const Json& a : axes)
    if (a["id"] != "2A") without_2a.push_back(a);
  auto served = h.Call("PATCH", "/v1/programmes/sud-val-de-marnais", kScopedCoordinator, {{"axes", without_2a}});
  EXPECT_EQ(served.status, 400);
  EXPECT_THAT(served.body, ::testing::HasSubstr("'2A'")) << "named by a term and an action of the plan";
  EXPECT_EQ(h.Call("PATCH", "/v1/programmes/sud-val-de-marnais", kElu, {{"title", "x"}}).status, 403)
      << "an élu of the programme reads it, never changes it";
}

// The reviews of the programme's élu, as {id -> milestone} for one status.
Json ReviewsWith(ProgrammeApi& h, const std::string& status) {
  Json out = Json::object();
  Json list =
      h.Body(h.Call("GET", "/v1/programmes/sud-val-de-marnais/milestones?kind=review&status=" + status + "", kAdmin));
  for (const Json& m : list["milestones"]) out[m["id"].get<std::string>()] = m;
  return out;
}

TEST(ProgrammeApiTest, ANewReviewRulePlacesTheRestOfTheTermAgainInOneAppend) {
  ProgrammeApi h;
  h.DefineAndAssign();
  const Json before = ReviewsWith(h, "scheduled");
  ASSERT_EQ(before.size(), 9u);  // three a year over the 2027-2029 term
  const std::string stream = "programme-sud-val-de-marnais";
  const uint64_t version = *h.store.StreamVersion(stream);

  // Working hours too short for a review: refused, nothing recorded.
  auto r = h.Call("PATCH", "/v1/programmes/sud-val-de-marnais", kScopedCoordinator,
                  {{"reviews", {{"per_year", 2}, {"duration_minutes", 90}, {"working_hours", {"09:00-10:00"}}}}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(r.body, ::testing::HasSubstr("working_hours"));
  EXPECT_EQ(*h.store.StreamVersion(stream), version);

  // Twice a year, in March and October, at 14:00.
  r = h.Call("PATCH", "/v1/programmes/sud-val-de-marnais", kScopedCoordinator,
             {{"reviews", {{"months", {3, 10}}, {"day", 15}, {"time", "14:00"}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const Json after = ReviewsWith(h, "scheduled");
  ASSERT_EQ(after.size(), 6u) << after.dump();
  for (const auto& [id, m] : after.items()) {
    const std::string date = m["date"];
    EXPECT_TRUE(date.substr(5, 2) == "03" || date.substr(5, 2) == "10") << id << " " << date;
    EXPECT_EQ(m["time"], "14:00") << id;
    EXPECT_EQ(m["person"], "person:marc.lefort") << id;
  }
  const Json cancelled = ReviewsWith(h, "cancelled");
  EXPECT_EQ(cancelled.size(), 9u) << "no review of the old rule fell on a day of the new one";
  // One append: the definition first, then every cancellation and placement, by the caller.
  auto events = h.store.ReadStream(stream, version + 1, 1000);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u + 9u + 6u);
  EXPECT_EQ((*events)[0].type, "programme_details_changed");
  size_t cancels = 0;
  for (const auto& e : *events) {
    EXPECT_EQ(e.metadata.actor, "person:paul.sud");
    EXPECT_EQ(e.metadata.recorded_at, (*events)[0].metadata.recorded_at) << "one append";
    if (e.type == "milestone_cancelled") {
      ++cancels;
      const Json data = e.Data();
      EXPECT_EQ(data["reason"], "rules_changed");
      EXPECT_TRUE(before.contains(data["milestone"].get<std::string>()));
    }
  }
  EXPECT_EQ(cancels, 9u);

  // Wider working hours: every review keeps its day and slot, nothing is recorded but the definition.
  const uint64_t widened = *h.store.StreamVersion(stream);
  r = h.Call("PATCH", "/v1/programmes/sud-val-de-marnais", kScopedCoordinator,
             {{"reviews", {{"months", {3, 10}}, {"day", 15}, {"time", "14:00"}, {"working_hours", {"08:00-18:00"}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ReviewsWith(h, "scheduled"), after);
  EXPECT_EQ(*h.store.StreamVersion(stream), widened + 1);
  // A longer review that still fits: each keeps its day and time, takes the
  // new length, and its SEQUENCE rises (the attendees' calendars are updated).
  r = h.Call("PATCH", "/v1/programmes/sud-val-de-marnais", kScopedCoordinator,
             {{"reviews",
               {{"months", {3, 10}},
                {"day", 15},
                {"time", "14:00"},
                {"working_hours", {"08:00-18:00"}},
                {"duration_minutes", 90}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const Json longer = ReviewsWith(h, "scheduled");
  ASSERT_EQ(longer.size(), after.size());
  for (const auto& [id, m] : longer.items()) {
    ASSERT_TRUE(after.contains(id)) << id;
    EXPECT_EQ(m["date"], after[id]["date"]);
    EXPECT_EQ(m["time"], "14:00");
    EXPECT_EQ(m["duration_minutes"], 90) << id;
    EXPECT_EQ(m["sequence"], after[id]["sequence"].get<int>() + 1) << id;
  }
  // Working hours that no longer hold 14:00: placed again on the same days.
  r = h.Call("PATCH", "/v1/programmes/sud-val-de-marnais", kScopedCoordinator,
             {{"reviews", {{"months", {3, 10}}, {"day", 15}, {"time", "09:00"}, {"working_hours", {"09:00-12:00"}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const Json morning = ReviewsWith(h, "scheduled");
  ASSERT_EQ(morning.size(), 6u);
  std::set<std::string> days_before, days_after;
  for (const auto& [id, m] : after.items()) days_before.insert(m["date"].get<std::string>());
  for (const auto& [id, m] : morning.items()) {
    days_after.insert(m["date"].get<std::string>());
    EXPECT_LT(m["time"].get<std::string>(), "12:00") << id;
    EXPECT_FALSE(after.contains(id)) << id << " was at 14:00, outside the new hours";
  }
  EXPECT_EQ(days_after, days_before);

  // The new reviews' timers are armed and the cancelled ones' are not: the
  // first new review falls due (overdue after its grace), no cancelled one does.
  std::string first_id, first_due;
  for (const auto& [id, m] : morning.items())
    if (first_due.empty() || m["due"].get<std::string>() < first_due) first_id = id, first_due = m["due"];
  h.RunUntil(*ParseIso8601(first_due.c_str()) + std::chrono::days(15));
  Json overdue = h.Body(h.Call("GET", "/v1/programmes/sud-val-de-marnais/milestones?kind=review&overdue=true", kAdmin));
  ASSERT_EQ(overdue["total"], 1) << overdue.dump();
  EXPECT_EQ(overdue["milestones"][0]["id"], first_id);
}

TEST(ProgrammeApiTest, PlanYearsPutInAndTakenOutScheduleAndCancelTheirYearlyMilestones) {
  ProgrammeApi h;
  h.DefineAndAssign();
  auto yearly = [&](const std::string& status) {
    std::set<std::string> ids;
    Json list = h.Body(h.Call("GET", "/v1/programmes/sud-val-de-marnais/milestones?status=" + status + "", kAdmin));
    for (const Json& m : list["milestones"])
      if (m["kind"] != "review") ids.insert(m["id"].get<std::string>());
    return ids;
  };
  const std::set<std::string> at_first = yearly("scheduled");
  ASSERT_FALSE(at_first.empty());
  for (const std::string& id : at_first) EXPECT_EQ(id.find("2030"), std::string::npos) << id;
  auto r = h.Call("PATCH", "/v1/programmes/sud-val-de-marnais", kScopedCoordinator,
                  {{"plan_years", {2027, 2028, 2029, 2030}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(h.Body(r)["definition"]["plan_years"], Json({2027, 2028, 2029, 2030}));
  const std::set<std::string> longer = yearly("scheduled");
  EXPECT_EQ(longer.size(), at_first.size() / 3 * 4) << "the same milestones in 2030";
  for (const std::string& id : at_first) EXPECT_TRUE(longer.count(id)) << id;
  EXPECT_EQ(ReviewsWith(h, "scheduled").size(), 9u) << "the élu's term, not the plan, places the reviews";

  r = h.Call("PATCH", "/v1/programmes/sud-val-de-marnais", kScopedCoordinator, {{"plan_years", {2027, 2028}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::set<std::string> shorter = yearly("scheduled");
  const std::set<std::string> gone = yearly("cancelled");
  EXPECT_EQ(shorter.size(), at_first.size() / 3 * 2);
  EXPECT_EQ(gone.size(), at_first.size() / 3 * 2) << "2029's and 2030's";
  for (const std::string& id : shorter)
    EXPECT_TRUE(id.find("2027") != std::string::npos || id.find("2028") != std::string::npos) << id;
  for (const std::string& id : gone)
    EXPECT_TRUE(id.find("2029") != std::string::npos || id.find("2030") != std::string::npos) << id;
  EXPECT_EQ(
      h.Call("PATCH", "/v1/programmes/sud-val-de-marnais", kScopedCoordinator, {{"plan_years", Json::array()}}).status,
      400);
}

TEST(ProgrammeApiTest, BadInputIsAProblemNamingTheField) {
  ProgrammeApi h;
  Json bad = CbeDefinition();
  bad["reviews"] = {{"months", {3, 13}}};
  auto r = h.Call("POST", "/v1/programmes", kAdmin, bad);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("programme.reviews.months[1]: expected a month from 1 to 12"), std::string::npos) << r.body;
  ASSERT_EQ(h.Call("POST", "/v1/programmes", kAdmin, CbeDefinition()).status, 201);
  r = h.Call("POST", "/v1/programmes/sud-val-de-marnais/assignments", kAdmin,
             {{"person", "person:x"},
              {"role", "elu_referent"},
              {"axis", "2A"},
              {"start", "2027-02-30"},
              {"end", "2029-12-31"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("'start'"), std::string::npos) << r.body;
  r = h.Call("POST", "/v1/programmes/sud-val-de-marnais/assignments", kAdmin,
             {{"person", "person:x"}, {"role", "maire"}, {"start", "2027-01-01"}, {"end", "2029-12-31"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("role"), std::string::npos) << r.body;
  EXPECT_EQ(h.Call("GET", "/v1/programmes/sud-val-de-marnais/milestones?overdue=maybe", kAdmin).status, 400);
  EXPECT_EQ(h.Call("POST", "/v1/programmes/sud-val-de-marnais/indicators", kAdmin,
                   {{"action", "aide-domicile"}, {"indicator", "jobs_created"}, {"value", "four"}})
                .status,
            400);
  EXPECT_EQ(h.Call("GET", "/v1/programmes/nope", kAdmin).status, 404);
}

TEST(ProgrammeApiTest, ReviewsListedOverdueThenHeld) {
  ProgrammeApi h;
  h.DefineAndAssign();
  auto r = h.Call("GET", "/v1/programmes/sud-val-de-marnais/milestones?kind=review", kElu);
  ASSERT_EQ(r.status, 200) << r.body;  // assigned now: the élu sees the programme
  Json list = h.Body(r)["milestones"];
  ASSERT_EQ(list.size(), 9u);
  const std::string first = list[0]["id"];
  EXPECT_NE(list[0]["title"].get<std::string>().find("Point d'étape"), std::string::npos);
  auto en = h.Body(h.Call("GET", "/v1/programmes/sud-val-de-marnais/milestones?kind=review&lang=en", kElu));
  EXPECT_NE(en["milestones"][0]["title"].get<std::string>().find("Review"), std::string::npos);
  h.RunUntil(*ParseIso8601(list[0]["due"].get<std::string>().c_str()) + std::chrono::days(15));
  Json overdue = h.Body(h.Call("GET", "/v1/programmes/sud-val-de-marnais/milestones?overdue=true", kAdmin));
  ASSERT_EQ(overdue["total"], 1);
  EXPECT_EQ(overdue["milestones"][0]["id"], first);
  EXPECT_EQ(
      h.Call("POST", "/v1/programmes/sud-val-de-marnais/milestones/" + first + "/held", kElu, {{"notes", "x"}}).status,
      403);
  r = h.Call("POST", "/v1/programmes/sud-val-de-marnais/milestones/" + first + "/held", kScopedCoordinator,
             {{"notes", "Bilan du premier trimestre"}, {"decisions", {"relancer le CCAS de Fresnes"}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(h.Body(r)["status"], "held");
  EXPECT_EQ(h.Body(h.Call("GET", "/v1/programmes/sud-val-de-marnais/milestones?overdue=true", kAdmin))["total"], 0);
  EXPECT_EQ(h.Call("POST", "/v1/programmes/sud-val-de-marnais/milestones/" + first + "/held", kScopedCoordinator,
                   Json::object())
                .status,
            409);
}

TEST(ProgrammeApiTest, VacanciesAndTermEnd) {
  ProgrammeApi h;
  h.DefineAndAssign();
  Json p = h.Body(h.Call("GET", "/v1/programmes/sud-val-de-marnais", kAdmin));
  bool elu_2a_vacant = false, elu_3_vacant = false;
  for (const Json& v : p["vacancies"]) {
    if (v["role"] == "elu_referent" && v["axis"] == "2A") elu_2a_vacant = true;
    if (v["role"] == "elu_referent" && v["axis"] == "3") elu_3_vacant = true;
  }
  EXPECT_FALSE(elu_2a_vacant);
  EXPECT_TRUE(elu_3_vacant);
  std::string assignment;
  for (const Json& a : p["assignments"])
    if (a["role"] == "elu_referent") assignment = a["id"];
  auto r = h.Call("POST", "/v1/programmes/sud-val-de-marnais/assignments/" + assignment + "/end", kScopedCoordinator);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(h.Body(r)["active"], false);
  EXPECT_EQ(h.Body(h.Call("GET", "/v1/programmes/sud-val-de-marnais/milestones?status=cancelled&kind=review",
                          kAdmin))["total"],
            9);
  EXPECT_EQ(h.Call("POST", "/v1/programmes/sud-val-de-marnais/assignments/" + assignment + "/end", kAdmin).status, 409);
}

TEST(ProgrammeApiTest, IndicatorsSummedPerAxisAndProgramme) {
  ProgrammeApi h;
  h.DefineAndAssign();
  for (auto [action, value] : {std::pair{"aide-domicile", 3}, {"garde-horaires-atypiques", 2}}) {
    auto r = h.Call("POST", "/v1/programmes/sud-val-de-marnais/indicators", kScopedCoordinator,
                    {{"action", action}, {"indicator", "jobs_created"}, {"value", value}, {"year", 2027}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  Json totals = h.Body(h.Call("GET", "/v1/programmes/sud-val-de-marnais/indicators", kElu));
  EXPECT_EQ(totals["programme"]["jobs_created"], 5.0);
  EXPECT_EQ(totals["axes"]["2"]["jobs_created"], 5.0);
  EXPECT_EQ(totals["axes"]["2B"]["jobs_created"], 2.0);
}

TEST(ProgrammeApiTest, PersonalFeedByRevocableTokenWithoutBearer) {
  ProgrammeApi h;
  h.DefineAndAssign();
  // Another person's feed is no élu's business: answered as if unknown.
  EXPECT_EQ(h.Call("POST", "/v1/people/person:paul.sud/feed-tokens", kElu).status, 404);
  auto r = h.Call("POST", "/v1/people/person:marc.lefort/feed-tokens", kElu);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string token = h.Body(r)["token"];
  r = h.Call("GET", "/v1/feeds/" + token, "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/calendar; charset=utf-8");
  EXPECT_EQ(r.body.rfind("BEGIN:VCALENDAR\r\n", 0), 0u);
  size_t events = 0;
  for (size_t at = r.body.find("BEGIN:VEVENT"); at != std::string::npos; at = r.body.find("BEGIN:VEVENT", at + 1))
    ++events;
  EXPECT_EQ(events, 9u + 6u);  // the élu's reviews and the programme's yearly milestones
  EXPECT_NE(r.body.find("Point d'étape"), std::string::npos);
  EXPECT_NE(h.Call("GET", "/v1/feeds/" + token + "?lang=en", "").body.find("Review of axis 2A"), std::string::npos);
  // The programme feed, with the bearer token.
  r = h.Call("GET", "/v1/programmes/sud-val-de-marnais/calendar", kScopedCoordinator);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("X-WR-CALNAME:Plate-forme d'appui du Sud Val-de-Marnais"), std::string::npos);
  // Revoked: gone.
  EXPECT_EQ(h.Call("DELETE", "/v1/feed-tokens/" + token, kReferent).status, 404);
  EXPECT_EQ(h.Call("DELETE", "/v1/feed-tokens/" + token, kElu).status, 204);
  EXPECT_EQ(h.Call("GET", "/v1/feeds/" + token, "").status, 404);
  EXPECT_EQ(h.Call("GET", "/v1/feeds/not-a-token", "").status, 404);
}

TEST(ProgrammeApiIdsTest, ProgrammeAxisActionAndPersonIdsFollowThePattern) {
  ProgrammeApi h;
  for (const char* where : {"id", "axes", "actions"}) {
    Json definition = CbeDefinition();
    if (std::string(where) == "id")
      definition["id"] = "..";
    else
      definition[where][0]["id"] = ".";
    auto r = h.Call("POST", "/v1/programmes", kAdmin, definition);
    EXPECT_EQ(r.status, 400) << where << ": " << r.body;
    EXPECT_THAT(ProgrammeApi::Body(r).value("detail", ""), ::testing::HasSubstr("': expected 1 to 128")) << where;
  }
  ASSERT_EQ(h.Call("POST", "/v1/programmes", kAdmin, CbeDefinition()).status, 201);
  auto r = h.Call("POST", "/v1/programmes/sud-val-de-marnais/assignments", kAdmin,
                  {{"person", ".."}, {"role", "coordinator"}, {"start", "2026-12-01"}, {"end", "2027-12-31"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(ProgrammeApi::Body(r).value("detail", ""), ::testing::HasSubstr("person '..': expected"));
}

// Issue 16 §5: a move keeps the placement rules; each refusal says which
// rule, in the caller's language, and offers the nearest free slots.
TEST(ProgrammeApiTest, AMoveThatBreaksTheSlotRulesIsRefusedInWords) {
  ProgrammeApi h;
  h.DefineAndAssign();  // paul.sud coordinates; marc.lefort is the élu of 2A
  const std::string base = "/v1/programmes/sud-val-de-marnais";
  for (const char* axis : {"2B", "3", "1"}) {
    auto r = h.Call("POST", base + "/assignments", kScopedCoordinator,
                    {{"person", std::string("person:elu-") + axis},
                     {"role", "elu_referent"},
                     {"axis", axis},
                     {"start", "2027-01-01"},
                     {"end", "2029-12-31"}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  auto first_of = [&](const std::string& person) {
    Json list = h.Body(h.Call("GET", base + "/milestones?kind=review&person=" + person, kAdmin))["milestones"];
    EXPECT_FALSE(list.empty()) << person;
    return list.empty() ? Json::object() : list[0];
  };
  const Json marc = first_of("person:marc.lefort");
  const Json other = first_of("person:elu-2B");
  const Json third = first_of("person:elu-3");
  const Json fourth = first_of("person:elu-1");
  // Same nominal day: 10:00, 11:00 and 14:00 for the coordinator, the fourth the next working day.
  ASSERT_EQ(marc["date"], other["date"]);
  ASSERT_EQ(marc["date"], third["date"]);
  EXPECT_EQ(marc["time"], "10:00");
  EXPECT_EQ(other["time"], "11:00");
  EXPECT_EQ(third["time"], "14:00");
  EXPECT_NE(fourth["date"], marc["date"]);
  const std::string move = base + "/milestones/" + marc["id"].get<std::string>() + "/move";

  // A Saturday (2027-05-15), in French.
  auto r = h.Call("POST", move, kScopedCoordinator, {{"date", "2027-05-15"}, {"time", "10:00"}}, "fr-FR,fr;q=0.9");
  ASSERT_EQ(r.status, 409) << r.body;
  Json p = h.Body(r);
  EXPECT_EQ(p["code"], "non_working_day");
  EXPECT_EQ(p["reason"],
            "Le 2027-05-15 n'est pas un jour ouvré (week-end, jour férié ou fermeture) : choisissez un autre jour.");
  EXPECT_EQ(p["detail"], p["reason"]);
  EXPECT_THAT(p["messages"]["en"].get<std::string>(), ::testing::HasSubstr("is not a working day"));
  ASSERT_FALSE(p["nearest"].empty());

  // Over lunch, in English.
  r = h.Call("POST", move, kScopedCoordinator, {{"date", "2027-05-19"}, {"time", "12:00"}}, "en");
  ASSERT_EQ(r.status, 409) << r.body;
  p = h.Body(r);
  EXPECT_EQ(p["code"], "outside_working_hours");
  EXPECT_EQ(p["reason"],
            "A 60-minute review at 2027-05-19 12:00 falls outside working hours (09:00–12:30 and 14:00–17:30).");

  // Onto the other élu's review: the coordinator is busy.
  r = h.Call("POST", move, kScopedCoordinator, {{"date", other["date"]}, {"time", "11:30"}}, "fr");
  ASSERT_EQ(r.status, 409) << r.body;
  p = h.Body(r);
  EXPECT_EQ(p["code"], "person_busy");
  EXPECT_EQ(p["details"]["person"], "person:paul.sud");
  EXPECT_EQ(p["details"]["conflict"]["milestone"], other["id"]);
  EXPECT_THAT(p["reason"].get<std::string>(), ::testing::HasSubstr("person:paul.sud est déjà pris le"));
  // The nearest free slots are free: taking the first is accepted.
  ASSERT_FALSE(p["nearest"].empty());
  const Json nearest = p["nearest"][0];

  // A fourth review on a day the coordinator already has three: day full.
  const std::string move_fourth = base + "/milestones/" + fourth["id"].get<std::string>() + "/move";
  r = h.Call("POST", move_fourth, kScopedCoordinator, {{"date", marc["date"]}, {"time", "16:00"}}, "en");
  ASSERT_EQ(r.status, 409) << r.body;
  p = h.Body(r);
  EXPECT_EQ(p["code"], "day_full");
  EXPECT_EQ(p["details"]["max_per_day"], 3);
  EXPECT_THAT(p["reason"].get<std::string>(), ::testing::HasSubstr("already has 3 reviews on"));

  // A bad time is a 400; nothing was moved so far.
  EXPECT_EQ(h.Call("POST", move, kScopedCoordinator, {{"date", "2027-05-19"}, {"time", "25:00"}}).status, 400);
  EXPECT_EQ(first_of("person:marc.lefort")["sequence"], marc["sequence"]);

  // An accepted move: the slot asked, SEQUENCE raised.
  r = h.Call("POST", move, kScopedCoordinator, {{"date", nearest["date"]}, {"time", nearest["time"]}});
  ASSERT_EQ(r.status, 200) << r.body;
  p = h.Body(r);
  EXPECT_EQ(p["date"], nearest["date"]);
  EXPECT_EQ(p["time"], nearest["time"]);
  EXPECT_EQ(p["sequence"], marc["sequence"].get<int>() + 1);
  // Without a time: the first free slot of that day from its own time on.
  r = h.Call("POST", move, kScopedCoordinator, {{"date", "2027-05-18"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(h.Body(r)["date"], "2027-05-18");
}

}  // namespace
}  // namespace relais::api
