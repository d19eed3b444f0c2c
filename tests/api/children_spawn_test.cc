// Sub-items and spawned projects over the API (tests/workflow/testdata/links):
// a projet_insertion holds participants (children: parcours_participant);
// its guards count them by phase; GET /v1/projects/{id}/children lists them
// with counts and milestones; a participant is seen by its parent's
// partners; a transition spawns a copy, created exactly once by the Spawner
// however often it runs, linked both ways.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/runtime/spawner.h"
#include "tests/api/api_fixture.h"
#include "tests/workflow/workflow_test_util.h"

namespace relais::api {
namespace {

using testing::Harness;
using ::testing::HasSubstr;
using testing::kCoordinator;
using testing::kPartner;  // acting for ccas-fresnes

std::string ReadFile(const std::string& name) {
  return workflow::testing::ReadFile(workflow::testing::SourcePath("tests/workflow/testdata/links/" + name));
}

class ChildrenSpawnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(h.registry.Deploy(ReadFile("parcours_participant.yaml"), "parcours_participant.yaml").ok());
    ASSERT_TRUE(h.registry.Deploy(ReadFile("projet_insertion.yaml"), "projet_insertion.yaml").ok());
    Json body = {{"id", "insertion-orly"},       {"workflow", "projet_insertion"},
                 {"title", "Insertion à Orly"},  {"programme", testing::kOwnProgramme},
                 {"partners", {"ccas-fresnes"}}, {"fields", {{"territoire", "Orly"}}}};
    auto r = h.Call("POST", "/v1/projects", kCoordinator, body.dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }

  int AddParticipant(const std::string& id, const std::string& token = kCoordinator) {
    Json body = {{"id", id},
                 {"workflow", "parcours_participant"},
                 {"title", "Participant " + id},
                 {"parent", {{"project", "insertion-orly"}, {"children", "participants"}}}};
    auto r = h.Call("POST", "/v1/projects", token, body.dump());
    last_ = r.body;
    return r.status;
  }
  int Fire(const std::string& project, const std::string& type, const Json& data = Json::object()) {
    auto r = h.Call("POST", "/v1/projects/" + project + "/events", kCoordinator,
                    Json{{"type", type}, {"data", data}}.dump());
    last_ = r.body;
    return r.status;
  }
  Json Children(const std::string& token = kCoordinator) {
    auto r = h.Call("GET", "/v1/projects/insertion-orly/children", token);
    EXPECT_EQ(r.status, 200) << r.body;
    return Harness::Body(r);
  }

  Harness h;
  std::string last_;
};

TEST_F(ChildrenSpawnTest, TheParentCountsItsChildrenByPhaseAndItsGuardsReadTheCounts) {
  ASSERT_EQ(AddParticipant("p1"), 201) << last_;
  ASSERT_EQ(AddParticipant("p2"), 201) << last_;
  Json c = Children();
  EXPECT_EQ(c["counts"]["participants"]["total"], 2);
  EXPECT_EQ(c["counts"]["participants"]["open"], 2);
  EXPECT_EQ(c["counts"]["participants"]["phases"]["identifie"], 2);
  EXPECT_EQ(c["counts"]["participants"]["phases"]["recrute"], 0);
  ASSERT_EQ(c["children"].size(), 2u);
  EXPECT_EQ(c["children"][0]["phase_labels"]["fr"], "Identifiée");

  // Nobody recruited, two identified: both conditions are reported unmet.
  ASSERT_EQ(Fire("insertion-orly", "recrutement_clos"), 422);
  EXPECT_THAT(last_, HasSubstr("guard_failed"));
  EXPECT_THAT(last_, HasSubstr("au moins une personne"));

  ASSERT_EQ(Fire("p1", "preselection"), 201) << last_;
  ASSERT_EQ(Fire("p1", "recrutement"), 201) << last_;
  ASSERT_EQ(Fire("p2", "non_retenu"), 201) << last_;
  c = Children();
  EXPECT_EQ(c["counts"]["participants"]["phases"]["recrute"], 1);
  EXPECT_EQ(c["counts"]["participants"]["phases"]["non_retenu"], 1);
  EXPECT_EQ(c["counts"]["participants"]["open"], 0);
  // Milestones: two creations and three changes of phase, oldest first.
  ASSERT_EQ(c["milestones"].size(), 5u) << c["milestones"];
  EXPECT_EQ(c["milestones"][4]["child"], "p2");
  EXPECT_EQ(c["milestones"][4]["to"], "non_retenu");
  EXPECT_EQ(c["milestones"][4]["from"], "identifie");

  ASSERT_EQ(Fire("insertion-orly", "recrutement_clos"), 201) << last_;
}

TEST_F(ChildrenSpawnTest, AChildIsSeenByItsParentsPartnersAndRefusedWhenItDoesNotFit) {
  ASSERT_EQ(AddParticipant("p1"), 201) << last_;
  // The child has no partners of its own: ccas-fresnes sees it through the parent.
  auto r = h.Call("GET", "/v1/projects/p1", kPartner);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Harness::Body(r)["info"]["parent"]["project"], "insertion-orly");
  EXPECT_EQ(Harness::Body(r)["info"]["programme"], testing::kOwnProgramme);
  EXPECT_EQ(Children(kPartner)["children"].size(), 1u);

  // A kind the parent's workflow does not declare; a workflow that is not the kind's.
  Json body = {{"workflow", "parcours_participant"},
               {"title", "x"},
               {"parent", {{"project", "insertion-orly"}, {"children", "financeurs"}}}};
  r = h.Call("POST", "/v1/projects", kCoordinator, body.dump());
  EXPECT_EQ(r.status / 100, 4) << r.body;
  EXPECT_THAT(r.body, HasSubstr("declares no children 'financeurs'"));
  body = {{"workflow", "cbe_action"},
          {"title", "x"},
          {"parent", {{"project", "insertion-orly"}, {"children", "participants"}}}};
  r = h.Call("POST", "/v1/projects", kCoordinator, body.dump());
  EXPECT_EQ(r.status / 100, 4) << r.body;
  EXPECT_THAT(r.body, HasSubstr("follow workflow 'parcours_participant'"));
  // A malformed parent, a missing parent.
  r = h.Call("POST", "/v1/projects", kCoordinator,
             R"({"workflow": "parcours_participant", "title": "x", "parent": "insertion-orly"})");
  EXPECT_EQ(r.status, 400) << r.body;
  body["workflow"] = "parcours_participant";
  body["parent"]["project"] = "nowhere";
  r = h.Call("POST", "/v1/projects", kCoordinator, body.dump());
  EXPECT_EQ(r.status, 404) << r.body;
}

TEST_F(ChildrenSpawnTest, TheMilestonesOfAChildTheCallerMayNotSeeAreLeftOut) {
  // A kind with `visibility: own`: the parent's partner does not see its children.
  ASSERT_TRUE(h.registry
                  .Deploy(R"(workflow: suivi_confidentiel
version: 1
labels: {fr: "Suivi confidentiel", en: "Confidential follow-up"}
phases:
  - id: ouvert
    labels: {fr: "Ouvert", en: "Open"}
initial: ouvert
children:
  - id: personnes
    labels: {fr: "Personnes", en: "People"}
    workflow: parcours_participant
    visibility: own
events: []
)",
                          "suivi_confidentiel.yaml")
                  .ok());
  Json parent = {{"id", "suivi-orly"},
                 {"workflow", "suivi_confidentiel"},
                 {"title", "Suivi à Orly"},
                 {"programme", testing::kOwnProgramme},
                 {"partners", {"ccas-fresnes"}}};
  ASSERT_EQ(h.Call("POST", "/v1/projects", kCoordinator, parent.dump()).status, 201);
  Json child = {{"id", "personne-1"},
                {"workflow", "parcours_participant"},
                {"title", "Nom d'une personne"},
                {"parent", {{"project", "suivi-orly"}, {"children", "personnes"}}}};
  auto r = h.Call("POST", "/v1/projects", kCoordinator, child.dump());
  ASSERT_EQ(r.status, 201) << r.body;

  r = h.Call("GET", "/v1/projects/suivi-orly/children", kCoordinator);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Harness::Body(r)["milestones"].size(), 1u) << r.body;
  // The partner reads the counts (as the parent's guards do), not the child nor its title.
  r = h.Call("GET", "/v1/projects/suivi-orly/children", kPartner);
  ASSERT_EQ(r.status, 200) << r.body;
  const Json seen = Harness::Body(r);
  EXPECT_EQ(seen["counts"]["personnes"]["total"], 1);
  EXPECT_TRUE(seen["children"].empty()) << r.body;
  EXPECT_TRUE(seen["milestones"].empty()) << r.body;
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr("Nom d'une personne")));
}

TEST_F(ChildrenSpawnTest, ASpawnedProjectIsCreatedExactlyOnceAndLinkedBothWays) {
  ASSERT_EQ(AddParticipant("p1"), 201) << last_;
  ASSERT_EQ(Fire("p1", "preselection"), 201) << last_;
  ASSERT_EQ(Fire("p1", "recrutement"), 201) << last_;
  ASSERT_EQ(Fire("insertion-orly", "recrutement_clos"), 201) << last_;
  ASSERT_EQ(Fire("insertion-orly", "essaimage", {{"titre", "Insertion à Choisy"}, {"territoire", "Choisy"}}), 201)
      << last_;
  auto parent = h.Call("GET", "/v1/projects/insertion-orly", kCoordinator);
  const Json spawned = Harness::Body(parent)["state"]["spawned"];
  ASSERT_EQ(spawned.size(), 1u) << parent.body;
  const std::string child = spawned[0]["project"];
  EXPECT_EQ(spawned[0]["link"], "essaimage");
  // Not created yet: the spawner creates it, once, however often it runs.
  EXPECT_EQ(h.Call("GET", "/v1/projects/" + child, kCoordinator).status, 404);
  runtime::Spawner spawner(h.store, h.projects, nullptr);
  size_t created = 0, left = 0;
  ASSERT_TRUE(spawner.RunPending(&created, &left).ok());
  EXPECT_EQ(created, 1u);
  EXPECT_EQ(left, 0u);
  ASSERT_TRUE(spawner.RunPending(&created, &left).ok());
  EXPECT_EQ(created, 0u);
  auto r = h.Call("GET", "/v1/projects/" + child, kCoordinator);
  ASSERT_EQ(r.status, 200) << r.body;
  const Json copy = Harness::Body(r);
  EXPECT_EQ(copy["info"]["title"], "Insertion à Choisy");
  EXPECT_EQ(copy["info"]["origin"]["project"], "insertion-orly");
  EXPECT_EQ(copy["info"]["origin"]["link"], "essaimage");
  EXPECT_EQ(copy["state"]["fields"]["territoire"], "Choisy");
  EXPECT_EQ(copy["state"]["phase"], "recrutement");
  EXPECT_EQ(copy["info"]["partners"], Json({"ccas-fresnes"}));

  // A creation the pending entry lost to a crash after the project was made:
  // running again with the entry back creates nothing new.
  KvWrites again;
  again.Put(std::string(runtime::kSpawnPendingPrefix) + child, DumpJson({{"spawn",
                                                                          {{"project", child},
                                                                           {"workflow", "projet_insertion"},
                                                                           {"link", "essaimage"},
                                                                           {"title", "Insertion à Choisy"},
                                                                           {"fields", {{"territoire", "Choisy"}}}}},
                                                                         {"parent", "insertion-orly"},
                                                                         {"event", copy["info"]["origin"]["event"]},
                                                                         {"programme", testing::kOwnProgramme},
                                                                         {"partners", {"ccas-fresnes"}},
                                                                         {"actor", "coordinator"}}));
  ASSERT_TRUE(h.store.KvWrite(again).ok());
  ASSERT_TRUE(spawner.RunPending(&created, &left).ok());
  EXPECT_EQ(created, 0u);
  EXPECT_EQ(left, 0u);
}

TEST_F(ChildrenSpawnTest, ASpawnThatCanNotBeCreatedRefusesTheEvent) {
  // The spawn's title comes from the event; an empty one would make a project without a title.
  ASSERT_EQ(AddParticipant("p1"), 201) << last_;
  ASSERT_EQ(Fire("p1", "preselection"), 201) << last_;
  ASSERT_EQ(Fire("p1", "recrutement"), 201) << last_;
  ASSERT_EQ(Fire("insertion-orly", "recrutement_clos"), 201) << last_;
  // Undeploying is not possible; a copy whose fields break the new project's schema is refused.
  EXPECT_EQ(Fire("insertion-orly", "essaimage", {{"titre", "Copie"}, {"territoire", ""}}), 422) << last_;
  auto r = h.Call("GET", "/v1/projects/insertion-orly", kCoordinator);
  EXPECT_EQ(Harness::Body(r)["state"]["phase"], "suivi");
}

}  // namespace
}  // namespace relais::api
