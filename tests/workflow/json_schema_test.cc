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

}  // namespace
}  // namespace relais::workflow
