#include <gtest/gtest.h>

#include "engine/workflow/migration.h"
#include "engine/workflow/project_state.h"
#include "engine/workflow/render.h"
#include "tests/testing/status_matchers.h"
#include "tests/workflow/workflow_test_util.h"

namespace relais::workflow {
namespace {

using ::relais::testing::IsOk;
using ::relais::testing::StatusIs;
using ::testing::HasSubstr;

constexpr const char* kV1 = R"yaml(
workflow: demo
labels: {fr: "Démo", en: "Demo"}
phases:
  - {id: brouillon, labels: {fr: "Brouillon", en: "Draft"}}
  - {id: relu, labels: {fr: "Relu \"vite\"", en: "Reviewed"}}
  - {id: publie, labels: {fr: "Publié", en: "Published"}, terminal: true}
initial: brouillon
events:
  - type: relire
    labels: {fr: "Relire", en: "Review"}
    roles: [coordinator]
    phases: [brouillon]
    transitions: [{to: relu}]
  - type: publier
    labels: {fr: "Publier", en: "Publish"}
    roles: [coordinator]
    phases: [relu]
    data: {type: object, properties: {urgent: {type: boolean}}}
    transitions: [{when: "event.urgent == true", to: publie}, {to: publie}]
)yaml";

constexpr const char* kV2 = R"yaml(
workflow: demo
version: 2
labels: {fr: "Démo", en: "Demo"}
phases:
  - {id: redaction, labels: {fr: "Rédaction", en: "Writing"}}
  - {id: publie, labels: {fr: "Publié", en: "Published"}, terminal: true}
initial: redaction
events:
  - type: publier
    labels: {fr: "Publier", en: "Publish"}
    roles: [coordinator]
    phases: [redaction]
    transitions: [{to: publie}]
)yaml";

TEST(WorkflowRenderTest, MermaidShowsPhasesStartsAndGuardedEdges) {
  auto def = LoadWorkflow(kV1, "demo.yaml");
  ASSERT_THAT(def, IsOk());
  std::string m = RenderMermaid(*def);
  EXPECT_THAT(m, HasSubstr("stateDiagram-v2\n"));
  EXPECT_THAT(m, HasSubstr("  state \"Brouillon\" as brouillon\n"));
  EXPECT_THAT(m, HasSubstr("  state \"Relu #quot;vite#quot;\" as relu\n"));
  EXPECT_THAT(m, HasSubstr("  [*] --> brouillon\n"));
  EXPECT_THAT(m, HasSubstr("  relu --> publie : Publier (coordinator) [event.urgent == true]\n"));
  EXPECT_THAT(m, HasSubstr("  publie --> [*]\n"));
}

TEST(WorkflowRenderTest, DotIsWellFormed) {
  auto def = LoadWorkflow(kV1, "demo.yaml");
  ASSERT_THAT(def, IsOk());
  std::string d = RenderDot(*def);
  EXPECT_EQ(d.rfind("digraph \"demo\" {", 0), 0u);
  EXPECT_THAT(d, HasSubstr("\"relu\" [label=\"Relu \\\"vite\\\"\", shape=box, style=rounded];"));
  EXPECT_THAT(d, HasSubstr("\"publie\" [label=\"Publié\", shape=box, style=rounded, peripheries=2];"));
  EXPECT_THAT(d, HasSubstr("__start -> \"brouillon\";"));
  EXPECT_THAT(d, HasSubstr("\"brouillon\" -> \"relu\" [label=\"Relire (coordinator)\"];"));
  EXPECT_EQ(d.back(), '\n');
}

TEST(WorkflowRenderTest, RepositoryWorkflowsRender) {
  auto cbe = testing::LoadRepoWorkflow("workflows/cbe.yaml");
  EXPECT_THAT(RenderMermaid(cbe), HasSubstr("etude --> montage : Montage démarré (coordinator)"));
  EXPECT_THAT(RenderDot(cbe), HasSubstr("\"etude\" [label=\"Étude de faisabilité\""));
}

TEST(ProjectStateSnapshotTest, RejectsMalformedSnapshots) {
  EXPECT_THAT(ProjectState::FromJson(Json::array()), StatusIs(StatusCode::kCorruption));
  Json snapshot = ProjectState{}.ToJson();
  EXPECT_THAT(ProjectState::FromJson(snapshot), IsOk());
  snapshot["event_count"] = -1;
  EXPECT_THAT(ProjectState::FromJson(snapshot), StatusIs(StatusCode::kCorruption));
  snapshot = ProjectState{}.ToJson();
  snapshot["tracks"] = {{"partenaires", 3}};
  EXPECT_THAT(ProjectState::FromJson(snapshot), StatusIs(StatusCode::kCorruption));
  snapshot.erase("phase");
  EXPECT_THAT(ProjectState::FromJson(snapshot), StatusIs(StatusCode::kCorruption));
}

TEST(PhaseMigrationTest, ValidatesPhaseMappings) {
  auto v1 = LoadWorkflow(kV1, "v1.yaml");
  auto v2 = LoadWorkflow(kV2, "v2.yaml");
  ASSERT_THAT(v1, IsOk());
  ASSERT_THAT(v2, IsOk());
  EXPECT_THAT(ValidatePhaseMapping(*v1, *v2, {{"brouillon", "redaction"}, {"relu", "redaction"}},
                                   {"brouillon", "relu", "publie"}),
              IsOk());
  // publie is kept as is: v2 has it.
  EXPECT_EQ(MapPhase({{"relu", "redaction"}}, "publie"), "publie");
  EXPECT_EQ(MapPhase({{"relu", "redaction"}}, "relu"), "redaction");
  Status unmapped = ValidatePhaseMapping(*v1, *v2, {{"brouillon", "redaction"}}, {"brouillon", "relu"});
  EXPECT_THAT(unmapped, StatusIs(StatusCode::kInvalidArgument,
                                 HasSubstr("phase 'relu' has projects but is not mapped and no longer exists")));
  Status unknown = ValidatePhaseMapping(*v1, *v2, {{"brouilon", "redaction"}, {"relu", "redac"}}, {"archive"});
  EXPECT_THAT(unknown, StatusIs(StatusCode::kInvalidArgument, HasSubstr("mapping from 'brouilon'")));
  EXPECT_THAT(unknown.message(), HasSubstr("mapping to 'redac'"));
  EXPECT_THAT(unknown.message(), HasSubstr("phase in use 'archive'"));
  // Unused phases need no mapping.
  EXPECT_THAT(ValidatePhaseMapping(*v1, *v2, {}, {"publie"}), IsOk());
}

}  // namespace
}  // namespace relais::workflow
