#include "engine/workflow/json_schema.h"

#include <gtest/gtest.h>

namespace relais::workflow {
namespace {

const Json kSchema = Json::parse(R"({
  "type": "object",
  "properties": {
    "nom": {"type": "string", "minLength": 2, "maxLength": 5},
    "age": {"type": "integer", "minimum": 0, "maximum": 130},
    "nature": {"enum": ["association", "entreprise"]},
    "tags": {"type": "array", "items": {"type": "string"}},
    "adresse": {"type": "object", "properties": {"ville": {"type": "string"}}, "required": ["ville"],
                "additionalProperties": false},
    "peut_etre_nul": {"type": ["string", "null"]}
  },
  "required": ["nom"],
  "additionalProperties": false
})");

TEST(JsonSchemaTest, ValidValuePasses) {
  EXPECT_TRUE(
      ValidateJson(kSchema, {{"nom", "Zoé"}, {"age", 30}, {"tags", {"a"}}, {"peut_etre_nul", nullptr}}).empty());
  EXPECT_TRUE(ValidateJson(kSchema, {{"nom", "ab"}, {"age", 30.0}}).empty());  // 30.0 is an integer value
}

TEST(JsonSchemaTest, ReportsJsonPathOfEachViolation) {
  Json bad = {{"age", -1}, {"nature", "club"}, {"tags", {"ok", 3}}, {"adresse", {{"rue", "x"}}}, {"extra", true}};
  auto v = ValidateJson(kSchema, bad, /*all=*/true);
  std::vector<std::string> paths;
  for (const auto& x : v) paths.push_back(x.path + " " + x.keyword);
  EXPECT_EQ(paths, (std::vector<std::string>{"$.nom required", "$.adresse.ville required",
                                             "$.adresse.rue additionalProperties", "$.age minimum",
                                             "$.extra additionalProperties", "$.nature enum", "$.tags[1] type"}));
}

TEST(JsonSchemaTest, FirstOnly) {
  auto v = ValidateJson(kSchema, {{"age", "x"}}, /*all=*/false);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].path, "$.nom");
  EXPECT_EQ(v[0].message, "missing required property 'nom'");
}

TEST(JsonSchemaTest, StringLengthCountsCharactersNotBytes) {
  EXPECT_TRUE(ValidateJson(kSchema, {{"nom", "ééééé"}}).empty());
  EXPECT_EQ(ValidateJson(kSchema, {{"nom", "éééééé"}}).at(0).keyword, "maxLength");
  EXPECT_EQ(ValidateJson(kSchema, {{"nom", "é"}}).at(0).keyword, "minLength");
}

TEST(JsonSchemaTest, TypeMismatchMessage) {
  auto v = ValidateJson(kSchema, Json::array());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].path, "$");
  EXPECT_EQ(v[0].message, "expected object, found array");
  EXPECT_EQ(ValidateJson(kSchema, {{"nom", "abc"}, {"age", 1.5}}).at(0).message, "expected integer, found number");
}

TEST(JsonSchemaTest, DeepValuesAreBounded) {
  Json deep = Json::object();
  Json* cur = &deep;
  for (int i = 0; i < 100; ++i) cur = &((*cur)["a"] = Json::object());
  // Build a schema that recurses as deep as the value.
  Json s = {{"type", "object"}};
  for (int i = 0; i < 100; ++i) s = {{"type", "object"}, {"additionalProperties", s}};
  auto v = ValidateJson(s, deep);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v[0].keyword, "depth");
}

TEST(JsonSchemaTest, ViolationsAreCapped) {
  Json schema = {{"type", "array"}, {"items", {{"type", "string"}}}};
  Json many = Json::array();
  for (int i = 0; i < 1000; ++i) many.push_back(i);
  EXPECT_EQ(ValidateJson(schema, many).size(), DefaultLimits().max_violations);
}

TEST(JsonSchemaTest, SchemaAtFollowsProperties) {
  ASSERT_NE(SchemaAt(kSchema, {"adresse", "ville"}), nullptr);
  EXPECT_EQ(SchemaAt(kSchema, {"adresse", "rue"}), nullptr);
  EXPECT_EQ(SchemaTypes(*SchemaAt(kSchema, {"peut_etre_nul"})), (std::vector<std::string>{"string", "null"}));
}

// Draft 7 beyond the old subset: each keyword accepts and refuses, with the
// JSONPath and the message a person reads.
struct Case {
  const char* schema;
  const char* value;
  const char* path;  // "" = accepted
  const char* keyword;
  const char* message;
};

class Draft7Test : public ::testing::TestWithParam<Case> {};

TEST_P(Draft7Test, AcceptsOrRefusesWithAClearMessage) {
  const Case& c = GetParam();
  auto v = ValidateJson(Json::parse(c.schema), Json::parse(c.value));
  if (std::string(c.path).empty()) {
    EXPECT_TRUE(v.empty()) << c.schema << " / " << c.value << ": " << (v.empty() ? "" : v[0].message);
    return;
  }
  ASSERT_FALSE(v.empty()) << c.schema << " / " << c.value;
  EXPECT_EQ(v[0].path, c.path);
  EXPECT_EQ(v[0].keyword, c.keyword);
  EXPECT_EQ(v[0].message, c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Keywords, Draft7Test,
    ::testing::Values(
        Case{R"({"properties": {"c": {"maxItems": 3}}})", R"({"c": [1, 2, 3]})", "", "", ""},
        Case{R"({"properties": {"c": {"maxItems": 3}}})", R"({"c": [1, 2, 3, 4, 5]})", "$.c", "maxItems",
             "expected at most 3 items, found 5"},
        Case{R"({"minItems": 1})", "[]", "$", "minItems", "expected at least 1 item, found 0"},
        Case{R"({"uniqueItems": true})", R"(["a", "b"])", "", "", ""},
        Case{R"({"uniqueItems": true})", R"(["a", "b", "a"])", "$[2]", "uniqueItems",
             "item 2 repeats item 0 ('a'); items must be unique"},
        Case{R"({"pattern": "^[0-9]{5}$"})", R"("75011")", "", "", ""},
        Case{R"({"pattern": "^[0-9]{5}$"})", R"("7501")", "$", "pattern",
             "value '7501' does not match the pattern '^[0-9]{5}$'"},
        Case{R"({"const": "oui"})", R"("non")", "$", "const", "expected 'oui', found 'non'"},
        Case{R"({"enum": ["a", "b"]})", R"("x")", "$", "enum", "value 'x' is not one of: a, b"},
        Case{R"({"enum": [1, "b", null]})", "2", "$", "enum", "value 2 is not one of: 1, b, null"},
        Case{R"({"exclusiveMinimum": 0})", "0", "$", "exclusiveMinimum", "value 0 is not greater than 0"},
        Case{R"({"exclusiveMaximum": 10})", "9.5", "", "", ""},
        Case{R"({"exclusiveMaximum": 10})", "10", "$", "exclusiveMaximum", "value 10 is not less than 10"},
        Case{R"({"multipleOf": 5})", "12", "$", "multipleOf", "value 12 is not a multiple of 5"},
        Case{R"({"maxLength": 3})", R"("abcd")", "$", "maxLength", "expected at most 3 characters, found 4"},
        Case{R"({"minProperties": 2})", R"({"a": 1})", "$", "minProperties", "expected at least 2 properties, found 1"},
        Case{R"({"oneOf": [{"type": "string"}, {"type": "integer"}]})", "1", "", "", ""},
        Case{R"({"oneOf": [{"type": "number"}, {"type": "integer"}]})", "1", "$", "oneOf",
             "value matches 2 of the 2 forms (#1, #2); exactly one must match"},
        Case{R"({"anyOf": [{"type": "string"}, {"minimum": 3}]})", "2", "$", "anyOf",
             "value matches none of the allowed forms: #1 expected string, found integer; #2 value 2 is less than "
             "the minimum 3"},
        Case{R"({"allOf": [{"type": "string"}, {"maxLength": 2}]})", R"("abc")", "$", "maxLength",
             "expected at most 2 characters, found 3"},
        Case{R"({"not": {"type": "null"}})", "null", "$", "not",
             "value null matches the schema under 'not', which it must not"},
        Case{R"({"if": {"properties": {"nature": {"const": "entreprise"}}}, "then": {"required": ["siret"]}})",
             R"({"nature": "entreprise"})", "$.siret", "required", "missing required property 'siret'"},
        Case{R"({"if": {"properties": {"nature": {"const": "entreprise"}}}, "then": {"required": ["siret"]}})",
             R"({"nature": "association"})", "", "", ""},
        Case{R"({"dependencies": {"fin": ["debut"]}})", R"({"fin": 1})", "$.debut", "dependencies",
             "property 'fin' requires property 'debut'"},
        Case{R"({"contains": {"const": 3}})", "[1, 2]", "$", "contains", "no item matches the schema under 'contains'"},
        Case{R"({"items": [{"type": "string"}], "additionalItems": false})", R"(["a", 1])", "$", "additionalItems",
             "expected at most 1 item, found 2"},
        Case{R"({"propertyNames": {"pattern": "^[a-z]+$"}})", R"({"Abc": 1})", "$.Abc", "propertyNames",
             "property name 'Abc' is not allowed: value 'Abc' does not match the pattern '^[a-z]+$'"},
        Case{R"({"patternProperties": {"^x_": {"type": "integer"}}, "additionalProperties": false})", R"({"x_a": "1"})",
             "$.x_a", "type", "expected integer, found string"},
        Case{R"({"definitions": {"date": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"}},
                 "properties": {"d": {"$ref": "#/definitions/date"}}})",
             R"({"d": "1er mai"})", "$.d", "pattern",
             "value '1er mai' does not match the pattern '^\\d{4}-\\d{2}-\\d{2}$'"},
        // format is not checked (docs/workflow-language.md says so).
        Case{R"({"format": "date"})", R"("pas une date")", "", "", ""},
        // labels and enum_labels are words for people, ignored by validation.
        Case{R"({"enum": ["a"], "labels": {"fr": "Choix"}, "enum_labels": {"a": {"fr": "A"}}})", R"("a")", "", "",
             ""}));

TEST(JsonSchemaTest, ViolationsOfEveryKeywordAreReported) {
  Json schema = Json::parse(R"({
    "type": "object",
    "properties": {
      "conventions": {"type": "array", "maxItems": 2,
                      "items": {"type": "object", "properties": {"date": {"type": "string", "pattern": "^2"}},
                                "required": ["date"]}}
    }
  })");
  Json value = Json::parse(R"({"conventions": [{"date": "2004"}, {}, {"date": "1999"}]})");
  auto v = ValidateJson(schema, value);
  std::vector<std::string> seen;
  for (const auto& x : v) seen.push_back(x.path + " " + x.keyword);
  EXPECT_EQ(seen, (std::vector<std::string>{"$.conventions maxItems", "$.conventions[1].date required",
                                            "$.conventions[2].date pattern"}));
}

TEST(JsonSchemaTest, ASchemaThatDoesNotCompileIsReported) {
  auto compiled = CompiledSchema::Compile(Json::parse(R"({"properties": {"a": {"$ref": "#/definitions/nope"}}})"));
  EXPECT_FALSE(compiled.ok());
  auto v = ValidateJson(Json::parse(R"({"$ref": "#/definitions/nope"})"), Json::object());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].keyword, "schema");
}

TEST(JsonSchemaTest, CompiledSchemaKeepsLabelsAndChecksByProperty) {
  Json schema = Json::parse(R"({
    "type": "object",
    "labels": {"fr": "État", "en": "State"},
    "properties": {
      "nature": {"enum": ["a", "b"], "enum_labels": {"a": {"fr": "Assoc."}}},
      "tags": {"type": "array", "items": {"type": "string"}},
      "bornee": {"type": "array", "items": {"type": "string"}, "maxItems": 2}
    },
    "required": ["nature"],
    "additionalProperties": false
  })");
  auto compiled = CompiledSchema::Compile(schema);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  const CompiledSchema& s = **compiled;
  EXPECT_EQ(s.json(), schema);  // labels kept for the API and the dashboard
  EXPECT_TRUE(s.ChecksByProperty());
  EXPECT_TRUE(s.Allows("tags"));
  EXPECT_FALSE(s.Allows("autre"));
  EXPECT_EQ(s.RequiredProperties(), (std::vector<std::string>{"nature"}));
  EXPECT_TRUE(s.ChecksItemsAlone("tags"));
  EXPECT_FALSE(s.ChecksItemsAlone("bornee"));  // maxItems needs the whole list
  EXPECT_EQ(s.ValidateItem("tags", 3, 7).at(0).path, "$.tags[7]");
  EXPECT_EQ(s.ValidateProperty("nature", "c").at(0).message, "value 'c' is not one of: a, b");
  EXPECT_EQ(s.ValidateProperty("autre", 1).at(0).keyword, "additionalProperties");
  EXPECT_EQ(s.ValidateProperty("bornee", Json::array({"a", "b", "c"})).at(0).message,
            "expected at most 2 items, found 3");

  auto composed = CompiledSchema::Compile(Json::parse(R"({"type": "object", "minProperties": 1})"));
  ASSERT_TRUE(composed.ok());
  EXPECT_FALSE((*composed)->ChecksByProperty());  // the caller validates the whole object
}

TEST(JsonSchemaTest, DepthIsCheckedBeforeTheValidatorRecurses) {
  // No schema recursion at all: the value alone is too deep.
  Json deep = Json::array();
  Json* cur = &deep;
  for (int i = 0; i < 100'000; ++i) {
    cur->push_back(Json::array());
    cur = &(*cur)[0];
  }
  auto v = ValidateJson(Json::object(), deep);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].keyword, "depth");
  EXPECT_EQ(v[0].message, "value nested deeper than 32 levels");
  EXPECT_EQ(v[0].path.substr(0, 7), "$[0][0]");
}

}  // namespace
}  // namespace relais::workflow
