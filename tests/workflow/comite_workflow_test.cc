// The steering committee's proposal funnel (workflows/comite-propositions.yaml):
// a second method, to show the language is general.
#include <gtest/gtest.h>

#include "tests/workflow/project_driver.h"

namespace relais::workflow {
namespace {

using testing::AsDecision;
using testing::AsRefusal;
using testing::Describe;
using testing::ProjectDriver;

class ComiteWorkflowTest : public ::testing::Test {
 protected:
  WorkflowDefinition def_ = testing::LoadRepoWorkflow("workflows/comite-propositions.yaml");

  void ToDebate(ProjectDriver& p, int pour, int contre) {
    EXPECT_ACCEPTED(p.Create("", {{"auteur", "Claire Dubois"}, {"axe", "axe3"}}));
    EXPECT_ACCEPTED(p.Fire("avis_partenaire", {{"partenaire", "Ville d'Orly"}, {"avis", "favorable"}}, {"partner"}));
    EXPECT_ACCEPTED(p.Fire("inscription", {{"seance", "2003-10-14"}}, {"president_comite"}));
    EXPECT_ACCEPTED(p.Fire("debat_tenu", {{"votes_pour", pour}, {"votes_contre", contre}}, {"president_comite"}));
    ASSERT_EQ(p.state().phase, "debattue");
  }
};

TEST_F(ComiteWorkflowTest, RetainedProposalBecomesAProject) {
  ProjectDriver p(def_);
  auto created = p.Create("", {{"auteur", "Claire Dubois"}});
  ASSERT_TRUE(AsDecision(created));
  EXPECT_EQ(AsDecision(created)->arm.at(0).timer_id, "relance_inscription");
  auto listed = p.Fire("inscription", {{"seance", "2003-10-14"}});
  ASSERT_TRUE(AsDecision(listed)) << Describe(listed);
  EXPECT_EQ(AsDecision(listed)->cancel, std::vector<std::string>{"relance_inscription"});
  EXPECT_ACCEPTED(p.Fire("debat_tenu", {{"votes_pour", 9}, {"votes_contre", 2}}, {"president_comite"}));
  auto retained = p.Fire("decision_comite", {{"decision", "retenue"}}, {"elu"});
  ASSERT_TRUE(AsDecision(retained)) << Describe(retained);
  EXPECT_EQ(p.state().phase, "retenue");
  EXPECT_EQ(AsDecision(retained)->arm.at(0).delay.ToString(), "P2M");
  auto project = p.Fire("projet_cree", {{"projet", "navette-zones-activite"}});
  ASSERT_TRUE(AsDecision(project)) << Describe(project);
  EXPECT_EQ(p.state().phase, "devenue_projet");
  EXPECT_EQ(AsDecision(project)->notify, (std::vector<std::string>{"comite.projet", "programme.nouvelle_action"}));
  p.ExpectReplayMatches();
}

TEST_F(ComiteWorkflowTest, RetainingWithoutAMajorityIsRefused) {
  ProjectDriver p(def_);
  ToDebate(p, 3, 5);
  auto r = p.Fire("decision_comite", {{"decision", "retenue"}}, {"president_comite"});
  const Refusal* refusal = AsRefusal(r);
  ASSERT_NE(refusal, nullptr) << Describe(r);
  EXPECT_EQ(refusal->code, RefusalCode::kNoTransitionMatched);
  const Json& first = refusal->details["tried"][0];
  EXPECT_EQ(first["values"]["state.votes_pour"], 3);
  EXPECT_EQ(first["values"]["state.votes_contre"], 5);
  EXPECT_ACCEPTED(p.Fire("decision_comite", {{"decision", "reportee"}}, {"president_comite"}));
  EXPECT_EQ(p.state().phase, "proposee");
}

TEST_F(ComiteWorkflowTest, RejectedIsFinal) {
  ProjectDriver p(def_);
  ToDebate(p, 1, 8);
  EXPECT_ACCEPTED(p.Fire("decision_comite", {{"decision", "rejetee"}, {"motif", "doublon avec l'axe 3"}}, {"elu"}));
  EXPECT_EQ(p.state().phase, "rejetee");
  auto again = p.Fire("inscription", {{"seance", "2004-01-20"}});
  ASSERT_NE(AsRefusal(again), nullptr);
  EXPECT_EQ(AsRefusal(again)->code, RefusalCode::kNotAllowedInPhase);
  EXPECT_EQ(AsRefusal(again)->details["allowed_phases"], Json::array({"proposee"}));
}

TEST_F(ComiteWorkflowTest, CustomRoleIsEnforced) {
  ProjectDriver p(def_);
  ToDebate(p, 5, 1);
  auto r = p.Fire("decision_comite", {{"decision", "retenue"}}, {"coordinator"});
  ASSERT_NE(AsRefusal(r), nullptr);
  EXPECT_EQ(AsRefusal(r)->code, RefusalCode::kRoleNotAllowed);
  EXPECT_EQ(AsRefusal(r)->details["allowed_roles"], Json::array({"president_comite", "elu"}));
}

}  // namespace
}  // namespace relais::workflow
