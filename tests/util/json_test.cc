#include "engine/util/json.h"

#include <limits>

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

TEST(JsonTest, DumpWritesWhatNlohmannWrites) {
  auto nlohmann_dump = [](const Json& v) { return v.dump(-1, ' ', false, Json::error_handler_t::replace); };
  const std::vector<Json> values = {
      Json(),
      true,
      false,
      0,
      -1,
      std::numeric_limits<int64_t>::min(),
      std::numeric_limits<int64_t>::max(),
      std::numeric_limits<uint64_t>::max(),
      1.5,
      -0.0,
      1e300,
      3.0,
      0.1,
      std::numeric_limits<double>::quiet_NaN(),
      std::numeric_limits<double>::infinity(),
      "",
      "plain ascii ~ with symbols {}[]:,",
      "quote \" backslash \\ slash /",
      "control \x01 \b \f \n \r \t \x1f del \x7f",
      "Élu référent, « guillemets », 日本, 😀",
      std::string("invalid \xff\xfe utf-8 \xc3"),
      std::string("nul \0 inside", 13),
      Json::array(),
      Json::object(),
      Json::binary({1, 2, 3}),
      Json::parse(R"({"b":{"z":[1,2.5,"x",null,{}],"a":[]},"a":"é","\n":"k","é":1})"),
  };
  for (const Json& v : values) EXPECT_EQ(DumpJson(v), nlohmann_dump(v)) << nlohmann_dump(v);
  Json nested = Json::object();
  for (const Json& v : values) nested[nlohmann_dump(v)] = Json::array({v, {{"v", v}}});
  EXPECT_EQ(DumpJson(nested), nlohmann_dump(nested));
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
