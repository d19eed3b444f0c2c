// The /v1 API through the Router, without sockets: every resource, the
// error mapping (RFC 9457 types) and the idempotency and concurrency rules.
#include "engine/api/api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>
#include <tuple>

#include "tests/api/api_fixture.h"
#include "tests/programme/programme_fixture.h"

namespace relais::api {
namespace {

using testing::Harness;
using ::testing::HasSubstr;
using testing::kAdmin;
using testing::kCoordinator;
using testing::kElu;
using testing::kObserver;
using testing::kPartner;
using testing::kReferent;

constexpr char kProblemBase[] = "https://relais.dev/problems/";

std::string TypeOf(const server::HttpResponse& r) { return Harness::Body(r).value("type", ""); }

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { h.CreateOwnAndOther(); }
  Harness h;
};

TEST_F(ApiTest, MissingOrUnknownTokenIs401WithBearerChallenge) {
  auto none = h.Call("GET", "/v1/projects/own", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(TypeOf(none), std::string(kProblemBase) + "unauthorized");
  EXPECT_THAT(std::string(none.headers.Get("WWW-Authenticate").value_or("")), HasSubstr("Bearer"));
  EXPECT_EQ(h.Call("GET", "/v1/projects/own", "not-a-token").status, 401);
  EXPECT_EQ(h.Call("GET", "/v1/workflows", "").status, 401);
}

TEST_F(ApiTest, WorkflowsAreListedAndServedWithTheirSource) {
  auto list = h.Call("GET", "/v1/workflows", kPartner);
  ASSERT_EQ(list.status, 200) << list.body;
  std::vector<std::string> names;
  const Json listed = Harness::Body(list);
  for (const Json& w : listed["workflows"]) names.push_back(w["name"]);
  EXPECT_THAT(names, ::testing::Contains("cbe_action"));
  auto one = h.Call("GET", "/v1/workflows/cbe_action", kCoordinator);
  ASSERT_EQ(one.status, 200);
  Json body = Harness::Body(one);
  EXPECT_THAT(body["source"].get<std::string>(), HasSubstr("workflow: cbe_action"));
  EXPECT_TRUE(body["current"].get<bool>());
  // The structure the dashboard draws: phases with labels, transitions' targets.
  const Json& definition = body["definition"];
  ASSERT_TRUE(definition["phases"].is_array());
  EXPECT_EQ(definition["phases"][1]["id"], "etude");
  EXPECT_EQ(definition["phases"][1]["labels"]["fr"], "Étude de faisabilité");
  EXPECT_EQ(definition["phases"][1]["planned_year_key"], "faisabilite");
  bool etude_lancee_goes_to_etude = false;
  for (const Json& e : definition["events"])
    if (e["type"] == "etude_lancee") etude_lancee_goes_to_etude = e["transitions"][0]["to"] == "etude";
  EXPECT_TRUE(etude_lancee_goes_to_etude);
  EXPECT_EQ(h.Call("GET", "/v1/workflows/nope", kCoordinator).status, 404);
}

TEST_F(ApiTest, ValidateReportsDiagnosticsWithLineAndColumn) {
  const std::string broken =
      "workflow: w\nversion: 1\nphases:\n  - id: a\n    initial: true\nevents:\n  - type: e\n    roles: "
      "[coordinator]\n    phases: [nowhere]\n";
  auto r = h.Call("POST", "/v1/workflows/validate", kCoordinator, broken, {{"Content-Type", "application/yaml"}});
  ASSERT_EQ(r.status, 200) << r.body;
  Json body = Harness::Body(r);
  EXPECT_FALSE(body["valid"].get<bool>());
  ASSERT_FALSE(body["diagnostics"].empty());
  bool located = false;
  for (const Json& d : body["diagnostics"])
    located = located || (d["line"].get<int>() > 0 && d["column"].get<int>() > 0);
  EXPECT_TRUE(located) << body.dump(2);
  // As JSON too; a partner may not validate.
  Json wrapped = {{"source", broken}, {"file_name", "w.yaml"}};
  EXPECT_EQ(h.Call("POST", "/v1/workflows/validate", kCoordinator, wrapped.dump()).status, 200);
  EXPECT_EQ(h.Call("POST", "/v1/workflows/validate", kPartner, wrapped.dump()).status, 403);
  EXPECT_EQ(h.Call("POST", "/v1/workflows/validate", kCoordinator, broken, {{"Content-Type", "image/png"}}).status,
            415);
}

TEST_F(ApiTest, DeployCreatesANewVersionOnceAndRefusesBrokenFiles) {
  std::string source = h.registry.SourceOf(h.registry.Current("cbe_action")->content_hash);
  std::string changed = source + "\n# a comment does not change the canonical form\n";
  auto same = h.Call("POST", "/v1/workflows", kAdmin, changed, {{"Content-Type", "text/yaml"}});
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_FALSE(Harness::Body(same)["is_new"].get<bool>());
  std::string v2 = source;
  v2.replace(v2.find("version: 1"), 10, "version: 2");
  auto deployed = h.Call("POST", "/v1/workflows", kCoordinator, v2, {{"Content-Type", "application/yaml"}});
  ASSERT_EQ(deployed.status, 201) << deployed.body;
  EXPECT_EQ(Harness::Body(deployed)["version"], 2);
  EXPECT_EQ(h.registry.Current("cbe_action")->version, 2);
  auto broken = h.Call("POST", "/v1/workflows", kCoordinator, "workflow: [", {{"Content-Type", "application/yaml"}});
  EXPECT_EQ(broken.status, 422);
  EXPECT_EQ(TypeOf(broken), std::string(kProblemBase) + "validation-failed");
  EXPECT_FALSE(Harness::Body(broken)["errors"].empty());
  EXPECT_EQ(h.Call("POST", "/v1/workflows", kElu, v2, {{"Content-Type", "application/yaml"}}).status, 403);
}

TEST_F(ApiTest, CreateRecordsInfoMembersAndTheAuthenticatedActor) {
  auto got = h.Call("GET", "/v1/projects/own", kCoordinator);
  ASSERT_EQ(got.status, 200) << got.body;
  Json body = Harness::Body(got);
  EXPECT_EQ(body["info"]["programme"], "sud-val-de-marnais");
  EXPECT_EQ(body["info"]["members"][0]["subject"], "person:marc.lefort");
  EXPECT_EQ(body["info"]["planned_years"]["etude"], 2004);
  EXPECT_EQ(body["state"]["phase"], "mobilisation");
  // Registered, created, and late from its creation (mobilisation planned
  // for 2003, the clock in 2004): the notice is in the creation's batch.
  EXPECT_EQ(std::string(got.headers.Get("ETag").value_or("")), "\"3\"");
  auto history = h.Call("GET", "/v1/projects/own/events", kCoordinator);
  ASSERT_EQ(history.status, 200);
  const Json events = Harness::Body(history)["events"];
  ASSERT_EQ(events.size(), 3u) << events;
  EXPECT_EQ(events[0]["metadata"]["actor"], "person:claire.dumas");
  EXPECT_EQ(events[1]["metadata"]["actor"], "person:claire.dumas");
  EXPECT_EQ(events[2]["type"], "project_late");
  EXPECT_EQ(events[2]["metadata"]["actor"], "system:lateness");
  EXPECT_EQ(events[2]["data"]["planned_year"], 2003);
}

TEST_F(ApiTest, CreateValidatesItsBody) {
  EXPECT_EQ(h.Call("POST", "/v1/projects", kCoordinator, R"({"title": "no workflow"})").status, 400);
  EXPECT_EQ(h.Call("POST", "/v1/projects", kCoordinator, R"({"workflow": "cbe_action", "partners": "x"})").status, 400);
  EXPECT_EQ(
      h.Call("POST", "/v1/projects", kCoordinator, R"({"workflow": "cbe_action", "planned_years": {"etude": "soon"}})")
          .status,
      400);
  EXPECT_EQ(h.Call("POST", "/v1/projects", kCoordinator, R"({"workflow": "nope"})").status, 404);
  auto dup = h.Call("POST", "/v1/projects", kCoordinator, R"({"id": "own", "workflow": "cbe_action"})");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(TypeOf(dup), std::string(kProblemBase) + "already-exists");
  EXPECT_EQ(h.Call("POST", "/v1/projects", kCoordinator, R"({"id": "bad id!", "workflow": "cbe_action"})").status, 400);
  auto generated = h.Call("POST", "/v1/projects", kCoordinator, R"({"workflow": "cbe_action"})");
  ASSERT_EQ(generated.status, 201);
  EXPECT_THAT(std::string(generated.headers.Get("Location").value_or("")), HasSubstr("/v1/projects/"));
}

TEST_F(ApiTest, CommandAppendsWithTheTokenSubjectAsActor) {
  Json cmd = {{"type", "mobilisation_avancee"}, {"data", {{"volet", "partenaires"}, {"etape", "mobilises"}}}};
  auto r = h.Call("POST", "/v1/projects/own/events", kReferent, cmd.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  Json body = Harness::Body(r);
  EXPECT_EQ(body["version"], 4) << "registered, created, late, then this";
  ASSERT_EQ(body["events"].size(), 1u);
  EXPECT_EQ(body["events"][0]["metadata"]["actor"], "person:rene.tech");
  auto stored = h.store.ReadStream("project-own", 4, 1);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)[0].metadata.actor, "person:rene.tech");
}

TEST_F(ApiTest, AnActorInTheBodyIsRejectedNotObeyed) {
  Json cmd = {{"type", "indicateur_enregistre"},
              {"data", {{"indicateur", "autre"}, {"valeur", 1}}},
              {"actor", "person:someone.else"}};
  auto r = h.Call("POST", "/v1/projects/own/events", kCoordinator, cmd.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("actor"));
}

TEST_F(ApiTest, WorkflowRefusalIs422WithTheRuleAndWhy) {
  auto r = h.Call("POST", "/v1/projects/own/events", kCoordinator, R"({"type": "etude_lancee"})");
  ASSERT_EQ(r.status, 422) << r.body;
  Json body = Harness::Body(r);
  EXPECT_EQ(body["type"], std::string(kProblemBase) + "refused-by-workflow");
  EXPECT_EQ(body["code"], "guard_failed");
  EXPECT_THAT(body["reason"].get<std::string>(), HasSubstr("mobilisés"));
  EXPECT_FALSE(body["details"].empty());
  auto unknown = h.Call("POST", "/v1/projects/own/events", kCoordinator, R"({"type": "no_such_event"})");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(Harness::Body(unknown)["code"], "unknown_event_type");
  auto bad_data = h.Call("POST", "/v1/projects/own/events", kCoordinator,
                         R"({"type": "indicateur_enregistre", "data": {"indicateur": 12}})");
  EXPECT_EQ(bad_data.status, 422);
  EXPECT_EQ(Harness::Body(bad_data)["code"], "invalid_data");
}

TEST_F(ApiTest, RoleNotAllowedByTheWorkflowIs403) {
  // A partner takes part in "own" but may not fire etude_lancee.
  auto r = h.Call("POST", "/v1/projects/own/events", kPartner, R"({"type": "etude_lancee"})");
  ASSERT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(Harness::Body(r)["code"], "role_not_allowed");
}

TEST_F(ApiTest, SameIdempotencyKeyGivesTheSameResponseAndAppendsOnce) {
  Json cmd = {{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "autre"}, {"valeur", 3}}}};
  auto first = h.Call("POST", "/v1/projects/own/events", kCoordinator, cmd.dump(), {{"Idempotency-Key", "k-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  uint64_t position = h.store.LastPosition();
  // Another command moves the project on meanwhile.
  ASSERT_EQ(h.Call("POST", "/v1/projects/own/events", kCoordinator, cmd.dump()).status, 201);
  auto again = h.Call("POST", "/v1/projects/own/events", kCoordinator, cmd.dump(), {{"Idempotency-Key", "k-1"}});
  ASSERT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(std::string(again.headers.Get("Idempotent-Replayed").value_or("")), "true");
  EXPECT_EQ(h.store.LastPosition(), position + 1) << "only the keyless command appended";
  EXPECT_EQ(h.Call("POST", "/v1/projects/own/events", kCoordinator, cmd.dump(), {{"Idempotency-Key", ""}}).status, 400);
}

TEST_F(ApiTest, IdempotentCreateGivesTheSameResponse) {
  Json body = {{"id", "again"}, {"workflow", "cbe_action"}, {"programme", "sud-val-de-marnais"}};
  auto first = h.Call("POST", "/v1/projects", kCoordinator, body.dump(), {{"Idempotency-Key", "create-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = h.Call("POST", "/v1/projects", kCoordinator, body.dump(), {{"Idempotency-Key", "create-1"}});
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(Harness::Body(again)["events"].size(), 2u);
}

TEST_F(ApiTest, StaleIfMatchIs409WithTheCurrentVersion) {
  Json cmd = {{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "autre"}, {"valeur", 3}}}};
  auto stale = h.Call("POST", "/v1/projects/own/events", kCoordinator, cmd.dump(), {{"If-Match", "\"1\""}});
  ASSERT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(TypeOf(stale), std::string(kProblemBase) + "version-conflict");
  EXPECT_EQ(Harness::Body(stale)["current_version"], 3) << "registered, created, late";
  EXPECT_EQ(h.Call("POST", "/v1/projects/own/events", kCoordinator, cmd.dump(), {{"If-Match", "\"3\""}}).status, 201);
  EXPECT_EQ(h.Call("POST", "/v1/projects/own/events", kCoordinator, cmd.dump(), {{"If-Match", "soon"}}).status, 400);
}

TEST_F(ApiTest, BadBodiesGetTheirOwnProblemNeverA500) {
  const std::string target = "/v1/projects/own/events";
  auto truncated = h.Call("POST", target, kCoordinator, R"({"type": "indicateur_enr)");
  EXPECT_EQ(truncated.status, 400);
  EXPECT_EQ(TypeOf(truncated), std::string(kProblemBase) + "bad-json");
  EXPECT_TRUE(Harness::Body(truncated).contains("offset"));
  auto invalid = h.Call("POST", target, kCoordinator, R"({"type": x})");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(Harness::Body(invalid)["offset"], 9);
  auto deep = h.Call("POST", target, kCoordinator, std::string(10'000, '[') + std::string(10'000, ']'));
  EXPECT_EQ(deep.status, 400);
  EXPECT_EQ(TypeOf(deep), std::string(kProblemBase) + "bad-json");
  auto huge = h.Call("POST", target, kCoordinator,
                     R"({"type": "indicateur_enregistre", "data": {"indicateur": "autre", "valeur": 1e999}})");
  EXPECT_EQ(huge.status, 400) << huge.body;
  auto big_integer = h.Call(
      "POST", target, kCoordinator,
      R"({"type": "indicateur_enregistre", "data": {"indicateur": "autre", "valeur": 123456789012345678901234567890}})");
  EXPECT_LT(big_integer.status, 500) << big_integer.body;
  auto bad_utf8 = h.Call("POST", target, kCoordinator, "{\"type\": \"\xff\xfe\"}");
  EXPECT_EQ(bad_utf8.status, 400);
  auto not_object = h.Call("POST", target, kCoordinator, "[1, 2]");
  EXPECT_EQ(not_object.status, 400);
  auto no_type = h.Call("POST", target, kCoordinator, "{}", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(no_type.status, 415);
  auto missing_type = h.Call("POST", target, kCoordinator, R"({"data": {}})");
  EXPECT_EQ(missing_type.status, 400);
}

TEST_F(ApiTest, HistoryIsPagedFromAVersion) {
  Json cmd = {{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "autre"}, {"valeur", 1}}}};
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(h.Call("POST", "/v1/projects/own/events", kCoordinator, cmd.dump()).status, 201);
  auto page1 = h.Call("GET", "/v1/projects/own/events?from=1&limit=3", kElu);
  ASSERT_EQ(page1.status, 200) << page1.body;
  Json b1 = Harness::Body(page1);
  ASSERT_EQ(b1["events"].size(), 3u);
  EXPECT_EQ(b1["events"][0]["type"], "project_registered");
  EXPECT_TRUE(b1["has_more"].get<bool>());
  EXPECT_EQ(b1["next_from"], 4);
  auto page2 = h.Call("GET", "/v1/projects/own/events?from=4&limit=10", kElu);
  Json b2 = Harness::Body(page2);
  ASSERT_EQ(b2["events"].size(), 5u) << "versions 4 to 8: the late notice at creation, then the five commands";
  EXPECT_EQ(b2["events"][0]["version"], 4);
  EXPECT_FALSE(b2["has_more"].get<bool>());
  EXPECT_EQ(h.Call("GET", "/v1/projects/own/events?limit=100000", kElu).status, 400);
  EXPECT_EQ(h.Call("GET", "/v1/projects/own/events?from=abc", kElu).status, 400);
}

// What is missing: the next steps from the phase, each unmet condition in
// the workflow file's words, for whoever may read the project.
TEST_F(ApiTest, NextStepsSayWhatIsMissingInTheWorkflowsWords) {
  auto r = h.Call("GET", "/v1/projects/own/next-steps", kElu);
  ASSERT_EQ(r.status, 200) << r.body;
  Json body = Harness::Body(r);
  EXPECT_EQ(body["project"], "own");
  EXPECT_EQ(body["phase"], "mobilisation");
  const Json* study = nullptr;
  for (const Json& s : body["steps"])
    if (s["event"] == "etude_lancee") study = &s;
  ASSERT_NE(study, nullptr) << body.dump(2);
  EXPECT_FALSE((*study)["ready"].get<bool>());
  EXPECT_EQ((*study)["conditions"][0]["met"], false);
  EXPECT_EQ((*study)["conditions"][0]["messages"]["en"], "partners must be mobilised before the study");
  EXPECT_EQ((*study)["conditions"][0]["observed"]["project.tracks.partenaires"], "a_mobiliser");

  Json cmd = {{"type", "mobilisation_avancee"}, {"data", {{"volet", "partenaires"}, {"etape", "mobilises"}}}};
  ASSERT_EQ(h.Call("POST", "/v1/projects/own/events", kCoordinator, cmd.dump()).status, 201);
  body = Harness::Body(h.Call("GET", "/v1/projects/own/next-steps", kElu));
  for (const Json& s : body["steps"])
    if (s["event"] == "etude_lancee") {
      EXPECT_TRUE(s["ready"].get<bool>()) << s.dump();
    }

  EXPECT_EQ(h.Call("GET", "/v1/projects/other/next-steps", kPartner).status, 404);
  EXPECT_EQ(h.Call("GET", "/v1/projects/nope/next-steps", kAdmin).status, 404);
}

// The network: programmes grouped by region, figures rolled up, each
// programme's page named; a scoped coordinator sees only theirs.
TEST_F(ApiTest, TheNetworkGroupsProgrammesByRegionAndRollsUpTheirFigures) {
  Json sud = programme::testing::CbeDefinition();
  sud["region"] = "Île-de-France";
  ASSERT_EQ(h.Call("POST", "/v1/programmes", kCoordinator, sud.dump()).status, 201);
  Json nord = programme::testing::CbeDefinition();
  nord["id"] = testing::kOtherProgramme;
  nord["region"] = "Île-de-France";
  ASSERT_EQ(h.Call("POST", "/v1/programmes", kCoordinator, nord.dump()).status, 201);
  Json reunion = programme::testing::CbeDefinition();
  reunion["id"] = "ouest-reunion";
  reunion["region"] = "La Réunion";
  reunion["time_zone"] = "Indian/Reunion";
  ASSERT_EQ(h.Call("POST", "/v1/programmes", kCoordinator, reunion.dump()).status, 201);
  ASSERT_TRUE(h.index.CatchUp().ok());

  auto r = h.Call("GET", "/v1/network", kCoordinator);
  ASSERT_EQ(r.status, 200) << r.body;
  Json body = Harness::Body(r);
  ASSERT_EQ(body["regions"].size(), 2u) << body.dump(2);
  const Json& idf = body["regions"][1];
  EXPECT_EQ(idf["name"], "Île-de-France");
  EXPECT_EQ(idf["totals"]["programmes"], 2);
  EXPECT_EQ(idf["totals"]["actions"], 2);
  EXPECT_EQ(idf["totals"]["phases"]["mobilisation"], 2);
  EXPECT_EQ(idf["totals"]["late"], 2) << "both planned their mobilisation for 2003; it is 2004";
  EXPECT_EQ(idf["totals"]["late_by_years"]["1"], 2);
  EXPECT_EQ(idf["programmes"][0]["link"], "/ui/index.html#/programme/nord-essonne");
  EXPECT_EQ(body["regions"][0]["name"], "La Réunion");
  EXPECT_EQ(body["regions"][0]["totals"]["actions"], 0);
  EXPECT_EQ(body["totals"]["programmes"], 3);
  // Six yearly milestones a programme (2027-2029), none held.
  EXPECT_EQ(body["totals"]["milestones"]["scheduled"], 18);
  EXPECT_EQ(body["phase_labels"]["mobilisation"]["fr"], "Mobilisation");

  Json scoped = Harness::Body(h.Call("GET", "/v1/network", testing::kScopedCoordinator));
  ASSERT_EQ(scoped["regions"].size(), 1u) << scoped.dump(2);
  EXPECT_EQ(scoped["totals"]["programmes"], 1);
  EXPECT_EQ(scoped["regions"][0]["programmes"][0]["id"], "sud-val-de-marnais");
  EXPECT_EQ(h.Call("GET", "/v1/network?lang=xx", kCoordinator).status, 400);
}

// A new version of a workflow from the page: its changes against the one
// deployed, then a dry run of moving the projects, then the move.
TEST_F(ApiTest, ANewVersionShowsItsChangesThenMovesTheChosenProjectsAfterADryRun) {
  std::ifstream in(std::string(RELAIS_SOURCE_DIR) + "/workflows/cbe.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string source = text.str();
  const std::string old_label = R"(labels: {fr: "Mobilisation", en: "Mobilisation"})";
  ASSERT_NE(source.find(old_label), std::string::npos);
  source.replace(source.find(old_label), old_label.size(),
                 R"(labels: {fr: "Mobilisation des acteurs", en: "Mobilisation"})");

  auto checked = h.Call("POST", "/v1/workflows/validate", kCoordinator, Json{{"source", source}}.dump());
  ASSERT_EQ(checked.status, 200) << checked.body;
  Json changes = Harness::Body(checked)["changes"];
  EXPECT_EQ(changes["phases"]["changed"], Json::array({"mobilisation"})) << changes.dump(2);
  EXPECT_TRUE(changes["phases"]["added"].empty());
  EXPECT_TRUE(changes["events"]["changed"].empty());
  EXPECT_FALSE(changes["same"].get<bool>());
  ASSERT_EQ(h.Call("POST", "/v1/workflows", kCoordinator, Json{{"source", source}}.dump()).status, 201);

  const std::string target = "/v1/workflows/cbe_action/migrations";
  auto dry = h.Call("POST", target, kCoordinator, R"({"projects": ["own", "ghost"]})");
  ASSERT_EQ(dry.status, 200) << dry.body;
  Json d = Harness::Body(dry);
  EXPECT_TRUE(d["dry_run"].get<bool>()) << "a dry run unless told otherwise";
  EXPECT_EQ(d["would_move"], 1);
  EXPECT_EQ(d["refused"], 1);
  ASSERT_EQ(d["results"].size(), 2u) << d.dump(2);
  EXPECT_EQ(d["results"][0]["project"], "own");
  EXPECT_EQ(d["results"][0]["outcome"], "would_move");
  EXPECT_EQ(d["results"][0]["phase_after"], "mobilisation");
  EXPECT_EQ(d["results"][1]["outcome"], "refused");
  EXPECT_THAT(d["results"][1]["message"].get<std::string>(), HasSubstr("no project 'ghost'"));
  const uint64_t before = Harness::Body(h.Call("GET", "/v1/projects/own", kCoordinator))["version"];
  EXPECT_EQ(Harness::Body(h.Call("GET", "/v1/projects/own", kCoordinator))["version"], before) << "nothing written";

  auto moved = h.Call("POST", target, kCoordinator, R"({"projects": ["own"], "dry_run": false})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(Harness::Body(moved)["moved"], 1);
  EXPECT_EQ(Harness::Body(moved)["results"][0]["outcome"], "moved");
  auto again = Harness::Body(h.Call("POST", target, kCoordinator, R"({"projects": ["own"]})"));
  EXPECT_EQ(again["results"][0]["outcome"], "current");

  EXPECT_EQ(h.Call("POST", target, kElu, R"({"dry_run": true})").status, 403);
  EXPECT_EQ(h.Call("POST", target, kCoordinator, R"({"dry_run": "yes"})").status, 400);
  EXPECT_EQ(h.Call("POST", target, kCoordinator, R"({"map": {}})").status, 400);
  EXPECT_EQ(h.Call("POST", "/v1/workflows/nope/migrations", kCoordinator, "{}").status, 404);
}

// An action's details changed after its creation: an event with its
// author; lateness follows the new plan; bad keys refused in words.
TEST_F(ApiTest, AnActionsTitleAxisAndPlanChangeAsAnEventWithItsAuthor) {
  EXPECT_EQ(Harness::Body(h.Call("GET", "/v1/projects/own", kAdmin))["late"], true) << "mobilisation planned 2003";
  auto r = h.Call("PATCH", "/v1/projects/own", kCoordinator,
                  R"({"title": "Aide à domicile mutualisée", "axis": "2B", "planned_years": {"mobilisation": 2004}})");
  ASSERT_EQ(r.status, 201) << r.body;
  Json state = Harness::Body(h.Call("GET", "/v1/projects/own", kAdmin));
  EXPECT_EQ(state["info"]["title"], "Aide à domicile mutualisée");
  EXPECT_EQ(state["info"]["axis"], "2B");
  EXPECT_EQ(state["info"]["planned_years"], (Json{{"mobilisation", 2004}}));
  EXPECT_EQ(state["late"], false) << "planned for this year now";
  Json events = Harness::Body(h.Call("GET", "/v1/projects/own/events?limit=100", kAdmin))["events"];
  const Json& last = events.back();
  EXPECT_EQ(last["type"], "project_details_changed");
  EXPECT_EQ(last["metadata"]["actor"], "person:claire.dumas");
  EXPECT_EQ(last["data"]["axis"], "2B");

  auto unknown = h.Call("PATCH", "/v1/projects/own", kCoordinator, R"({"planned_years": {"someday": 2005}})");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_THAT(unknown.body, HasSubstr("plans no phase under 'someday'; expected one of mobilisation"));
  EXPECT_EQ(h.Call("PATCH", "/v1/projects/own", kCoordinator, R"({"colour": "red"})").status, 400);
  EXPECT_EQ(h.Call("PATCH", "/v1/projects/own", kCoordinator, "{}").status, 400);
  EXPECT_EQ(h.Call("PATCH", "/v1/projects/own", kElu, R"({"title": "x"})").status, 403);
  EXPECT_EQ(h.Call("PATCH", "/v1/projects/other", kPartner, R"({"title": "x"})").status, 404);
}

TEST_F(ApiTest, ListFiltersSortsPagesAndHidesWhatTheCallerMayNotSee) {
  h.CreateProject("own-3", testing::kOwnProgramme, {"ccas-fresnes"}, Json::array(), "3");
  ASSERT_TRUE(h.index.CatchUp().ok());
  auto all = h.Call("GET", "/v1/projects?sort=id", kAdmin);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(Harness::Body(all)["total"], 3);
  auto partner = h.Call("GET", "/v1/projects?sort=id", kPartner);
  Json pb = Harness::Body(partner);
  EXPECT_EQ(pb["total"], 2);
  EXPECT_EQ(pb["projects"][0]["info"]["id"], "own");
  auto axis = h.Call("GET", "/v1/projects?axis=3", kAdmin);
  EXPECT_EQ(Harness::Body(axis)["total"], 1);
  auto by_programme = Harness::Body(h.Call("GET", "/v1/projects?sort=id&programme=" + testing::kOwnProgramme, kAdmin));
  EXPECT_EQ(by_programme["total"], 2);
  EXPECT_EQ(by_programme["projects"][0]["info"]["id"], "own");
  EXPECT_EQ(by_programme["projects"][1]["info"]["id"], "own-3");
  EXPECT_EQ(Harness::Body(h.Call("GET", "/v1/projects?programme=nowhere", kAdmin))["total"], 0);
  auto by_partner = h.Call("GET", "/v1/projects?partner=afpa", kAdmin);
  EXPECT_EQ(Harness::Body(by_partner)["projects"][0]["info"]["id"], "other");
  auto paged = h.Call("GET", "/v1/projects?sort=id&offset=1&limit=1", kAdmin);
  Json page = Harness::Body(paged);
  ASSERT_EQ(page["projects"].size(), 1u);
  EXPECT_EQ(page["projects"][0]["info"]["id"], "own");
  EXPECT_EQ(page["total"], 3);
  // Planned étude 2004, still in mobilisation (planned 2003) in 2004: late.
  auto late = h.Call("GET", "/v1/projects?late=true", kAdmin);
  EXPECT_EQ(Harness::Body(late)["total"], 3);
  for (const Json& p : Harness::Body(late)["projects"]) EXPECT_EQ(p["late_by_years"], 1) << p["info"]["id"];
  // Lateness has a size: four years on, still in mobilisation planned 2003.
  h.clock.Advance(std::chrono::hours(24 * 366 * 4));
  Json later = Harness::Body(h.Call("GET", "/v1/projects/own", kAdmin));
  EXPECT_EQ(later["late"], true);
  EXPECT_EQ(later["late_by_years"], 5);
  EXPECT_EQ(h.Call("GET", "/v1/projects?late=maybe", kAdmin).status, 400);
  EXPECT_EQ(h.Call("GET", "/v1/projects?sort=size", kAdmin).status, 400);
  EXPECT_EQ(h.Call("GET", "/v1/projects?phase=etude", kAdmin).status, 200);
  EXPECT_EQ(Harness::Body(h.Call("GET", "/v1/projects?phase=etude", kAdmin))["total"], 0);
}

TEST_F(ApiTest, PartnersAreRegisteredUpdatedAndDeactivated) {
  auto created = h.Call("POST", "/v1/partners", kCoordinator,
                        R"({"id": "ccas-fresnes", "name": "CCAS de Fresnes", "kind": "ccas"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(h.Call("POST", "/v1/partners", kCoordinator, R"({"id": "ccas-fresnes", "name": "x"})").status, 409);
  EXPECT_EQ(h.Call("POST", "/v1/partners", kCoordinator, R"({"id": "afpa"})").status, 400);
  EXPECT_EQ(h.Call("POST", "/v1/partners", kPartner, R"({"id": "afpa", "name": "AFPA"})").status, 403);
  auto updated = h.Call("PATCH", "/v1/partners/ccas-fresnes", kAdmin, R"({"contact": "accueil@ccas.example"})");
  ASSERT_EQ(updated.status, 200);
  EXPECT_EQ(Harness::Body(updated)["contact"], "accueil@ccas.example");
  EXPECT_EQ(Harness::Body(updated)["name"], "CCAS de Fresnes");
  auto gone = h.Call("DELETE", "/v1/partners/ccas-fresnes", kCoordinator);
  ASSERT_EQ(gone.status, 200);
  EXPECT_FALSE(Harness::Body(gone)["active"].get<bool>());
  auto got = h.Call("GET", "/v1/partners/ccas-fresnes", kPartner);
  EXPECT_FALSE(Harness::Body(got)["active"].get<bool>());
  EXPECT_EQ(h.Call("GET", "/v1/partners/nope", kPartner).status, 404);
  ASSERT_EQ(h.Call("POST", "/v1/partners", kCoordinator, R"({"id": "afpa", "name": "AFPA"})").status, 201);
  auto list = h.Call("GET", "/v1/partners?limit=1", kObserver);
  Json lb = Harness::Body(list);
  ASSERT_EQ(lb["partners"].size(), 1u);
  EXPECT_EQ(lb["partners"][0]["id"], "afpa");
  auto rest = h.Call("GET", "/v1/partners?limit=10&after=" + lb["next_after"].get<std::string>(), kObserver);
  EXPECT_EQ(Harness::Body(rest)["partners"][0]["id"], "ccas-fresnes");

  // Every change is an event of the partner's history, with its author.
  auto history = h.Call("GET", "/v1/partners/ccas-fresnes/history", kObserver);
  ASSERT_EQ(history.status, 200) << history.body;
  const Json changes = Harness::Body(history)["changes"];
  ASSERT_EQ(changes.size(), 3u) << changes.dump(2);
  EXPECT_EQ(changes[0]["type"], "partner_registered");
  EXPECT_EQ(changes[0]["actor"], "person:claire.dumas");
  EXPECT_EQ(changes[1]["type"], "partner_changed");
  EXPECT_EQ(changes[1]["actor"], "person:alice.admin");
  EXPECT_EQ(changes[1]["data"]["contact"], "accueil@ccas.example");
  EXPECT_EQ(changes[2]["type"], "partner_deactivated");
  EXPECT_EQ(h.Call("GET", "/v1/partners/nope/history", kObserver).status, 404);
}

TEST_F(ApiTest, ChangingMembersChangesWhoSeesTheProject) {
  ASSERT_EQ(h.Call("GET", "/v1/projects/other", kElu).status, 404);
  Json body = {{"members", {{{"subject", "person:marc.lefort"}, {"role", "elu_referent"}}}}};
  auto changed = h.Call("PUT", "/v1/projects/other/members", kCoordinator, body.dump(), {{"If-Match", "\"3\""}});
  ASSERT_EQ(changed.status, 201) << changed.body;
  EXPECT_EQ(Harness::Body(changed)["events"][0]["type"], "project_members_changed");
  EXPECT_EQ(Harness::Body(changed)["events"][0]["metadata"]["actor"], "person:claire.dumas");
  auto seen = h.Call("GET", "/v1/projects/other", kElu);
  ASSERT_EQ(seen.status, 200);
  EXPECT_EQ(Harness::Body(seen)["info"]["members"][0]["role"], "elu_referent");
  // Folded from history too (not only the service's cache).
  auto folded = h.projects.LoadFromHistory("other");
  ASSERT_TRUE(folded.ok());
  EXPECT_TRUE(folded->info.HasMember("person:marc.lefort"));
  ASSERT_TRUE(h.index.CatchUp().ok());
  EXPECT_TRUE(h.index.Get("other")->info.HasMember("person:marc.lefort"));
  // Stale version, bad bodies, non-managers.
  EXPECT_EQ(h.Call("PUT", "/v1/projects/other/members", kCoordinator, body.dump(), {{"If-Match", "\"2\""}}).status,
            409);
  EXPECT_EQ(h.Call("PUT", "/v1/projects/other/members", kCoordinator, R"({"members": [{"role": "x"}]})").status, 400);
  EXPECT_EQ(h.Call("PUT", "/v1/projects/other/members", kElu, body.dump()).status, 403);
  Json none = {{"members", Json::array()}};
  ASSERT_EQ(h.Call("PUT", "/v1/projects/other/members", kAdmin, none.dump()).status, 201);
  EXPECT_EQ(h.Call("GET", "/v1/projects/other", kElu).status, 404);
}

TEST_F(ApiTest, OpenApiDocumentIsServedWithoutAToken) {
  auto r = h.Call("GET", "/v1/openapi.yaml", "");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("openapi: 3.1"));
}

TEST_F(ApiTest, MeNamesTheTokensSubjectAndRoles) {
  auto r = h.Call("GET", "/v1/me", testing::kScopedCoordinator);
  ASSERT_EQ(r.status, 200) << r.body;
  Json me = Harness::Body(r);
  EXPECT_EQ(me["subject"], "person:paul.sud");
  EXPECT_EQ(me["roles"], Json::array({"coordinator"}));
  EXPECT_EQ(me["programmes"], Json::array({testing::kOwnProgramme}));
  EXPECT_EQ(Harness::Body(h.Call("GET", "/v1/me", testing::kPartner))["partner"], "ccas-fresnes");
  EXPECT_EQ(h.Call("GET", "/v1/me", "").status, 401);
}

TEST(ApiRateLimitTest, ATokenOverItsRateGets429WithRetryAfter) {
  auto now = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::time_point{});
  api::ApiOptions config = testing::TestApiConfig();
  config.rate_limit_per_second = 1;
  config.rate_limit_burst = 2;
  Harness h(config, [now] { return *now; });
  EXPECT_EQ(h.Call("GET", "/v1/workflows", kElu).status, 200);
  EXPECT_EQ(h.Call("GET", "/v1/workflows", kElu).status, 200);
  auto limited = h.Call("GET", "/v1/workflows", kElu);
  ASSERT_EQ(limited.status, 429);
  EXPECT_EQ(std::string(limited.headers.Get("Retry-After").value_or("")), "1");
  EXPECT_EQ(h.Call("GET", "/v1/workflows", kPartner).status, 200) << "buckets are per token";
  *now += std::chrono::seconds(1);
  EXPECT_EQ(h.Call("GET", "/v1/workflows", kElu).status, 200);
  EXPECT_THAT(h.metrics.RenderPrometheus(), HasSubstr("relais_api_rejected_total{reason=\"rate_limited\"} 1"));
}

// --- Issue 14: bad input that was let through ---------------------------------

TEST_F(ApiTest, AnIdempotencyKeyReusedWithAnotherRequestIs422AndTheSameRequestReplays) {
  const std::string command =
      Json{{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "autre"}, {"valeur", 1}}}}.dump();
  auto first = h.Call("POST", "/v1/projects/own/events", kCoordinator, command, {{"Idempotency-Key", "k-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = h.Call("POST", "/v1/projects/own/events", kCoordinator, command, {{"Idempotency-Key", "k-1"}});
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.headers.Get("Idempotent-Replayed").value_or(""), "true");
  EXPECT_EQ(Harness::Body(again)["events"], Harness::Body(first)["events"]);
  // The same request with its members in another order is the same request.
  auto reordered = h.Call("POST", "/v1/projects/own/events", kCoordinator,
                          R"({"data": {"valeur": 1, "indicateur": "autre"}, "type": "indicateur_enregistre"})",
                          {{"Idempotency-Key", "k-1"}});
  EXPECT_EQ(reordered.status, 201) << reordered.body;
  const uint64_t position = h.store.LastPosition();
  // Another body, another event type, another operation: 422, nothing written.
  for (const auto& [method, target, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"POST", "/v1/projects/own/events",
            Json{{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "autre"}, {"valeur", 2}}}}.dump()},
           {"POST", "/v1/projects/own/events", Json{{"type", "etude_lancee"}}.dump()},
           {"PUT", "/v1/projects/own/members", Json{{"members", Json::array()}}.dump()}}) {
    auto reused = h.Call(method, target, kCoordinator, body, {{"Idempotency-Key", "k-1"}});
    EXPECT_EQ(reused.status, 422) << body << ": " << reused.body;
    EXPECT_EQ(TypeOf(reused), std::string(kProblemBase) + "idempotency-key-reused");
    EXPECT_THAT(Harness::Body(reused).value("detail", ""), HasSubstr("'k-1' was already used"));
  }
  EXPECT_EQ(h.store.LastPosition(), position) << "a refused reuse writes nothing";
}

TEST_F(ApiTest, AnIdempotentCreationReplaysAndRefusesAnotherBody) {
  Json body = {{"id", "idem"},           {"workflow", "cbe_action"},
               {"title", "Action idem"}, {"programme", testing::kOwnProgramme},
               {"axis", "2A"},           {"partners", {"afpa"}}};
  auto first = h.Call("POST", "/v1/projects", kCoordinator, body.dump(), {{"Idempotency-Key", "create-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = h.Call("POST", "/v1/projects", kCoordinator, body.dump(), {{"Idempotency-Key", "create-1"}});
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.headers.Get("Idempotent-Replayed").value_or(""), "true");
  body["title"] = "Another title";
  auto other = h.Call("POST", "/v1/projects", kCoordinator, body.dump(), {{"Idempotency-Key", "create-1"}});
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_EQ(TypeOf(other), std::string(kProblemBase) + "idempotency-key-reused");
  // Without an id, the key names the project: a re-send creates nothing new.
  body.erase("id");
  auto unnamed = h.Call("POST", "/v1/projects", kCoordinator, body.dump(), {{"Idempotency-Key", "create-2"}});
  ASSERT_EQ(unnamed.status, 201) << unnamed.body;
  auto unnamed_again = h.Call("POST", "/v1/projects", kCoordinator, body.dump(), {{"Idempotency-Key", "create-2"}});
  ASSERT_EQ(unnamed_again.status, 201) << unnamed_again.body;
  EXPECT_EQ(Harness::Body(unnamed_again)["project_id"], Harness::Body(unnamed)["project_id"]);
  EXPECT_EQ(unnamed_again.headers.Get("Idempotent-Replayed").value_or(""), "true");
}

TEST(ApiIdempotencyTest, ADuplicateWhileTheFirstRequestRunsIs409) {
  Harness h;
  // The first request waits inside its append (the project's command lock
  // held, its key claimed) until the duplicate has been answered.
  std::atomic<bool> armed{false};
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  h.projects.AddAppendHook([&](const runtime::ProjectAppend&, KvWrites&) {
    if (!armed.exchange(false)) return Status::Ok();
    entered.set_value();
    released.wait();
    return Status::Ok();
  });
  h.CreateOwnAndOther();
  const std::string command =
      Json{{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "autre"}, {"valeur", 5}}}}.dump();
  armed = true;
  server::HttpResponse first_response;
  std::thread first([&] {
    first_response = h.Call("POST", "/v1/projects/own/events", kCoordinator, command, {{"Idempotency-Key", "slow"}});
  });
  entered.get_future().wait();
  auto duplicate = h.Call("POST", "/v1/projects/own/events", kCoordinator, command, {{"Idempotency-Key", "slow"}});
  release.set_value();
  first.join();
  EXPECT_EQ(duplicate.status, 409) << duplicate.body;
  EXPECT_EQ(TypeOf(duplicate), std::string(kProblemBase) + "idempotency-key-in-flight");
  EXPECT_EQ(duplicate.headers.Get("Retry-After").value_or(""), "1");
  EXPECT_EQ(first_response.status, 201) << first_response.body;
  EXPECT_FALSE(first_response.headers.Has("Idempotent-Replayed"));
  // Once the first has finished, the duplicate replays it.
  auto after = h.Call("POST", "/v1/projects/own/events", kCoordinator, command, {{"Idempotency-Key", "slow"}});
  EXPECT_EQ(after.status, 201) << after.body;
  EXPECT_EQ(after.headers.Get("Idempotent-Replayed").value_or(""), "true");
}

TEST_F(ApiTest, ADuplicateJsonKeyIs400NamingTheKeyAndItsPath) {
  auto r = h.Call("POST", "/v1/projects/own/events", kCoordinator,
                  R"({"type": "indicateur_enregistre", "data": {"indicateur": "autre", "valeur": 1, "valeur": 2}})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(TypeOf(r), std::string(kProblemBase) + "bad-json");
  EXPECT_THAT(Harness::Body(r).value("detail", ""), HasSubstr("duplicate key 'valeur' at $.data.valeur"));
  auto top = h.Call("POST", "/v1/partners", kCoordinator, R"({"id": "afpa", "name": "AFPA", "id": "anpe"})");
  EXPECT_EQ(top.status, 400) << top.body;
  EXPECT_THAT(Harness::Body(top).value("detail", ""), HasSubstr("duplicate key 'id' at $.id"));
}

TEST_F(ApiTest, IdsOutsideThePatternAreRefusedWhereTheyEnter) {
  auto create = [&](const Json& id) {
    Json body = {
        {"id", id}, {"workflow", "cbe_action"}, {"title", "x"}, {"programme", testing::kOwnProgramme}, {"axis", "2A"}};
    return h.Call("POST", "/v1/projects", kCoordinator, body.dump());
  };
  for (const std::string& bad :
       std::vector<std::string>{".", "..", "a/b", "-x", "_x", ".hidden", "a b", std::string("a\x01z", 3),
                                std::string("tab\there"), std::string(129, 'a'), std::string("caf\xc3\xa9")}) {
    auto r = create(bad);
    EXPECT_EQ(r.status, 400) << "'" << bad << "': " << r.body;
    EXPECT_THAT(Harness::Body(r).value("detail", ""), HasSubstr("project id")) << bad;
  }
  EXPECT_THAT(Harness::Body(create("..")).value("detail", ""), HasSubstr("project id '..': expected"));
  EXPECT_EQ(create("").status, 201) << "an empty id gets one";
  for (const std::string& good :
       std::vector<std::string>{"ccas-fresnes", "2a-portage-repas", "A.b_c-9", "0f8fad5b-d9cb-469f-a165-70867728950e",
                                std::string(128, 'a')})
    EXPECT_EQ(create(good).status, 201) << good;
  // Partners, and the partners and members a project names.
  EXPECT_EQ(h.Call("POST", "/v1/partners", kCoordinator, R"({"id": "..", "name": "x"})").status, 400);
  EXPECT_EQ(h.Call("POST", "/v1/partners", kCoordinator, R"({"id": "ok-partner", "name": "x"})").status, 201);
  Json named = {{"id", "names-bad-partner"},
                {"workflow", "cbe_action"},
                {"programme", testing::kOwnProgramme},
                {"axis", "2A"},
                {"partners", {"../afpa"}}};
  EXPECT_EQ(h.Call("POST", "/v1/projects", kCoordinator, named.dump()).status, 400);
  Json members = {{"members", {{{"subject", "person:a/b"}, {"role", "elu_referent"}}}}};
  EXPECT_EQ(h.Call("PUT", "/v1/projects/own/members", kCoordinator, members.dump()).status, 400);
  // A path parameter that does not match names nothing.
  EXPECT_EQ(h.Call("GET", "/v1/projects/..", kCoordinator).status, 404);
}

TEST_F(ApiTest, AWebhookUrlWhoseIPv6AddressEmbedsALoopbackIPv4IsRefusedAtRegistration) {
  ASSERT_EQ(h.Call("POST", "/v1/partners", kCoordinator, R"({"id": "hooked", "name": "Hooked"})").status, 201);
  for (const char* url : {"http://[64:ff9b::7f00:1]/h", "http://[2002:a9fe:a9fe::1]/h", "http://[::ffff:0:a00:1]/h",
                          "http://[2001:0:808:808::80ff:fffe]/h"}) {
    Json body = {{"partner", "hooked"}, {"url", url}};
    auto r = h.Call("POST", "/v1/webhooks/endpoints", kCoordinator, body.dump());
    EXPECT_EQ(r.status, 400) << url << ": " << r.body;
    EXPECT_THAT(Harness::Body(r).value("detail", ""), HasSubstr("refusing to send")) << url;
  }
  Json open = {{"partner", "hooked"}, {"url", "http://[64:ff9b::5db8:d822]/h"}};
  EXPECT_EQ(h.Call("POST", "/v1/webhooks/endpoints", kCoordinator, open.dump()).status, 201);
}

// tests/workflow/testdata/financement.yaml deployed: created_by [coordinator],
// funders answer only for themselves (actor.partner).
class FundingRoundApiTest : public ApiTest {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(RELAIS_SOURCE_DIR) + "/tests/workflow/testdata/financement.yaml");
    std::stringstream source;
    source << in.rdbuf();
    auto deployed = h.Call("POST", "/v1/workflows", kCoordinator, source.str(), {{"Content-Type", "application/yaml"}});
    ASSERT_EQ(deployed.status, 201) << deployed.body;
  }
  Json CreateBody(const std::string& id) {
    return {{"id", id},
            {"workflow", "financement"},
            {"title", "Tour " + id},
            {"programme", testing::kOwnProgramme},
            {"partners", {"ccas-fresnes"}},
            {"fields",
             {{"total", 0}, {"plafond", 10000}, {"nb_personnes", 0}, {"financeurs_sollicites", {"ccas-fresnes"}}}}};
  }
};

TEST_F(FundingRoundApiTest, CreatedByRefusesARoleTheFileDoesNotName) {
  auto refused = h.Call("POST", "/v1/projects", kAdmin, CreateBody("tour-admin").dump());
  ASSERT_EQ(refused.status, 403) << refused.body;
  Json body = Harness::Body(refused);
  EXPECT_EQ(body["code"], "role_not_allowed");
  EXPECT_EQ(body["details"]["allowed_roles"], Json::array({"coordinator"}));
  EXPECT_THAT(body["reason"].get<std::string>(), HasSubstr("workflow 'financement'"));
  EXPECT_EQ(h.Call("POST", "/v1/projects", kCoordinator, CreateBody("tour").dump()).status, 201);
}

TEST_F(FundingRoundApiTest, AFunderAnswersOnlyForItself) {
  ASSERT_EQ(h.Call("POST", "/v1/projects", kCoordinator, CreateBody("tour").dump()).status, 201);
  // The partner token of ccas-fresnes answering in another funder's name.
  auto refused = h.Call("POST", "/v1/projects/tour/events", kPartner,
                        R"({"type": "accorder", "data": {"financeur": "anpe-orly", "montant": 500}})");
  ASSERT_EQ(refused.status, 422) << refused.body;
  Json body = Harness::Body(refused);
  EXPECT_EQ(body["code"], "guard_failed");
  EXPECT_EQ(body["reason"], "un financeur ne répond que pour lui-même");
  EXPECT_EQ(body["details"]["values"]["actor.partner"], "ccas-fresnes");
  EXPECT_EQ(body["details"]["values"]["event.financeur"], "anpe-orly");
  auto accepted = h.Call("POST", "/v1/projects/tour/events", kPartner,
                         R"({"type": "accorder", "data": {"financeur": "ccas-fresnes", "montant": 500}})");
  EXPECT_EQ(accepted.status, 201) << accepted.body;
  // A division by zero at run time: a refusal that says which expression and why.
  auto share = h.Call("POST", "/v1/projects/tour/events", kCoordinator, R"({"type": "repartir"})");
  ASSERT_EQ(share.status, 422) << share.body;
  Json problem = Harness::Body(share);
  EXPECT_EQ(problem["code"], "expression_error");
  EXPECT_EQ(problem["details"]["error"], "division by zero: state.total / state.nb_personnes (state.nb_personnes = 0)");
}

}  // namespace
}  // namespace relais::api
