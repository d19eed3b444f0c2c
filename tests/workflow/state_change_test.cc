// How a decision records and checks a change of the project's fields: lists
// that grow are recorded as appended items, and only the change is validated
// against the state schema (a long-lived project's command costs its change).
#include <gtest/gtest.h>

#include "tests/workflow/workflow_test_util.h"

namespace relais::workflow {
namespace {

using testing::AsDecision;
using testing::AsRefusal;
using testing::Describe;

// The state schema is stricter than the event data: the state refuses what
// the event lets through, so only the state check can catch it.
constexpr const char* kWorkflow = R"(
workflow: notes
labels: {fr: "Notes", en: "Notes"}
state:
  type: object
  additionalProperties: false
  properties:
    tags: {type: array, items: {type: string, maxLength: 5}}
    score: {type: integer, maximum: 10}
phases:
  - id: ouvert
    labels: {fr: "Ouvert", en: "Open"}
initial: ouvert
events:
  - type: tag
    labels: {fr: "Étiqueter", en: "Tag"}
    roles: [coordinator]
    phases: [ouvert]
    data: {type: object, properties: {t: {type: string}}, required: [t]}
    append: {tags: event.t}
  - type: noter
    labels: {fr: "Noter", en: "Score"}
    roles: [coordinator]
    phases: [ouvert]
    data: {type: object, properties: {n: {type: integer}}, required: [n]}
    set: {score: event.n}
)";

class StateChangeTest : public ::testing::Test {
 protected:
  StateChangeTest() {
    auto def = LoadWorkflow(kWorkflow, "notes.yaml");
    EXPECT_TRUE(def.ok()) << def.status();
    def_ = std::move(def).value();
    auto created = DecideCreate(def_, state_, {"", Json::object(), {"coordinator"}});
    EXPECT_TRUE(AsDecision(created)) << Describe(created);
    state_ = AsDecision(created)->next;
  }
  DecisionOrRefusal Fire(const std::string& type, Json data) {
    auto r = Decide(def_, state_, {type, std::move(data), {"coordinator"}, std::nullopt});
    if (const Decision* d = AsDecision(r)) state_ = d->next;
    return r;
  }
  WorkflowDefinition def_;
  ProjectState state_;
};

TEST_F(StateChangeTest, AGrowingListIsRecordedAsTheAppendedItems) {
  for (const char* t : {"a", "b", "c"}) ASSERT_TRUE(AsDecision(Fire("tag", {{"t", t}})));
  auto r = Fire("tag", {{"t", "d"}});
  const Decision* d = AsDecision(r);
  ASSERT_TRUE(d) << Describe(r);
  EXPECT_EQ(d->events[0].effects.append, Json({{"tags", {"d"}}}));
  EXPECT_TRUE(d->events[0].effects.set.empty());
  EXPECT_EQ(state_.fields["tags"], Json({"a", "b", "c", "d"}));
  // Folding the recorded events gives the same state.
  std::vector<RecordedEvent> history;
  ProjectState replayed;
  auto created = DecideCreate(def_, replayed, {"", Json::object(), {"coordinator"}});
  replayed = AsDecision(created)->next;
  for (const char* t : {"a", "b", "c", "d"}) {
    auto step = Decide(def_, replayed, {"tag", {{"t", t}}, {"coordinator"}, std::nullopt});
    ASSERT_TRUE(ApplyEventInPlace(def_, replayed, AsDecision(step)->events[0]).ok());
  }
  EXPECT_EQ(replayed.fields, state_.fields);
}

TEST_F(StateChangeTest, AnAppendedItemThatBreaksTheStateSchemaIsRefusedWithItsPath) {
  ASSERT_TRUE(AsDecision(Fire("tag", {{"t", "ok"}})));
  auto r = Fire("tag", {{"t", "far too long"}});
  const Refusal* refusal = AsRefusal(r);
  ASSERT_TRUE(refusal) << Describe(r);
  EXPECT_EQ(refusal->code, RefusalCode::kInvalidState);
  EXPECT_EQ(refusal->details["violations"][0]["path"], "$.tags[1]");
  EXPECT_EQ(refusal->details["violations"][0]["keyword"], "maxLength");
  EXPECT_EQ(state_.fields["tags"], Json({"ok"})) << "a refusal changes nothing";
}

TEST_F(StateChangeTest, ASetValueThatBreaksTheStateSchemaIsRefusedWithItsPath) {
  ASSERT_TRUE(AsDecision(Fire("noter", {{"n", 7}})));
  auto r = Fire("noter", {{"n", 11}});
  const Refusal* refusal = AsRefusal(r);
  ASSERT_TRUE(refusal) << Describe(r);
  EXPECT_EQ(refusal->code, RefusalCode::kInvalidState);
  EXPECT_EQ(refusal->details["violations"][0]["path"], "$.score");
  EXPECT_EQ(state_.fields["score"], 7);
}

}  // namespace
}  // namespace relais::workflow
