#include "engine/workflow/loader.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"
#include "tests/workflow/workflow_test_util.h"

namespace relais::workflow {
namespace {

using ::relais::testing::IsOk;
using ::relais::testing::StatusIs;
using ::testing::HasSubstr;
using testing::LoadRepoWorkflow;

constexpr const char* kSmall = R"yaml(
workflow: demo   # a comment
version: 2
labels: {fr: "Démo", en: "Demo"}
state:
  type: object
  properties:
    porteur: {type: string}
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
    requires: "exists(state.porteur)"
    transitions:
      - to: fin
)yaml";

// The same workflow as JSON, keys in another order.
constexpr const char* kSmallJson = R"json({
  "version": 2, "workflow": "demo", "labels": {"en": "Demo", "fr": "Démo"},
  "state": {"type": "object", "properties": {"porteur": {"type": "string"}}},
  "phases": [{"id": "debut", "labels": {"fr": "Début", "en": "Start"}},
             {"id": "fin", "terminal": true, "labels": {"fr": "Fin", "en": "End"}}],
  "initial": ["debut"],
  "events": [{"type": "finir", "labels": {"fr": "Finir", "en": "Finish"}, "roles": ["coordinator"],
              "requires": ["exists(state.porteur)"], "transitions": [{"to": "fin"}]}]
})json";

TEST(WorkflowLoaderTest, LoadsTheRepositoryWorkflows) {
  WorkflowDefinition cbe = LoadRepoWorkflow("workflows/cbe.yaml");
  EXPECT_EQ(cbe.name, "cbe_action");
  EXPECT_EQ(cbe.PhaseIds(), (std::vector<std::string>{"mobilisation", "etude", "montage", "portage", "en_continu",
                                                      "transmise", "abandonnee"}));
  EXPECT_EQ(cbe.FindPhase("etude")->labels.fr, "Étude de faisabilité");
  EXPECT_EQ(cbe.FindPhase("montage")->planned_year_key, "montage");
  EXPECT_EQ(cbe.FindPhase("mobilisation")->tracks.size(), 3u);
  EXPECT_EQ(cbe.FindTimer("suivi_premiere_annee")->after.ToString(), "P12M");
  EXPECT_EQ(cbe.FindTimer("point_elu")->after.ToString(), "P4M");
  EXPECT_EQ(cbe.content_hash.size(), 64u);
  WorkflowDefinition comite = LoadRepoWorkflow("workflows/comite-propositions.yaml");
  EXPECT_EQ(comite.initial_phases, std::vector<std::string>{"proposee"});
  EXPECT_NE(std::find(comite.roles.begin(), comite.roles.end(), "president_comite"), comite.roles.end());
}

TEST(WorkflowLoaderTest, JsonAndYamlGiveTheSameDefinitionAndHash) {
  auto yaml = LoadWorkflow(kSmall, "demo.yaml");
  auto json = LoadWorkflow(kSmallJson, "demo.json");
  ASSERT_THAT(yaml, IsOk());
  ASSERT_THAT(json, IsOk());
  EXPECT_EQ(yaml->content_hash, json->content_hash);
  EXPECT_EQ(DumpJson(CanonicalJson(*yaml)), DumpJson(CanonicalJson(*json)));
}

TEST(WorkflowLoaderTest, HashChangesWithMeaningOnly) {
  std::string text = kSmall;
  auto base = LoadWorkflow(text, "a.yaml");
  auto renamed_file = LoadWorkflow(text + "\n# trailing comment\n", "b.yaml");
  std::string relabelled = text;
  relabelled.replace(relabelled.find("\"Fin\""), 5, "\"Terminé\"");
  auto changed = LoadWorkflow(relabelled, "a.yaml");
  ASSERT_THAT(base, IsOk());
  ASSERT_THAT(renamed_file, IsOk());
  ASSERT_THAT(changed, IsOk());
  EXPECT_EQ(base->content_hash, renamed_file->content_hash);
  EXPECT_NE(base->content_hash, changed->content_hash);
}

TEST(WorkflowLoaderTest, DefaultsAndSystemRole) {
  auto def = LoadRepoWorkflow("workflows/cbe.yaml");
  const EventType* abandon = def.FindEvent("abandonner");
  EXPECT_TRUE(abandon->any_open_phase);
  const EventType* due = def.FindEvent("bilan_premiere_annee_du");
  // Timers fire as "system"; the loader grants it on the events they fire.
  EXPECT_NE(std::find(due->roles.begin(), due->roles.end(), "system"), due->roles.end());
  EXPECT_EQ(def.FindEvent("reprendre")->suspension, Suspension::kResume);
  EXPECT_TRUE(def.FindEvent("reprendre")->allowed_while_suspended);
}

TEST(WorkflowLoaderTest, ChildrenAndSpawnLoadAndEnterTheContentHash) {
  WorkflowDefinition parent = LoadRepoWorkflow("tests/workflow/testdata/links/projet_insertion.yaml");
  ASSERT_EQ(parent.children.size(), 1u);
  EXPECT_EQ(parent.children[0].workflow, "parcours_participant");
  EXPECT_TRUE(parent.children[0].inherit_visibility);
  const Transition& t = parent.FindEvent("essaimage")->transitions[0];
  ASSERT_EQ(t.spawns.size(), 1u);
  EXPECT_EQ(t.spawns[0].link, "essaimage");
  EXPECT_EQ(t.spawns[0].title->source(), "event.titre");
  ASSERT_EQ(t.spawns[0].fields.size(), 1u);
  std::string text = testing::ReadFile(testing::SourcePath("tests/workflow/testdata/links/projet_insertion.yaml"));
  std::string own = text;
  own.replace(own.find("workflow: parcours_participant"), 30, "workflow: parcours_participant\n    visibility: own");
  auto changed = LoadWorkflow(own, "projet_insertion.yaml");
  ASSERT_THAT(changed, IsOk());
  EXPECT_FALSE(changed->children[0].inherit_visibility);
  EXPECT_NE(changed->content_hash, parent.content_hash);
}

TEST(WorkflowLoaderTest, BadChildrenAndSpawnsAreLocatedWithWhatWasExpected) {
  const std::string text =
      testing::ReadFile(testing::SourcePath("tests/workflow/testdata/links/projet_insertion.yaml"));
  auto fails = [&](const std::string& from, const std::string& to, const std::string& expected) {
    std::string bad = text;
    ASSERT_NE(bad.find(from), std::string::npos) << from;
    bad.replace(bad.find(from), from.size(), to);
    auto r = LoadWorkflow(bad, "projet_insertion.yaml");
    ASSERT_THAT(r, StatusIs(StatusCode::kInvalidArgument)) << to;
    EXPECT_THAT(r.status().message(), HasSubstr(expected)) << to;
  };
  fails("workflow: parcours_participant", "workflow: parcours_participant\n    visibility: parents",
        "unknown visibility of children");
  fails("phases.recrute >= 1", "phases.recrute.x >= 1", "children are counted by total, open or phases.<phase>");
  fails("children.participants.phases.identifie", "children.participant.phases.identifie",
        "did you mean 'participants'?");
  fails("          title: event.titre\n", "", "spawn needs the new project's title");
  fails("title: event.titre", "title: event.titr", "unknown-field");
  fails("link: essaimage", "link: 'essai mage'", "spawn link");
}

TEST(WorkflowLoaderTest, StatusVariantListsEveryErrorWithPosition) {
  std::string text = kSmall;
  text.replace(text.find("- to: fin"), 9, "- to: fni");
  text.replace(text.find("exists(state.porteur)"), 21, "exists(state.porter)");
  auto r = LoadWorkflow(text, "demo.yaml");
  ASSERT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr("demo.yaml:20:16: error[unknown-field]"));
  EXPECT_THAT(r.status().message(), HasSubstr("demo.yaml:22:13: error[unknown-phase]"));
  EXPECT_THAT(r.status().message(), HasSubstr("did you mean 'fin'?"));
}

TEST(WorkflowLoaderTest, WarningsDoNotFailTheLoad) {
  auto r = LoadWorkflowWithDiagnostics(
      testing::ReadFile(testing::SourcePath("tests/workflow/testdata/dead_end_warning.yaml")), "dead_end_warning.yaml");
  ASSERT_TRUE(r.definition.has_value());
  EXPECT_EQ(r.diagnostics.warning_count(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].code, "dead-end");
}

TEST(WorkflowLoaderTest, OversizedInputIsRefusedBeforeParsing) {
  WorkflowLimits limits;
  limits.max_file_bytes = 100;
  auto r = LoadWorkflowWithDiagnostics(kSmall, "big.yaml", limits);
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].code, "too-large");
}

TEST(WorkflowLoaderTest, AliasBombIsBounded) {
  // Each level doubles the nodes seen through aliases: 2^40 without a bound.
  std::string text =
      "workflow: demo\nlabels: {fr: a, en: b}\nstate:\n  type: object\n  properties:\n    x:\n"
      "      type: object\n      title: t\n      enum: [&a0 [0, 0]";
  for (int i = 1; i < 40; ++i)
    text += ", &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + "]";
  text += "]\nphases: [{id: p, labels: {fr: a, en: b}}]\ninitial: p\n";
  auto r = LoadWorkflowWithDiagnostics(text, "bomb.yaml");
  EXPECT_FALSE(r.definition.has_value());
  bool bounded = false;
  for (const auto& d : r.diagnostics.items()) bounded = bounded || d.code == "too-large";
  EXPECT_TRUE(bounded) << r.diagnostics.ToString();
}

TEST(WorkflowLoaderTest, AliasBombInSchemasIsBounded) {
  // Aliased sub-schemas: checking them naively is 10^12 visits.
  std::string text = "workflow: demo\nlabels: {fr: a, en: b}\nx0: &s0 {type: string}\n";
  for (int i = 1; i <= 12; ++i) {
    text += "x" + std::to_string(i) + ": &s" + std::to_string(i) + " {type: object, properties: {";
    for (int k = 0; k < 10; ++k)
      text += std::string(k ? ", " : "") + "p" + std::to_string(k) + ": *s" + std::to_string(i - 1);
    text += "}}\n";
  }
  text += "state: *s12\nphases: [{id: p, labels: {fr: a, en: b}}]\ninitial: p\n";
  auto r = LoadWorkflowWithDiagnostics(text, "schema-bomb.yaml");
  EXPECT_FALSE(r.definition.has_value());
  bool bounded = false;
  for (const auto& d : r.diagnostics.items()) bounded = bounded || d.code == "too-large" || d.code == "too-deep";
  EXPECT_TRUE(bounded) << r.diagnostics.ToString();
}

TEST(WorkflowLoaderTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep =
      "workflow: demo\nlabels: {fr: a, en: b}\nstate: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  auto r = LoadWorkflowWithDiagnostics(deep, "deep.yaml");
  EXPECT_FALSE(r.definition.has_value());
  EXPECT_TRUE(r.diagnostics.has_errors());
}

TEST(WorkflowLoaderTest, OneDocumentOnly) {
  auto r = LoadWorkflowWithDiagnostics(std::string(kSmall) + "---\nworkflow: other\n", "two.yaml");
  ASSERT_TRUE(r.diagnostics.has_errors());
  EXPECT_EQ(r.diagnostics.items()[0].message, "a workflow file holds one document");
}

TEST(WorkflowLoaderTest, StrayCommaIsASyntaxErrorNotAHang) {
  // yaml-cpp 0.7's LoadAll loops forever on these (jbeder/yaml-cpp#1040).
  for (const char* text : {",", ",,", "--- ,", "workflow: demo\n--- ,"}) {
    auto r = LoadWorkflowWithDiagnostics(text, "comma.yaml");
    ASSERT_TRUE(r.diagnostics.has_errors()) << text;
    EXPECT_EQ(r.diagnostics.items()[0].code, "syntax") << text;
  }
  auto r = LoadWorkflowWithDiagnostics("--- ,", "comma.yaml");
  EXPECT_EQ(r.diagnostics.items()[0].ToString(),
            "comma.yaml:1:5: error[syntax]: YAML/JSON syntax error: unexpected character (found ','; expected a "
            "mapping of workflow keys)\n  hint: ',' only separates items inside [...] or {...}");
}

TEST(WorkflowLoaderTest, EmptyInput) {
  auto r = LoadWorkflowWithDiagnostics("", "empty.yaml");
  ASSERT_TRUE(r.diagnostics.has_errors());
  EXPECT_EQ(r.diagnostics.items()[0].ToString(),
            "empty.yaml:1:1: error[wrong-type]: a workflow file is a mapping (found nothing; expected keys workflow, "
            "version, labels, state, phases, initial, events, timers)");
}

TEST(WorkflowLoaderTest, ReadsFiles) {
  EXPECT_THAT(LoadWorkflowFile(testing::SourcePath("workflows/cbe.yaml")), IsOk());
  EXPECT_THAT(LoadWorkflowFile("/nonexistent/x.yaml"), StatusIs(StatusCode::kNotFound));
}

TEST(WorkflowLoaderTest, DiagnosticsAreCapped) {
  std::string text = "workflow: demo\nlabels: {fr: a, en: b}\n";
  for (int i = 0; i < 500; ++i) text += "unknown" + std::to_string(i) + ": 1\n";
  WorkflowLimits limits;
  limits.max_diagnostics = 10;
  auto r = LoadWorkflowWithDiagnostics(text, "many.yaml", limits);
  EXPECT_EQ(r.diagnostics.items().size(), 10u);
  EXPECT_GT(r.diagnostics.error_count(), 500u);
  EXPECT_THAT(r.diagnostics.ToString(), HasSubstr("more diagnostics not shown"));
}

// A workflow whose one event carries `line` (a requires: or set: entry) at line 21.
std::string WithExpression(const std::string& line, const std::string& top = "") {
  return "workflow: expr\n" + top +
         "labels: {fr: \"E\", en: \"E\"}\n"
         "state:\n"
         "  type: object\n"
         "  properties:\n"
         "    total: {type: integer}\n"
         "    nom: {type: string}\n"
         "    tags: {type: array, items: {type: string}}\n"
         "    lignes:\n"
         "      type: array\n"
         "      items: {type: object, properties: {montant: {type: number}, libelle: {type: string}}}\n"
         "phases:\n"
         "  - id: a\n"
         "    labels: {fr: \"A\", en: \"A\"}\n"
         "initial: a\n"
         "events:\n"
         "  - type: e\n"
         "    labels: {fr: \"E\", en: \"E\"}\n"
         "    roles: [coordinator]\n"
         "    data: {type: object, properties: {n: {type: integer}}}\n" +
         line + "\n";
}

// The first error of loading `text`.
Diagnostic FirstError(const std::string& text) {
  auto r = LoadWorkflowWithDiagnostics(text, "expr.yaml");
  for (const auto& d : r.diagnostics.items())
    if (d.severity == Severity::kError) return d;
  ADD_FAILURE() << "expected an error in:\n" << text;
  return {};
}

// `    requires: "` is 15 characters: the expression's column c is file column 15 + c.
Diagnostic RequiresError(const std::string& expr) {
  return FirstError(WithExpression("    requires: \"" + expr + "\""));
}

TEST(WorkflowLoaderExpressionTest, ValidExpressionsLoad) {
  for (std::string expr : {"state.total + event.n * 2 <= 1000", "sum(state.lignes.montant) > 0",
                           "count(state.lignes, item.libelle == 'x') >= 1", "any(state.tags, item == actor.partner)",
                           "actor.partner in state.tags and 'financeur' in actor.roles",
                           "min(state.lignes.montant) < 3 or max(state.lignes.montant) > 9",
                           "all(state.lignes, item.montant / 2 > 1)", "actor.subject != null"}) {
    auto r = LoadWorkflowWithDiagnostics(WithExpression("    requires: \"" + expr + "\""), "expr.yaml");
    EXPECT_FALSE(r.diagnostics.has_errors()) << expr << "\n" << r.diagnostics.ToString();
  }
  auto r = LoadWorkflowWithDiagnostics(WithExpression("    set: {total: \"state.total + event.n\"}"), "expr.yaml");
  EXPECT_FALSE(r.diagnostics.has_errors()) << r.diagnostics.ToString();
  ASSERT_TRUE(r.definition);
  EXPECT_EQ(r.definition->creator_roles, CreatorRoles());  // no created_by: the default
}

TEST(WorkflowLoaderExpressionTest, EachTypeErrorIsLocated) {
  Diagnostic d = RequiresError("state.total / 0 > 1");
  EXPECT_EQ(d.code, "division-by-zero");
  EXPECT_EQ(d.location.line, 21);
  EXPECT_EQ(d.location.column, 15 + 15);
  d = RequiresError("state.nom + 1 > 2");
  EXPECT_EQ(d.code, "guard-type");
  EXPECT_EQ(d.message, "arithmetic on a value that is not a number");
  EXPECT_EQ(d.found, "'state.nom' of type string");
  EXPECT_EQ(d.location.column, 15 + 1);
  d = RequiresError("1 + state.tags > 2");
  EXPECT_EQ(d.found, "'state.tags' of type array");
  EXPECT_EQ(d.location.column, 15 + 5);
  d = RequiresError("sum(state.lignes) > 2");
  EXPECT_EQ(d.message, "sum() over a list whose items are not numbers");
  EXPECT_EQ(d.hint, "project a numeric field of the items, e.g. sum(state.lignes.montant)");
  d = RequiresError("max(state.lignes.libelle) > 'a'");
  EXPECT_EQ(d.message, "max() over a list whose items are not numbers");
  d = RequiresError("min(state.total) > 2");
  EXPECT_EQ(d.message, "min() needs a list of numbers");
  d = RequiresError("count(state.lignes, item.montnat > 1) > 0");
  EXPECT_EQ(d.code, "unknown-field");
  EXPECT_EQ(d.location.column, 15 + 21);
  EXPECT_EQ(d.hint, "did you mean 'montant'?");
  d = RequiresError("any(state.tags, item.x == 1)");
  EXPECT_EQ(d.message, "the list's items have no field 'x'");
  d = RequiresError("any(state.nom, item == 'a')");
  EXPECT_EQ(d.message, "any(list, condition) needs a list");
  d = RequiresError("event.n in state.nom");
  EXPECT_EQ(d.message, "'in' needs a list");
  EXPECT_EQ(d.location.column, 15 + 12);
  d = RequiresError("actor.partnr == 'x'");
  EXPECT_EQ(d.code, "unknown-field");
  EXPECT_EQ(d.hint, "did you mean 'partner'?");
  d = RequiresError("state.lignes.montnat == 1");
  EXPECT_EQ(d.code, "unknown-field");
  d = RequiresError("sum(state.lignes.montant)");
  EXPECT_EQ(d.message, "a calculation is a number, not a condition");
  d = RequiresError("any(state.tags, item + 1 > 0)");
  EXPECT_EQ(d.found, "'item' of type string");
  EXPECT_EQ(d.location.column, 15 + 17);
}

TEST(WorkflowLoaderExpressionTest, ValueExpressionsAreChecked) {
  // `    set: {total: "` is 18 characters: the expression's column c is file column 18 + c.
  Diagnostic d = FirstError(WithExpression("    set: {total: \"state.total / (1 - 1) + state.nom\"}"));
  EXPECT_EQ(d.message, "arithmetic on a value that is not a number");
  EXPECT_EQ(d.location.column, 18 + 25);
  d = FirstError(WithExpression("    set: {total: \"event.n / 0\"}"));
  EXPECT_EQ(d.code, "division-by-zero");
  d = FirstError(WithExpression("    set: {total: \"event.n > 0\"}"));
  EXPECT_EQ(d.code, "guard-syntax");
}

TEST(WorkflowLoaderExpressionTest, CreatedByNamesDeclaredRoles) {
  auto ok = LoadWorkflowWithDiagnostics(WithExpression("", "roles: [financeur]\ncreated_by: [financeur, admin]\n"),
                                        "expr.yaml");
  ASSERT_TRUE(ok.definition) << ok.diagnostics.ToString();
  EXPECT_EQ(ok.definition->creator_roles, (std::vector<std::string>{"financeur", "admin"}));
  Diagnostic d = FirstError(WithExpression("", "created_by: [coordinater]\n"));
  EXPECT_EQ(d.code, "unknown-role");
  EXPECT_EQ(d.location.line, 2);
  EXPECT_EQ(d.location.column, 14);
  EXPECT_EQ(d.hint, "did you mean 'coordinator'?");
  d = FirstError(WithExpression("", "created_by: []\n"));
  EXPECT_EQ(d.message, "created_by lists no role");
  // Declared or not, the content hash changes only when created_by is written.
  auto plain = LoadWorkflow(WithExpression(""), "a.yaml");
  auto declared = LoadWorkflow(WithExpression("", "created_by: [coordinator, admin]\n"), "b.yaml");
  ASSERT_TRUE(plain.ok() && declared.ok());
  EXPECT_NE(plain->content_hash, declared->content_hash);
  EXPECT_EQ(plain->creator_roles, declared->creator_roles);
}

TEST(WorkflowLoaderExpressionTest, TheFundingExampleLoads) {
  WorkflowDefinition def = testing::LoadRepoWorkflow("tests/workflow/testdata/financement.yaml");
  EXPECT_EQ(def.creator_roles, std::vector<std::string>{"coordinator"});
}

}  // namespace
}  // namespace relais::workflow
