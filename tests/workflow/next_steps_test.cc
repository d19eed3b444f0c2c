// NextSteps over the CBE method (workflows/cbe.yaml): what an action may do
// next from its phase and which conditions still stand in the way, in the
// workflow file's words; clauses on the event's own data wait for the event.
#include "engine/workflow/next_steps.h"

#include <gtest/gtest.h>

#include "tests/workflow/project_driver.h"

namespace relais::workflow {
namespace {

using testing::ProjectDriver;

class NextStepsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { def_ = new WorkflowDefinition(testing::LoadRepoWorkflow("workflows/cbe.yaml")); }
  static void TearDownTestSuite() { delete def_; }

  static const NextStep* Step(const std::vector<NextStep>& steps, const std::string& type) {
    for (const NextStep& s : steps)
      if (s.event->type == type) return &s;
    return nullptr;
  }

  static WorkflowDefinition* def_;
};

WorkflowDefinition* NextStepsTest::def_ = nullptr;

TEST_F(NextStepsTest, InMobilisationTheStudyWaitsForThePartners) {
  ProjectDriver p(*def_);
  EXPECT_ACCEPTED(p.Create());
  auto steps = NextSteps(*def_, p.state(), nullptr);
  const NextStep* study = Step(steps, "etude_lancee");
  ASSERT_NE(study, nullptr);
  EXPECT_EQ(study->to, std::vector<std::string>{"etude"});
  ASSERT_EQ(study->conditions.size(), 1u);
  EXPECT_FALSE(study->conditions[0].met);
  EXPECT_FALSE(study->conditions[0].on_record);
  EXPECT_FALSE(study->ready());
  EXPECT_EQ(study->conditions[0].observed.at("project.tracks.partenaires"), "a_mobiliser");
  // Events that stay in the phase (mobilisation_avancee) are not next steps.
  EXPECT_EQ(Step(steps, "mobilisation_avancee"), nullptr);
  EXPECT_EQ(Step(steps, "indicateur_enregistre"), nullptr);

  const Json j = NextStepsJson(*def_, p.state(), steps);
  const Json* found = nullptr;
  for (const Json& s : j["steps"])
    if (s["event"] == "etude_lancee") found = &s;
  ASSERT_NE(found, nullptr) << j.dump(2);
  EXPECT_EQ((*found)["labels"]["fr"], "Étude de faisabilité lancée");
  EXPECT_EQ((*found)["to"][0]["labels"]["fr"], "Étude de faisabilité");
  EXPECT_EQ((*found)["conditions"][0]["messages"]["fr"], "les partenaires doivent être mobilisés avant l'étude");
  EXPECT_EQ((*found)["conditions"][0]["at"]["workflow"], "cbe_action");

  // Once the partners are mobilised, the study is ready.
  EXPECT_ACCEPTED(p.Fire("mobilisation_avancee", {{"volet", "partenaires"}, {"etape", "mobilises"}}));
  steps = NextSteps(*def_, p.state(), nullptr);
  ASSERT_NE(Step(steps, "etude_lancee"), nullptr);
  EXPECT_TRUE(Step(steps, "etude_lancee")->ready());
  EXPECT_TRUE(Step(steps, "etude_lancee")->conditions[0].met);
}

TEST_F(NextStepsTest, InTheStudySetUpNeedsAVerdictAndAPorteurAndTheVerdictWaitsForItsData) {
  ProjectDriver p(*def_);
  EXPECT_ACCEPTED(p.Create());
  EXPECT_ACCEPTED(p.Fire("mobilisation_avancee", {{"volet", "partenaires"}, {"etape", "mobilises"}}));
  EXPECT_ACCEPTED(p.Fire("etude_lancee"));
  auto steps = NextSteps(*def_, p.state(), nullptr);
  const NextStep* setup = Step(steps, "montage_demarre");
  ASSERT_NE(setup, nullptr);
  ASSERT_EQ(setup->conditions.size(), 2u);
  EXPECT_FALSE(setup->conditions[0].met) << "no verdict yet";
  EXPECT_FALSE(setup->conditions[1].met) << "no porteur yet";
  EXPECT_FALSE(setup->ready());
  // The verdict's own clause reads the event: judged when it is recorded.
  const NextStep* verdict = Step(steps, "verdict_faisabilite");
  ASSERT_NE(verdict, nullptr);
  EXPECT_EQ(verdict->to, (std::vector<std::string>{"montage", "abandonnee", "mobilisation"}));
  ASSERT_EQ(verdict->conditions.size(), 1u);
  EXPECT_TRUE(verdict->conditions[0].on_record);
  EXPECT_TRUE(verdict->ready());

  EXPECT_ACCEPTED(p.Fire("porteur_identifie", {{"nom", "Association Services"}, {"nature", "association"}}));
  steps = NextSteps(*def_, p.state(), nullptr);
  setup = Step(steps, "montage_demarre");
  ASSERT_NE(setup, nullptr);
  EXPECT_FALSE(setup->conditions[0].met);
  EXPECT_TRUE(setup->conditions[1].met) << "the porteur is there";
}

TEST_F(NextStepsTest, AFinishedActionHasNoNextStep) {
  ProjectDriver p(*def_);
  EXPECT_ACCEPTED(p.Create());
  EXPECT_ACCEPTED(p.Fire("abandonner", {{"motif", "plus de porteur"}}));
  EXPECT_TRUE(p.state().phase == "abandonnee") << p.state().phase;
  EXPECT_TRUE(NextSteps(*def_, p.state(), nullptr).empty());
}

}  // namespace
}  // namespace relais::workflow
