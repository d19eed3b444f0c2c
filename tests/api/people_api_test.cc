// /v1/people in process (Router, no sockets; exchanges recorded for the
// OpenAPI validation): registering, reading, paging and changing people,
// who may do what, refusals naming the field; and people named by name where
// Relais shows them: milestone titles, programme assignments, the calendar
// feed (SUMMARY and ATTENDEE) and the webhook payloads of programme events.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/notify/outbox.h"
#include "engine/notify/webhook_keys.h"
#include "tests/api/api_fixture.h"
#include "tests/programme/programme_fixture.h"

namespace relais::api {
namespace {

using namespace relais::api::testing;
using relais::programme::testing::CbeDefinition;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kNadia = "nadia.benali@ville-lhay.example";

class PeopleApiTest : public ::testing::Test {
 protected:
  PeopleApiTest() { h.webhooks->Attach(h.programmes); }

  server::HttpResponse Call(const std::string& method, const std::string& target, const std::string& token,
                            const Json& body = nullptr) {
    return h.Call(method, target, token, body.is_null() ? "" : body.dump());
  }
  void RegisterNadia() {
    ASSERT_EQ(Call("POST", "/v1/partners", kCoordinator, {{"id", "ville-lhay"}, {"name", "Ville de L'Haÿ"}}).status,
              201);
    auto r = Call("POST", "/v1/people", kCoordinator,
                  {{"id", kNadia},
                   {"civility", "Mme"},
                   {"first_name", "Nadia"},
                   {"last_name", "Benali"},
                   {"organisation", "Ville de L'Haÿ-les-Roses"},
                   {"function", "Adjointe au maire"},
                   {"partner", "ville-lhay"}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  void DefineAndAssignNadia() {
    auto r = Call("POST", "/v1/programmes", kScopedCoordinator, CbeDefinition());
    ASSERT_EQ(r.status, 201) << r.body;
    r = Call(
        "POST", "/v1/programmes/sud-val-de-marnais/assignments", kScopedCoordinator,
        {{"person", kNadia}, {"role", "elu_referent"}, {"axis", "2B"}, {"start", "2027-01-01"}, {"end", "2029-12-31"}});
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(Harness::Body(r)["person_name"], "Mme Nadia Benali");
  }

  Harness h;
};

TEST_F(PeopleApiTest, ACoordinatorRegistersAPersonEveryoneReadsThem) {
  RegisterNadia();
  auto r = Call("GET", "/v1/people/" + kNadia, kElu);
  ASSERT_EQ(r.status, 200) << r.body;
  const Json p = Harness::Body(r);
  EXPECT_EQ(p["display_name"], "Mme Nadia Benali");
  EXPECT_EQ(p["email"], kNadia) << "the contact address defaults to the id";
  EXPECT_EQ(p["partner"], "ville-lhay");
  EXPECT_EQ(p["language"], "fr");
  EXPECT_EQ(Call("GET", "/v1/people/" + kNadia, kPartner).status, 200);
  EXPECT_EQ(Call("GET", "/v1/people/nobody@x.example", kCoordinator).status, 404);
  EXPECT_EQ(Call("POST", "/v1/people", kCoordinator, {{"id", kNadia}}).status, 409);
  EXPECT_EQ(Call("GET", "/v1/people", "").status, 401);

  // Registered, then changed: two events of the person's history, by their authors.
  ASSERT_EQ(Call("PATCH", "/v1/people/" + kNadia, kAdmin, {{"function", "Maire adjointe"}}).status, 200);
  auto history = Call("GET", "/v1/people/" + kNadia + "/history", kElu);
  ASSERT_EQ(history.status, 200) << history.body;
  const Json changes = Harness::Body(history)["changes"];
  ASSERT_EQ(changes.size(), 2u) << changes.dump(2);
  EXPECT_EQ(changes[0]["type"], "person_registered");
  EXPECT_EQ(changes[0]["actor"], "person:claire.dumas");
  EXPECT_EQ(changes[1]["type"], "person_changed");
  EXPECT_EQ(changes[1]["actor"], "person:alice.admin");
  EXPECT_EQ(changes[1]["data"]["function"], "Maire adjointe");
}

TEST_F(PeopleApiTest, TheDirectoryPagesAndFiltersByPartner) {
  RegisterNadia();
  for (const char* id : {"a@x.example", "b@x.example", "c@x.example"})
    ASSERT_EQ(Call("POST", "/v1/people", kAdmin, {{"id", id}}).status, 201);
  auto first = Call("GET", "/v1/people?limit=2", kObserver);
  ASSERT_EQ(first.status, 200) << first.body;
  const Json page = Harness::Body(first);
  ASSERT_EQ(page["people"].size(), 2u);
  EXPECT_EQ(page["next_after"], "b@x.example");
  auto second = Call("GET", "/v1/people?limit=2&after=b%40x.example", kObserver);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(Harness::Body(second)["people"].size(), 2u);
  EXPECT_EQ(Harness::Body(second)["people"][1]["id"], kNadia);
  auto of_partner = Call("GET", "/v1/people?partner=ville-lhay", kElu);
  ASSERT_EQ(of_partner.status, 200);
  ASSERT_EQ(Harness::Body(of_partner)["people"].size(), 1u);
  EXPECT_EQ(Harness::Body(of_partner)["people"][0]["id"], kNadia);
}

TEST_F(PeopleApiTest, RefusalsNameTheField) {
  struct Case {
    Json body;
    std::string words;
  };
  const std::vector<Case> cases = {
      {{{"id", "x@y.example"}, {"civility", "Dr"}}, "'civility'"},
      {{{"id", "x@y.example"}, {"email", "nope"}}, "'email'"},
      {{{"id", "x@y.example"}, {"language", "de"}}, "'language'"},
      {{{"id", "x@y.example"}, {"partner", "no-such-partner"}}, "'partner': no partner 'no-such-partner'"},
      {{{"id", "X@Y.example"}}, "lower case"},
      {{{"civility", "Mme"}}, "'id'"},
      {{{"id", "x@y.example"}, {"nickname", "X"}}, "unknown member 'nickname'"},
  };
  for (const Case& c : cases) {
    auto r = Call("POST", "/v1/people", kCoordinator, c.body);
    EXPECT_EQ(r.status, 400) << c.body << ": " << r.body;
    EXPECT_THAT(Harness::Body(r).value("detail", ""), HasSubstr(c.words)) << c.body;
  }
}

TEST_F(PeopleApiTest, WhoMayRegisterAndChangePeople) {
  RegisterNadia();
  EXPECT_EQ(Call("POST", "/v1/people", kElu, {{"id", "e@x.example"}}).status, 403);
  EXPECT_EQ(Call("POST", "/v1/people", kObserver, {{"id", "e@x.example"}}).status, 403);
  EXPECT_EQ(Call("POST", "/v1/people", kPartner, {{"id", "e@x.example"}}).status, 403);
  EXPECT_EQ(Call("PATCH", "/v1/people/" + kNadia, kElu, {{"function", "x"}}).status, 403);

  // A person changes their own entry, but not whether it is active.
  ASSERT_EQ(Call("POST", "/v1/people", kCoordinator,
                 {{"id", "person:marc.lefort"}, {"email", "marc.lefort@ville.example"}, {"first_name", "Marc"}})
                .status,
            201);
  auto own = Call("PATCH", "/v1/people/person:marc.lefort", kElu, {{"last_name", "Lefort"}, {"civility", "M."}});
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(Harness::Body(own)["display_name"], "M. Marc Lefort");
  EXPECT_EQ(Call("PATCH", "/v1/people/person:marc.lefort", kElu, {{"active", false}}).status, 403);
  EXPECT_EQ(Call("PATCH", "/v1/people/person:marc.lefort", kElu, {{"id", "other@x.example"}}).status, 400);

  // A coordinator of one programme does not change a person who also serves in another.
  ASSERT_EQ(Call("POST", "/v1/programmes", kCoordinator, CbeDefinition()).status, 201);
  Json nord = CbeDefinition();
  nord["id"] = kOtherProgramme;
  ASSERT_EQ(Call("POST", "/v1/programmes", kCoordinator, nord).status, 201);
  for (const std::string& programme : {kOwnProgramme, kOtherProgramme})
    ASSERT_EQ(Call("POST", "/v1/programmes/" + programme + "/assignments", kCoordinator,
                   {{"person", kNadia}, {"role", "partner_contact"}, {"start", "2027-01-01"}, {"end", "2029-12-31"}})
                  .status,
              201);
  auto scoped = Call("PATCH", "/v1/people/" + kNadia, kScopedCoordinator, {{"function", "x"}});
  EXPECT_EQ(scoped.status, 403) << scoped.body;
  EXPECT_THAT(Harness::Body(scoped).value("detail", ""), HasSubstr("not yours"));
  auto all = Call("PATCH", "/v1/people/" + kNadia, kCoordinator, {{"active", false}});
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_FALSE(Harness::Body(all)["active"].get<bool>());
}

TEST_F(PeopleApiTest, ReviewsAndAssignmentsNameTheEluNeverByAddress) {
  RegisterNadia();
  DefineAndAssignNadia();
  auto state = Call("GET", "/v1/programmes/sud-val-de-marnais", kScopedCoordinator);
  ASSERT_EQ(state.status, 200);
  bool named = false;
  const Json programme = Harness::Body(state);
  for (const Json& a : programme["assignments"]) named |= a["person_name"] == "Mme Nadia Benali";
  EXPECT_TRUE(named) << state.body;

  auto fr = Call("GET", "/v1/programmes/sud-val-de-marnais/milestones?kind=review", kScopedCoordinator);
  ASSERT_EQ(fr.status, 200) << fr.body;
  const Json reviews = Harness::Body(fr)["milestones"];
  ASSERT_FALSE(reviews.empty());
  EXPECT_EQ(reviews[0]["title"], "Point avec Mme Nadia Benali (élue référente, axe 2B)");
  EXPECT_EQ(reviews[0]["person_name"], "Mme Nadia Benali");
  EXPECT_EQ(reviews[0]["person"], kNadia) << "the id stays beside the name";
  auto en = Call("GET", "/v1/programmes/sud-val-de-marnais/milestones?kind=review&lang=en", kScopedCoordinator);
  EXPECT_EQ(Harness::Body(en)["milestones"][0]["title"], "Review with Ms Nadia Benali (elected referent, axis 2B)");

  // The calendar: the name in SUMMARY and as the attendee's CN; the address only as its URI.
  auto ics = Call("GET", "/v1/programmes/sud-val-de-marnais/calendar", kScopedCoordinator);
  ASSERT_EQ(ics.status, 200) << ics.body;
  std::string text = ics.body;
  for (size_t at; (at = text.find("\r\n ")) != std::string::npos;) text.erase(at, 3);
  EXPECT_THAT(text, HasSubstr("SUMMARY:Point avec Mme Nadia Benali (élue référente\\, axe 2B)"));
  EXPECT_THAT(text, HasSubstr("ATTENDEE;CN=Mme Nadia Benali;ROLE=REQ-PARTICIPANT;"));
  EXPECT_THAT(text, HasSubstr(":mailto:" + kNadia + "\r\n"));
  EXPECT_THAT(text, Not(HasSubstr("(" + kNadia + ")")));
}

TEST_F(PeopleApiTest, AnEluOutsideTheDirectoryIsNamedByRoleNotByAddress) {
  ASSERT_EQ(Call("POST", "/v1/programmes", kScopedCoordinator, CbeDefinition()).status, 201);
  ASSERT_EQ(Call("POST", "/v1/programmes/sud-val-de-marnais/assignments", kScopedCoordinator,
                 {{"person", "x.unknown@ville.example"},
                  {"role", "elu_referent"},
                  {"axis", "2A"},
                  {"start", "2027-01-01"},
                  {"end", "2029-12-31"}})
                .status,
            201);
  auto r = Call("GET", "/v1/programmes/sud-val-de-marnais/milestones?kind=review", kScopedCoordinator);
  ASSERT_EQ(r.status, 200);
  const std::string title = Harness::Body(r)["milestones"][0]["title"];
  EXPECT_THAT(title, HasSubstr("Point d'étape de l'axe 2A"));
  EXPECT_THAT(title, Not(HasSubstr("@")));
}

TEST_F(PeopleApiTest, ProgrammeWebhookPayloadsCarryThePersonsNameBesideTheId) {
  RegisterNadia();
  ASSERT_EQ(Call("POST", "/v1/partners", kCoordinator, {{"id", "ccas-fresnes"}, {"name", "CCAS de Fresnes"}}).status,
            201);
  h.CreateOwnAndOther();  // "own" names ccas-fresnes in programme sud-val-de-marnais
  auto endpoint = Call("POST", "/v1/webhooks/endpoints", kCoordinator,
                       {{"partner", "ccas-fresnes"}, {"url", "https://hooks.ccas-fresnes.example/relais"}});
  ASSERT_EQ(endpoint.status, 201) << endpoint.body;
  DefineAndAssignNadia();
  auto queued = h.store.KvScan(std::string(notify::kQueuePrefix), "", 1000);
  ASSERT_TRUE(queued.ok());
  bool seen = false;
  for (const KvEntry& e : *queued) {
    auto d = notify::QueuedDelivery::FromStored(e.value);
    ASSERT_TRUE(d.ok());
    if (d->type != "person_assigned") continue;
    const Json body = Json::parse(d->body);
    const Json& data = body["data"]["event"]["data"];
    const Json& holder = data.contains("assignment") ? data["assignment"] : data;
    EXPECT_EQ(holder["person"], kNadia) << d->body;
    EXPECT_EQ(holder["person_name"], "Mme Nadia Benali") << d->body;
    seen = true;
  }
  EXPECT_TRUE(seen) << "a person_assigned delivery to ccas-fresnes";
}

TEST_F(PeopleApiTest, PersonFeedTokensStillLiveUnderThePerson) {
  RegisterNadia();
  DefineAndAssignNadia();
  auto issued = Call("POST", "/v1/people/" + kNadia + "/feed-tokens", kScopedCoordinator);
  ASSERT_EQ(issued.status, 201) << issued.body;
  auto listed = Call("GET", "/v1/people/" + kNadia + "/feed-tokens", kScopedCoordinator);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Harness::Body(listed)["feed_tokens"].size(), 1u);
  auto feed = Call("GET", Harness::Body(issued)["url"].get<std::string>(), "");
  ASSERT_EQ(feed.status, 200) << feed.body;
  EXPECT_THAT(feed.body, HasSubstr("X-WR-CALNAME:Échéances de Mme Nadia Benali"));
}

}  // namespace
}  // namespace relais::api
