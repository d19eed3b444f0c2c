// Data schemas in workflow files: draft-7 keywords accepted, mistakes
// located (line:column, found, expected, hint), labels kept, and the
// compiled schema applied to commands.
#include "engine/workflow/schema_loader.h"

#include <gtest/gtest.h>

#include "engine/workflow/loader.h"
#include "tests/workflow/project_driver.h"
#include "tests/workflow/workflow_test_util.h"

namespace relais::workflow {
namespace {

using testing::AsDecision;
using testing::AsRefusal;
using testing::ProjectDriver;

// A workflow whose event `signer` carries `data` (indented under `data:`).
std::string WithEventData(const std::string& data) {
  return R"yaml(workflow: demo
labels: {fr: "Démo", en: "Demo"}
state:
  type: object
  properties:
    signataires: {type: array, items: {type: string}, maxItems: 4}
phases:
  - id: debut
    labels: {fr: "Début", en: "Start"}
  - id: fin
    labels: {fr: "Fin", en: "End"}
    terminal: true
initial: debut
events:
  - type: signer
    labels: {fr: "Signer", en: "Sign"}
    roles: [coordinator]
    data:
)yaml" + data +
         R"yaml(
    set: {signataires: event.signataires}
    transitions:
      - to: fin
)yaml";
}

// The first diagnostic, as "line:column code message (found ...)". (The
// loader may add others: a refused schema leaves the event's fields unknown.)
std::string FirstError(const std::string& data) {
  auto r = LoadWorkflowWithDiagnostics(WithEventData(data), "demo.yaml");
  EXPECT_FALSE(r.definition.has_value());
  if (r.diagnostics.items().empty()) return "no diagnostic";
  const Diagnostic& d = r.diagnostics.items()[0];
  return std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + " " + d.code + " " + d.message +
         " (found " + d.found + "; expected " + d.expected + ")" + (d.hint.empty() ? "" : " hint: " + d.hint);
}

constexpr const char* kGoodData = R"yaml(      type: object
      labels: {fr: "Signature", en: "Signature"}
      properties:
        signataires:
          type: array
          minItems: 1
          maxItems: 3
          uniqueItems: true
          items: {type: string, pattern: "^[A-Z]", minLength: 2}
          labels: {fr: "Signataires"}
        nature:
          enum: [association, entreprise]
          enum_labels: {association: {fr: "Association", en: "Non-profit"}, entreprise: {fr: "Entreprise"}}
        montant: {type: number, exclusiveMinimum: 0, multipleOf: 0.5}
        siret: {type: string, format: siret}
        code: {const: "A"}
        piece: {oneOf: [{type: string}, {type: "null"}]}
      required: [signataires]
      if: {properties: {nature: {const: entreprise}}, required: [nature]}
      then: {required: [siret]}
      additionalProperties: false)yaml";

TEST(SchemaLoaderTest, AcceptsDraft7KeywordsAndKeepsLabels) {
  auto r = LoadWorkflowWithDiagnostics(WithEventData(kGoodData), "demo.yaml");
  ASSERT_TRUE(r.definition.has_value()) << r.diagnostics.ToString();
  const EventType* e = r.definition->FindEvent("signer");
  ASSERT_NE(e->compiled_schema, nullptr);  // compiled once, at load time
  EXPECT_EQ(e->schema["labels"]["fr"], "Signature");
  EXPECT_EQ(e->schema["properties"]["nature"]["enum_labels"]["association"]["en"], "Non-profit");
  EXPECT_EQ(e->compiled_schema->json(), e->schema);
  ASSERT_NE(r.definition->compiled_state_schema, nullptr);
}

TEST(SchemaLoaderTest, WrongKeywordTypesAreLocated) {
  EXPECT_EQ(FirstError("      type: object\n      properties:\n        s: {type: array, minItems: -1}"),
            "21:36 schema-keyword minItems must be a whole number ≥ 0 (found '-1'; expected a whole number ≥ 0)");
  EXPECT_EQ(FirstError("      type: object\n      properties:\n        s: {type: array, minItems: \"3\"}"),
            "21:36 schema-keyword minItems must be a whole number ≥ 0 (found '3'; expected a whole number ≥ 0) hint: "
            "write the number without quotes");
  EXPECT_EQ(FirstError("      type: object\n      properties:\n        s: {type: string, pattern: \"(a\"}"),
            "21:36 schema-keyword pattern is not a valid regular expression (found '(a'; expected an ECMAScript "
            "regular expression) hint: the regex library says: Mismatched '(' and ')' in regular expression");
  EXPECT_EQ(FirstError("      type: object\n      properties:\n        s: {type: number, exclusiveMinimum: true}"),
            "21:45 schema-keyword exclusiveMinimum must be a number (found 'true'; expected a number) hint: in "
            "draft 7, exclusiveMinimum is the bound itself: exclusiveMinimum: 0");
  EXPECT_EQ(FirstError("      type: object\n      properties:\n        s: {oneOf: []}"),
            "21:20 schema-keyword oneOf needs at least one schema (found a list; expected at least one schema)");
  EXPECT_EQ(FirstError("      type: object\n      properties:\n        s: {$ref: \"autre.json#/x\"}"),
            "21:19 schema-keyword $ref must point inside the same schema (found 'autre.json#/x'; expected "
            "'#/definitions/<name>' (or '#' for the schema itself)) hint: remote schemas are not fetched; copy the "
            "schema under definitions:");
}

TEST(SchemaLoaderTest, RequiredNamesDeclaredProperties) {
  EXPECT_EQ(FirstError("      type: object\n      properties:\n        signataires: {type: array}\n"
                       "      required: [signatairs]"),
            "22:18 schema-required required property is not declared in properties (found 'signatairs'; expected one "
            "of signataires) hint: did you mean 'signataires'?");
  // Inside then/allOf, `required` refers to the properties of the object it refines.
  auto ok = LoadWorkflowWithDiagnostics(
      WithEventData("      type: object\n      properties:\n        signataires: {type: array}\n"
                    "      allOf: [{required: [signataires]}]"),
      "demo.yaml");
  EXPECT_TRUE(ok.definition.has_value()) << ok.diagnostics.ToString();
}

TEST(SchemaLoaderTest, UnknownKeywordSuggestsTheRightOne) {
  EXPECT_EQ(FirstError("      type: object\n      properties:\n        s: {type: array, minitems: 1}"),
            "21:26 unknown-key unknown JSON Schema keyword in data schema of 'signer' property 's' (found "
            "'minitems'; expected a draft-7 keyword (type, properties, required, enum, minItems, pattern, oneOf...) "
            "or labels, enum_labels) hint: did you mean 'minItems'?");
}

TEST(SchemaLoaderTest, LabelsAndEnumLabelsAreChecked) {
  EXPECT_EQ(FirstError("      type: object\n      labels: {en: \"Only English\"}"),
            "20:15 missing data schema of 'signer' labels needs fr (found a mapping; expected fr: \"...\" (en "
            "optional))");
  EXPECT_EQ(FirstError("      type: object\n      labels: {fr: 12}"),
            "20:20 schema-keyword data schema of 'signer' labels fr must be a text (found '12'; expected a text) "
            "hint: quote it: \"12\"");
  EXPECT_EQ(FirstError("      type: object\n      labels: {fr: a, de: b}"),
            "20:23 unknown-key unknown key in data schema of 'signer' labels (found 'de'; expected one of fr, en)");
  EXPECT_EQ(FirstError("      type: object\n      properties:\n        n:\n          enum: [a, b]\n"
                       "          enum_labels: {a: {fr: A}, c: {fr: C}}"),
            "23:37 schema-enum-labels enum_labels names a value that is not in the enum (found 'c'; expected one "
            "of a, b) hint: did you mean 'a'?");
  EXPECT_EQ(FirstError("      type: object\n      properties:\n        n: {type: string, enum_labels: {a: {fr: A}}}"),
            "21:40 schema-keyword enum_labels needs an enum beside it (found a mapping; expected enum: [...] in the "
            "same schema)");
}

TEST(SchemaLoaderTest, ARefToNothingIsLocated) {
  EXPECT_EQ(FirstError("      type: object\n      definitions: {date: {type: string}}\n      properties:\n"
                       "        s: {$ref: \"#/definitions/dat\"}"),
            "22:19 schema-keyword $ref points to nothing in this schema (found '#/definitions/dat'; expected one of "
            "#/definitions/date) hint: did you mean '#/definitions/date'?");
  auto ok = LoadWorkflowWithDiagnostics(
      WithEventData("      type: object\n      definitions: {nom: {type: string, minLength: 2}}\n      properties:\n"
                    "        signataires: {type: array, items: {$ref: \"#/definitions/nom\"}}"),
      "demo.yaml");
  ASSERT_TRUE(ok.definition.has_value()) << ok.diagnostics.ToString();
  auto v = ok.definition->FindEvent("signer")->compiled_schema->Validate({{"signataires", {"Ana", "B"}}});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].path, "$.signataires[1]");
  EXPECT_EQ(v[0].message, "expected at least 2 characters, found 1");
}

// End to end: the compiled schema refuses a command with invalid_data and
// the mapped message, and accepts a good one.
TEST(SchemaLoaderTest, TooManyItemsIsRefusedWithInvalidData) {
  auto def = LoadWorkflow(WithEventData(kGoodData), "demo.yaml");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  ProjectDriver p(*def);
  EXPECT_ACCEPTED(p.Create());
  auto refused = p.Fire("signer", {{"signataires", {"Ana", "Bo", "Cy", "Dé", "Ed"}}});
  const Refusal* r = AsRefusal(refused);
  ASSERT_NE(r, nullptr) << testing::Describe(refused);
  EXPECT_EQ(RefusalCodeName(r->code), "invalid_data");
  EXPECT_EQ(r->message, "invalid data at $.signataires: expected at most 3 items, found 5");
  EXPECT_EQ(r->details["violations"][0], Json({{"path", "$.signataires"},
                                               {"keyword", "maxItems"},
                                               {"message", "expected at most 3 items, found 5"},
                                               {"messages",
                                                {{"fr", "Signataires : au plus 3 éléments attendus, 5 donnés."},
                                                 {"en", "Signataires: at most 3 items expected, 5 given."}}}}));
  EXPECT_EQ(r->messages.fr, "Signataires : au plus 3 éléments attendus, 5 donnés.");

  auto empty_result = p.Fire("signer", {{"signataires", Json::array()}});
  const Refusal* empty = AsRefusal(empty_result);
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->message, "invalid data at $.signataires: expected at least 1 item, found 0");

  auto conditional_result = p.Fire("signer", {{"signataires", {"Ana"}}, {"nature", "entreprise"}});
  const Refusal* conditional = AsRefusal(conditional_result);
  ASSERT_NE(conditional, nullptr);
  EXPECT_EQ(conditional->message, "invalid data at $.siret: missing required property 'siret'");

  EXPECT_ACCEPTED(p.Fire("signer", {{"signataires", {"Ana", "Bo"}}, {"nature", "association"}, {"montant", 2.5}}));
  p.ExpectReplayMatches();
}

// The state schema's array bounds hold across commands: an append that
// would exceed maxItems is refused, although items are appended one by one.
TEST(SchemaLoaderTest, StateListBoundsAreCheckedOnAppend) {
  std::string text = WithEventData("      type: object\n      properties:\n        nom: {type: string}");
  const std::string set = "    set: {signataires: event.signataires}";
  text.replace(text.find(set), set.size(), "    append: {signataires: event.nom}");
  const std::string to_fin = "      - to: fin";
  text.replace(text.find(to_fin), to_fin.size(),
               "      - when: \"event.nom == 'fin'\"\n        to: fin\n      - to: debut");
  auto def = LoadWorkflow(text, "demo.yaml");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  ProjectDriver p(*def);
  EXPECT_ACCEPTED(p.Create());
  for (const char* nom : {"a", "b", "c", "d"}) EXPECT_ACCEPTED(p.Fire("signer", {{"nom", nom}}));
  auto result = p.Fire("signer", {{"nom", "e"}});
  const Refusal* r = AsRefusal(result);
  ASSERT_NE(r, nullptr) << testing::Describe(result);
  EXPECT_EQ(RefusalCodeName(r->code), "invalid_state");
  EXPECT_EQ(r->message, "the resulting state would be invalid at $.signataires: expected at most 4 items, found 5");
}

}  // namespace
}  // namespace relais::workflow
