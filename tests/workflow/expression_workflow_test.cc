// Expressions and conditions on who acts, end to end through the decision
// function (tests/workflow/testdata/financement.yaml): a funder answers only
// for itself, created_by, a division by zero at run time refused with nothing
// folded.
#include <gtest/gtest.h>

#include "tests/workflow/project_driver.h"
#include "tests/workflow/workflow_test_util.h"

namespace relais::workflow {
namespace {

using testing::AsDecision;
using testing::AsRefusal;
using testing::Describe;
using testing::LoadRepoWorkflow;
using testing::ProjectDriver;

Command AsFunder(const std::string& partner, Json data) {
  Command c{"accorder", std::move(data), {"partner"}, std::nullopt};
  c.actor_subject = "token-" + partner;
  c.actor_partner = partner;
  return c;
}

class FundingRoundTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(def_.name.empty());
    EXPECT_ACCEPTED(driver_.Create("", {{"total", 0},
                                        {"plafond", 10000},
                                        {"nb_personnes", 0},
                                        {"financeurs_sollicites", Json::array({"region", "etat"})}}));
  }
  WorkflowDefinition def_ = LoadRepoWorkflow("tests/workflow/testdata/financement.yaml");
  ProjectDriver driver_{def_};
};

TEST_F(FundingRoundTest, AFunderAnswersOnlyForItself) {
  EXPECT_ACCEPTED(driver_.Send(AsFunder("region", {{"financeur", "region"}, {"montant", 4000}})));
  EXPECT_EQ(driver_.state().fields["total"], 4000);
  EXPECT_EQ(driver_.state().fields["financements_accordes"].size(), 1u);

  // Another funder answering in the region's name.
  auto r = driver_.Send(AsFunder("etat", {{"financeur", "region"}, {"montant", 1000}}));
  const Refusal* refusal = AsRefusal(r);
  ASSERT_NE(refusal, nullptr) << Describe(r);
  EXPECT_EQ(refusal->code, RefusalCode::kGuardFailed);
  EXPECT_EQ(refusal->message, "un financeur ne répond que pour lui-même");
  EXPECT_EQ(refusal->details["values"]["actor.partner"], "etat");
  EXPECT_EQ(refusal->details["values"]["event.financeur"], "region");

  // A funder that was not asked.
  r = driver_.Send(AsFunder("ville", {{"financeur", "ville"}, {"montant", 1000}}));
  ASSERT_NE(AsRefusal(r), nullptr) << Describe(r);
  EXPECT_EQ(AsRefusal(r)->details["values"]["actor.partner"], "ville");
  EXPECT_EQ(AsRefusal(r)->details["values"]["state.financeurs_sollicites"], Json::array({"region", "etat"}));

  // A token of no partner: actor.partner is null.
  Command nobody = AsFunder("x", {{"financeur", "etat"}, {"montant", 1}});
  nobody.actor_partner.reset();
  r = driver_.Send(nobody);
  ASSERT_NE(AsRefusal(r), nullptr) << Describe(r);
  EXPECT_EQ(AsRefusal(r)->details["values"]["actor.partner"], nullptr);

  EXPECT_ACCEPTED(driver_.Send(AsFunder("etat", {{"financeur", "etat"}, {"montant", 1000}})));
  EXPECT_EQ(driver_.state().fields["total"], 5000);
  driver_.ExpectReplayMatches();
}

TEST_F(FundingRoundTest, TheSumOfGrantsStaysUnderTheCeiling) {
  EXPECT_ACCEPTED(driver_.Send(AsFunder("region", {{"financeur", "region"}, {"montant", 9000}})));
  auto r = driver_.Send(AsFunder("etat", {{"financeur", "etat"}, {"montant", 1001}}));
  ASSERT_NE(AsRefusal(r), nullptr) << Describe(r);
  EXPECT_EQ(AsRefusal(r)->code, RefusalCode::kGuardFailed);
  EXPECT_EQ(AsRefusal(r)->details["values"]["sum(state.financements_accordes.montant)"], 9000);
  EXPECT_ACCEPTED(driver_.Send(AsFunder("etat", {{"financeur", "etat"}, {"montant", 1000}})));
}

TEST_F(FundingRoundTest, DivisionByZeroIsRefusedAndNothingIsFolded) {
  EXPECT_ACCEPTED(driver_.Send(AsFunder("region", {{"financeur", "region"}, {"montant", 3000}})));
  const size_t events = driver_.history().size();
  const Json before = driver_.state().ToJson();
  auto r = driver_.Fire("repartir");
  const Refusal* refusal = AsRefusal(r);
  ASSERT_NE(refusal, nullptr) << Describe(r);
  EXPECT_EQ(refusal->code, RefusalCode::kExpressionError);
  EXPECT_EQ(RefusalCodeName(refusal->code), "expression_error");
  EXPECT_EQ(refusal->details["error"], "division by zero: state.total / state.nb_personnes (state.nb_personnes = 0)");
  EXPECT_EQ(refusal->details["expression"], "state.total / state.nb_personnes");
  EXPECT_NE(refusal->message.find("set.part of 'repartir'"), std::string::npos) << refusal->message;
  // Where: the workflow and its line, never the file's path.
  EXPECT_EQ(refusal->message.find(".yaml"), std::string::npos) << refusal->message;
  EXPECT_NE(refusal->message.find("workflow " + def_.name + ", line "), std::string::npos) << refusal->message;
  EXPECT_EQ(refusal->details["at"]["workflow"], def_.name);
  EXPECT_GT(refusal->details["at"]["line"].get<int>(), 0);
  EXPECT_EQ(driver_.history().size(), events);
  EXPECT_EQ(driver_.state().ToJson(), before);
}

TEST_F(FundingRoundTest, ItemConditionsCountLetters) {
  auto r = driver_.Fire("clore");
  ASSERT_NE(AsRefusal(r), nullptr) << Describe(r);
  EXPECT_EQ(AsRefusal(r)->details["values"]["count(state.lettres, item.type == 'soutien')"], 0);
  EXPECT_ACCEPTED(driver_.Fire("ajouter_lettre", {{"type", "soutien"}}));
  EXPECT_ACCEPTED(driver_.Fire("ajouter_lettre", {{"type", "reserve"}}));
  ASSERT_NE(AsRefusal(driver_.Fire("clore")), nullptr);
  EXPECT_ACCEPTED(driver_.Fire("ajouter_lettre", {{"type", "soutien"}}));
  EXPECT_ACCEPTED(driver_.Fire("clore"));
  EXPECT_EQ(driver_.state().phase, "clos");
  driver_.ExpectReplayMatches();
}

TEST(CreatedByTest, OnlyTheDeclaredRolesCreate) {
  WorkflowDefinition def = LoadRepoWorkflow("tests/workflow/testdata/financement.yaml");
  ProjectDriver admin(def);
  auto r = admin.Create("", Json::object(), {"admin"});  // admin is a default creator, not this file's
  const Refusal* refusal = AsRefusal(r);
  ASSERT_NE(refusal, nullptr) << Describe(r);
  EXPECT_EQ(refusal->code, RefusalCode::kRoleNotAllowed);
  EXPECT_EQ(refusal->details["allowed_roles"], Json::array({"coordinator"}));
  EXPECT_EQ(refusal->message, "only these roles may create a project of workflow 'financement': coordinator");
  ProjectDriver coordinator(def);
  EXPECT_ACCEPTED(coordinator.Create("", Json::object(), {"coordinator"}));
  // Without created_by, the default list.
  WorkflowDefinition cbe = LoadRepoWorkflow("workflows/cbe.yaml");
  ProjectDriver cbe_admin(cbe);
  EXPECT_ACCEPTED(cbe_admin.Create("", Json::object(), {"admin"}));
  ProjectDriver cbe_partner(cbe);
  EXPECT_NE(AsRefusal(cbe_partner.Create("", Json::object(), {"partner"})), nullptr);
}

// The fuzz seed with run-time expression errors: each is a refusal, never a crash.
TEST(RunTimeExpressionErrorsTest, AreRefusals) {
  WorkflowDefinition def = LoadRepoWorkflow("tests/fuzz/corpus/workflow/9f5ee903f607d624f68dab52d394b1daf8b4b135");
  ProjectDriver driver(def);
  EXPECT_ACCEPTED(driver.Create("", {{"n", 3}, {"x", "texte"}, {"l", Json::array({1, "deux"})}}));
  auto overflow = driver.Fire("overflow");
  ASSERT_NE(AsRefusal(overflow), nullptr) << Describe(overflow);
  EXPECT_EQ(AsRefusal(overflow)->details["error"],
            "integer overflow: 9223372036854775807 + 1 (9223372036854775807 = 9223372036854775807, 1 = 1)");
  auto divide = driver.Fire("divide");
  ASSERT_NE(AsRefusal(divide), nullptr) << Describe(divide);
  EXPECT_EQ(AsRefusal(divide)->details["error"], "division by zero: 100 / (state.n - state.n) (state.n - state.n = 0)");
  auto mixed = driver.Fire("mixed");
  ASSERT_NE(AsRefusal(mixed), nullptr) << Describe(mixed);
  EXPECT_EQ(AsRefusal(mixed)->details["error"], "sum(state.l): item 2 is not a number (\"deux\")");
  Command who{"who", Json::object(), {"partner"}, std::nullopt, "partner:x", "x"};
  auto refused = driver.Send(who);  // actor.partner is not a role; min() meets the text
  ASSERT_NE(AsRefusal(refused), nullptr) << Describe(refused);
  EXPECT_EQ(AsRefusal(refused)->details["error"], "min(state.l): item 2 is not a number (\"deux\")");
  EXPECT_EQ(driver.history().size(), 1u);  // the creation only
}

}  // namespace
}  // namespace relais::workflow
