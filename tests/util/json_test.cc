#include "engine/util/json.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

TEST(JsonTest, ParsesValidJson) {
  auto v = ParseJson(R"({"a":[1,2,{"b":"c"}]})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)["a"][2]["b"], "c");
}

TEST(JsonTest, TruncatedJsonReportsByteOffset) {
  EXPECT_THAT(ParseJson(R"({"a":)"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("byte offset 5")));
}

TEST(JsonTest, DeepNestingIsRefusedWithoutRecursion) {
  std::string deep(10000, '[');
  deep += std::string(10000, ']');
  EXPECT_THAT(ParseJson(deep), StatusIs(StatusCode::kInvalidArgument, HasSubstr("nested deeper than 256")));
}

TEST(JsonTest, BracketsInsideStringsDoNotCountAsNesting) {
  std::string s = "\"" + std::string(1000, '[') + "\\\"\"";
  auto v = ParseJson(s);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->get<std::string>().size(), 1001u);
}

TEST(JsonTest, NumbersBeyondADoubleAreAnErrorNotAnException) {
  EXPECT_THAT(ParseJson("[1e999]"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid JSON")));
  auto big = ParseJson("123456789012345678901234567890");  // large but finite: kept as a double
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(big->is_number_float());
}

TEST(JsonTest, InvalidUtf8IsAnErrorNotACrash) {
  EXPECT_THAT(ParseJson("\"\xff\xfe\""), StatusIs(StatusCode::kInvalidArgument));
}

TEST(JsonTest, DumpReplacesInvalidUtf8) {
  Json j = std::string("a\xff");
  EXPECT_EQ(DumpJson(j), "\"a\xEF\xBF\xBD\"");
}

TEST(ParseJsonStrictTest, ADuplicateKeyIsRefusedNamingTheKeyAndItsPath) {
  EXPECT_THAT(ParseJsonStrict(R"({"type":"x","data":{"montant":1,"montant":2}})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("duplicate key 'montant' at $.data.montant")));
  EXPECT_THAT(ParseJsonStrict(R"({"a":1,"a":1})"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("'a' at $.a")));
  EXPECT_THAT(ParseJsonStrict(R"({"l":[{"k":1},{"k":2,"k":3}]})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("at $.l[1].k")));
  EXPECT_THAT(ParseJsonStrict(R"([[0],[1,{"x y":1,"x y":2}]])"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr(R"(at $[1][1]["x y"])")));
  // ParseJson, for stored data, keeps the last as before.
  auto lenient = ParseJson(R"({"a":1,"a":2})");
  ASSERT_TRUE(lenient.ok());
  EXPECT_EQ((*lenient)["a"], 2);
}

TEST(ParseJsonStrictTest, TheSameKeyInDifferentObjectsIsFine) {
  auto v = ParseJsonStrict(R"({"a":{"id":1},"b":{"id":2},"l":[{"id":3},{"id":4}],"id":5,"s":"\"id\""})");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ((*v)["l"][1]["id"], 4);
  EXPECT_TRUE(ParseJsonStrict("[1,2,3]").ok());
  EXPECT_TRUE(ParseJsonStrict("\"s\"").ok());
  EXPECT_THAT(ParseJsonStrict(R"({"a":)"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("byte offset 5")));
}

}  // namespace
}  // namespace relais
