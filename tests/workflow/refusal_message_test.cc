// What a refusal tells people: `message:` as one text or {fr, en} (the
// loader, with its diagnostics), every unmet `requires:` clause, the
// transitions' messages, and where a rule is without the file's path.
#include <gtest/gtest.h>

#include "engine/workflow/definition.h"
#include "tests/testing/status_matchers.h"
#include "tests/workflow/project_driver.h"

namespace relais::workflow {
namespace {

using testing::AsRefusal;
using testing::Describe;
using ::testing::HasSubstr;
using testing::ProjectDriver;

// A small workflow; {{REQUIRES}} and {{TRANSITIONS}} are replaced by each test.
std::string Workflow(const std::string& requires_block, const std::string& transitions_block = "      - to: fin\n") {
  return R"yaml(workflow: messages
version: 1
labels: {fr: "Messages", en: "Messages"}
state:
  type: object
  properties:
    porteur: {type: string}
    budget: {type: integer}
    nb: {type: integer}
phases:
  - id: debut
    labels: {fr: "Début", en: "Start"}
  - id: fin
    labels: {fr: "Fin", en: "End"}
    terminal: true
initial: debut
events:
  - type: finir
    labels: {fr: "Finir", en: "Finish"}
    roles: [coordinator]
    data:
      type: object
      properties:
        montant: {type: integer}
    requires:
)yaml" + requires_block +
         "    transitions:\n" + transitions_block;
}

const std::string kThreeClauses = R"yaml(      - guard: "exists(state.porteur)"
        message: "il faut un porteur"
      - guard: "state.budget >= 100"
        message: {fr: "budget insuffisant", en: "budget too small"}
      - "exists(event.montant)"
)yaml";

WorkflowDefinition MustLoad(const std::string& text) {
  auto def = LoadWorkflow(text, "/srv/relais/workflows/messages.yaml");
  EXPECT_TRUE(def.ok()) << def.status().ToString();
  return def.ok() ? std::move(def).value() : WorkflowDefinition{};
}

std::string ErrorsOf(const std::string& text) {
  LoadResult r = LoadWorkflowWithDiagnostics(text, "messages.yaml");
  EXPECT_FALSE(r.definition.has_value()) << "expected a load error";
  return r.diagnostics.ToString();
}

TEST(RefusalMessageTest, AMessageIsOneTextOrATextPerLanguage) {
  WorkflowDefinition def = MustLoad(Workflow(kThreeClauses));
  const EventType* finir = def.FindEvent("finir");
  ASSERT_NE(finir, nullptr);
  ASSERT_EQ(finir->preconditions.size(), 3u);
  const Message& one = finir->preconditions[0].message;
  EXPECT_EQ(one.fr, "il faut un porteur");
  EXPECT_EQ(one.en, "il faut un porteur");  // one text: the same in both languages
  EXPECT_FALSE(one.per_language);
  const Message& both = finir->preconditions[1].message;
  EXPECT_EQ(both.fr, "budget insuffisant");
  EXPECT_EQ(both.en, "budget too small");
  EXPECT_TRUE(both.per_language);
  EXPECT_TRUE(finir->preconditions[2].message.empty());

  // The canonical form keeps a one-text message as a text (the content hash
  // of files written before {fr, en} does not change) and a pair as a pair.
  const Json canonical = CanonicalJson(def)["events"][0]["requires"];
  EXPECT_EQ(canonical[0]["message"], "il faut un porteur");
  EXPECT_EQ(canonical[1]["message"], Json({{"fr", "budget insuffisant"}, {"en", "budget too small"}}));
  EXPECT_EQ(canonical[2]["message"], "");
}

TEST(RefusalMessageTest, TheRepositoryWorkflowsKeepTheirMessages) {
  WorkflowDefinition cbe = testing::LoadRepoWorkflow("workflows/cbe.yaml");
  const EventType* montage = cbe.FindEvent("montage_demarre");
  ASSERT_NE(montage, nullptr);
  ASSERT_FALSE(montage->preconditions.empty());
  EXPECT_FALSE(montage->preconditions[0].message.empty());
  EXPECT_TRUE(CanonicalJson(cbe)["events"][0]["transitions"].is_array());
}

TEST(RefusalMessageTest, BadMessagesAreLocatedErrors) {
  struct Case {
    std::string message_yaml;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"[a, b]",
       "messages.yaml:27:18: error[bad-message]: message must be a text or a text per language (found a list"},
      {"\"  \"", "messages.yaml:27:18: error[bad-message]: message is empty"},
      {"{fr: \"seul\"}", "error[missing]: message en is required"},
      {"{en: \"alone\"}", "error[missing]: message fr is required"},
      {"{fr: \"a\", en: \"b\", de: \"c\"}",
       "27:37: error[unknown-key]: unknown key in a message (found 'de'; expected one of fr, en)"},
      {"{fr: \"a\", en: [x]}", "message en must be a text"},
      {"{fr: \"\", en: \"b\"}", "message fr is empty"},
      {"\"" + std::string(2000, 'x') + "\"", "message is too long (found 2000 bytes; expected at most 1024 bytes)"},
  };
  for (const Case& c : cases) {
    const std::string clause = "      - guard: \"exists(state.porteur)\"\n        message: " + c.message_yaml + "\n";
    EXPECT_THAT(ErrorsOf(Workflow(clause)), HasSubstr(c.expected)) << c.message_yaml;
  }
  // On a transition too.
  const std::string transition =
      "      - when: \"exists(state.porteur)\"\n        message: {fr: \"x\"}\n        to: fin\n";
  EXPECT_THAT(ErrorsOf(Workflow("      - \"true\"\n", transition)), HasSubstr("message en is required"));
}

TEST(RefusalMessageTest, EveryUnmetClauseIsReportedWithItsWords) {
  WorkflowDefinition def = MustLoad(Workflow(kThreeClauses));
  ProjectDriver p(def);
  EXPECT_ACCEPTED(p.Create("", {{"budget", 50}}));
  auto r = p.Fire("finir");
  const Refusal* refusal = AsRefusal(r);
  ASSERT_NE(refusal, nullptr) << Describe(r);
  EXPECT_EQ(refusal->code, RefusalCode::kGuardFailed);
  const Json& unmet = refusal->details["unmet"];
  ASSERT_EQ(unmet.size(), 3u) << refusal->details;
  EXPECT_EQ(unmet[0]["guard"], "exists(state.porteur)");
  EXPECT_EQ(unmet[0]["values"], Json({{"state.porteur", nullptr}}));
  EXPECT_EQ(unmet[0]["messages"], Json({{"fr", "il faut un porteur"}, {"en", "il faut un porteur"}}));
  EXPECT_EQ(unmet[1]["guard"], "state.budget >= 100");
  EXPECT_EQ(unmet[1]["values"], Json({{"state.budget", 50}}));
  EXPECT_EQ(unmet[1]["messages"], Json({{"fr", "budget insuffisant"}, {"en", "budget too small"}}));
  EXPECT_EQ(unmet[2]["guard"], "exists(event.montant)");
  EXPECT_EQ(unmet[2]["messages"], nullptr);
  // Each at names the workflow and the line of its guard, never the path.
  for (const Json& u : unmet) {
    EXPECT_EQ(u["at"]["workflow"], "messages");
    EXPECT_EQ(u["at"].size(), 3u);
  }
  EXPECT_EQ(unmet[0]["at"]["line"], 26);  // lines of Workflow(kThreeClauses)
  EXPECT_EQ(unmet[1]["at"]["line"], 28);
  EXPECT_EQ(unmet[2]["at"]["line"], 30);
  EXPECT_EQ(unmet[0]["at"]["column"], 16);
  // The first unmet clause stays where it always was.
  EXPECT_EQ(refusal->details["guard"], unmet[0]["guard"]);
  EXPECT_EQ(refusal->details["values"], unmet[0]["values"]);
  EXPECT_EQ(refusal->details["at"], unmet[0]["at"]);
  // The words of every unmet clause, in both languages.
  EXPECT_EQ(refusal->messages.fr,
            "il faut un porteur; budget insuffisant; condition non remplie : exists(event.montant)");
  EXPECT_EQ(refusal->messages.en, "il faut un porteur; budget too small; condition not met: exists(event.montant)");
  EXPECT_EQ(refusal->message, "il faut un porteur; budget insuffisant; condition not met: exists(event.montant)");
  EXPECT_EQ(refusal->ToJson()["messages"]["en"], refusal->messages.en);
  EXPECT_EQ(DumpJson(refusal->ToJson()).find("/srv/relais"), std::string::npos);

  // Only what is still unmet once some clauses hold.
  r = p.Fire("finir", {{"montant", 3}});
  ASSERT_NE(AsRefusal(r), nullptr) << Describe(r);
  EXPECT_EQ(AsRefusal(r)->details["unmet"].size(), 2u);
  EXPECT_EQ(AsRefusal(r)->messages.en, "il faut un porteur; budget too small");
}

TEST(RefusalMessageTest, AnExpressionErrorAfterAnUnmetClauseIsListedNotRaised) {
  const std::string clauses = R"yaml(      - guard: "exists(state.porteur)"
        message: "il faut un porteur"
      - "state.budget / state.nb > 10"
)yaml";
  WorkflowDefinition def = MustLoad(Workflow(clauses));
  ProjectDriver p(def);
  EXPECT_ACCEPTED(p.Create("", {{"budget", 50}, {"nb", 0}}));
  auto r = p.Fire("finir");
  ASSERT_NE(AsRefusal(r), nullptr) << Describe(r);
  EXPECT_EQ(AsRefusal(r)->code, RefusalCode::kGuardFailed);
  const Json& unmet = AsRefusal(r)->details["unmet"];
  ASSERT_EQ(unmet.size(), 2u);
  EXPECT_THAT(unmet[1]["error"].get<std::string>(), HasSubstr("division by zero"));

  // Alone (the first clause holds), the same clause is an expression_error.
  ProjectDriver q(def);
  EXPECT_ACCEPTED(q.Create("", {{"budget", 50}, {"nb", 0}, {"porteur", "asso"}}));
  r = q.Fire("finir");
  ASSERT_NE(AsRefusal(r), nullptr) << Describe(r);
  EXPECT_EQ(AsRefusal(r)->code, RefusalCode::kExpressionError);
  EXPECT_EQ(AsRefusal(r)->details["at"]["line"], 28);
}

TEST(RefusalMessageTest, TransitionsSayWhyNoneApplied) {
  const std::string transitions = R"yaml(      - when: "state.budget >= 100"
        message: {fr: "il faut un budget d'au moins 100", en: "a budget of at least 100 is needed"}
        to: fin
      - when: "exists(state.porteur)"
        message: "ou bien un porteur"
        to: fin
)yaml";
  WorkflowDefinition def = MustLoad(Workflow("      - \"true\"\n", transitions));
  ProjectDriver p(def);
  EXPECT_ACCEPTED(p.Create("", {{"budget", 50}}));
  auto r = p.Fire("finir");
  const Refusal* refusal = AsRefusal(r);
  ASSERT_NE(refusal, nullptr) << Describe(r);
  EXPECT_EQ(refusal->code, RefusalCode::kNoTransitionMatched);
  const Json& tried = refusal->details["tried"];
  ASSERT_EQ(tried.size(), 2u);
  EXPECT_EQ(tried[0]["messages"]["en"], "a budget of at least 100 is needed");
  EXPECT_EQ(tried[1]["messages"]["en"], "ou bien un porteur");
  EXPECT_EQ(tried[0]["at"]["workflow"], "messages");
  EXPECT_EQ(refusal->messages.fr, "il faut un budget d'au moins 100; ou bien un porteur");
  EXPECT_EQ(refusal->messages.en, "a budget of at least 100 is needed; ou bien un porteur");
  EXPECT_THAT(refusal->message, HasSubstr("no transition of 'finir' applies"));
}

}  // namespace
}  // namespace relais::workflow
