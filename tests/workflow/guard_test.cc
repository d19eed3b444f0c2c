#include "engine/workflow/guard.h"

#include <gtest/gtest.h>

namespace relais::workflow {
namespace {

Guard MustParse(std::string_view text) {
  auto r = Guard::Parse(text);
  if (auto* e = std::get_if<GuardParseError>(&r)) {
    ADD_FAILURE() << "parse error at column " << e->column << ": " << e->message;
    return std::get<Guard>(Guard::Parse("true"));
  }
  return std::get<Guard>(std::move(r));
}

GuardParseError MustFail(std::string_view text, const WorkflowLimits& limits = DefaultLimits()) {
  auto r = Guard::Parse(text, limits);
  if (std::holds_alternative<Guard>(r)) {
    ADD_FAILURE() << "expected a parse error for: " << text;
    return {};
  }
  return std::get<GuardParseError>(r);
}

class GuardEvalTest : public ::testing::Test {
 protected:
  bool Eval(std::string_view text) {
    GuardContext ctx{&state_, &event_, &project_};
    return MustParse(text).Evaluate(ctx).passed;
  }
  Json state_ = {{"porteur", {{"nom", "Asso Fresnes Services"}}},
                 {"conventions", Json::array({"a", "b"})},
                 {"montant", 1500},
                 {"actif", true}};
  Json event_ = {{"verdict", "positif"}, {"suite", "abandon"}, {"note", 2.5}};
  Json project_ = {{"phase", "etude"}, {"suspended", false}, {"tracks", {{"partenaires", "mobilises"}}}};
};

TEST_F(GuardEvalTest, Comparisons) {
  EXPECT_TRUE(Eval("event.verdict == 'positif'"));
  EXPECT_TRUE(Eval("event.verdict != \"negatif\""));
  EXPECT_TRUE(Eval("state.montant > 1000"));
  EXPECT_TRUE(Eval("state.montant >= 1500"));
  EXPECT_FALSE(Eval("state.montant < 1500"));
  EXPECT_TRUE(Eval("state.montant <= 1500.0"));
  EXPECT_TRUE(Eval("event.note == 2.5"));
  EXPECT_TRUE(Eval("state.montant == 1500.0"));  // numbers compare by value
  EXPECT_TRUE(Eval("-3 < 2"));
  EXPECT_TRUE(Eval("'abc' < 'abd'"));
}

TEST_F(GuardEvalTest, LogicAndPrecedence) {
  EXPECT_TRUE(Eval("true or false and false"));  // and binds tighter
  EXPECT_FALSE(Eval("(true or false) and false"));
  EXPECT_TRUE(Eval("not false"));
  EXPECT_TRUE(Eval("not not true"));
  EXPECT_TRUE(Eval("!(state.montant < 0) && (false || true)"));
  EXPECT_TRUE(Eval("state.actif"));
}

TEST_F(GuardEvalTest, PresenceCountsAndLists) {
  EXPECT_TRUE(Eval("exists(state.porteur)"));
  EXPECT_TRUE(Eval("exists(state.porteur.nom)"));
  EXPECT_FALSE(Eval("exists(state.inconnu)"));
  EXPECT_TRUE(Eval("count(state.conventions) >= 1"));
  EXPECT_TRUE(Eval("count(state.conventions) == 2"));
  EXPECT_TRUE(Eval("count(state.absent) == 0"));
  EXPECT_TRUE(Eval("event.suite in ['abandon', 'retour_mobilisation']"));
  EXPECT_FALSE(Eval("event.suite in []"));
  EXPECT_TRUE(Eval("project.phase == 'etude' and project.tracks.partenaires == 'mobilises'"));
  EXPECT_TRUE(Eval("project.suspended == false"));
  EXPECT_TRUE(Eval("state.absent == null"));
}

TEST_F(GuardEvalTest, IncomparableTypesAreFalseNotErrors) {
  EXPECT_FALSE(Eval("state.porteur < 3"));
  EXPECT_FALSE(Eval("state.absent > 0"));
  EXPECT_FALSE(Eval("'a' < 1"));
  EXPECT_FALSE(Eval("state.montant"));  // a number is not true
}

TEST_F(GuardEvalTest, ObservedValuesExplainFailures) {
  GuardContext ctx{&state_, &event_, &project_};
  GuardResult r = MustParse("exists(state.absent) and state.montant > 2000").Evaluate(ctx);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.observed.at("state.absent"), Json(nullptr));
}

TEST(GuardParseTest, ErrorsCarryColumns) {
  auto e = MustFail("event.verdict = 'positif'");
  EXPECT_EQ(e.column, 15);
  EXPECT_EQ(e.found, "'='");
  e = MustFail("exists(state.porteur");
  EXPECT_EQ(e.column, 21);
  EXPECT_EQ(e.message, "unbalanced parenthesis");
  e = MustFail("state.montant > ");
  EXPECT_EQ(e.column, 17);
  e = MustFail("foo.bar == 1");
  EXPECT_EQ(e.column, 1);
  EXPECT_EQ(e.message, "unknown path root");
  e = MustFail("event.x == 'unterminated");
  EXPECT_EQ(e.column, 12);
  e = MustFail("1 < 2 < 3");
  EXPECT_EQ(e.message, "comparisons can not be chained");
  e = MustFail("event.x == 1 event.y");
  EXPECT_EQ(e.column, 14);
  e = MustFail("count state.x");
  EXPECT_EQ(e.column, 7);
  e = MustFail("état == 1");
  EXPECT_EQ(e.found, "'é'");
  EXPECT_EQ(e.column, 1);
  e = MustFail("");
  EXPECT_EQ(e.message, "expected a value");
}

TEST(GuardParseTest, DeepNestingIsBounded) {
  WorkflowLimits limits;
  std::string deep(limits.max_guard_depth + 1, '(');
  deep += "true" + std::string(limits.max_guard_depth + 1, ')');
  EXPECT_EQ(MustFail(deep).message, "expression nested too deeply");
  std::string ok(limits.max_guard_depth - 1, '(');
  ok += "true" + std::string(limits.max_guard_depth - 1, ')');
  EXPECT_TRUE(std::holds_alternative<Guard>(Guard::Parse(ok)));
  std::string nots;
  for (size_t i = 0; i < 10'000; ++i) nots += "not ";
  EXPECT_EQ(MustFail(nots + "true").message, "expression too long");
  WorkflowLimits roomy;
  roomy.max_guard_length = 1'000'000;
  EXPECT_EQ(MustFail(nots + "true", roomy).message, "expression nested too deeply");
  EXPECT_EQ(MustFail(std::string(500'000, '('), roomy).message, "expression nested too deeply");
  // Far beyond any stack: still an error, not a crash.
  EXPECT_EQ(MustFail(std::string(3000, '(')).message, "expression nested too deeply");
}

TEST(GuardParseTest, LongFlatChainsStayShallow) {
  // and/or chains are n-ary nodes: 100 000 terms is a wide tree, not a deep one.
  WorkflowLimits roomy;
  roomy.max_guard_length = 10'000'000;
  std::string chain = "true";
  for (int i = 0; i < 100'000; ++i) chain += i % 2 ? " and true" : " or false";
  auto r = Guard::Parse(chain, roomy);
  ASSERT_TRUE(std::holds_alternative<Guard>(r));
  Json empty = Json::object();
  GuardContext ctx{&empty, &empty, &empty};
  EXPECT_TRUE(std::get<Guard>(r).Evaluate(ctx).passed);
  std::string list = "event.x in [";
  for (int i = 0; i < 300; ++i) list += std::to_string(i) + ",";
  list += "0]";
  EXPECT_EQ(MustFail(list).message, "list too long");
}

TEST(GuardParseTest, LongInputIsRefused) {
  std::string long_input;
  while (long_input.size() < 10'000) long_input += "true and ";
  long_input += "true";
  EXPECT_EQ(MustFail(long_input).message, "expression too long");
  std::string long_string = "event.x == '" + std::string(5000, 'a') + "'";
  WorkflowLimits limits;
  limits.max_guard_length = 100'000;
  EXPECT_EQ(MustFail(long_string, limits).message, "invalid token");
}

TEST(GuardParseTest, HostileBytesNeverCrash) {
  // Every single byte and a sample of byte pairs: errors or guards, never a crash.
  for (int c = 0; c < 256; ++c) {
    std::string s(1, static_cast<char>(c));
    (void)Guard::Parse(s);
    (void)Guard::Parse("event.x == " + s);
    (void)Guard::Parse(s + s + "(");
  }
  uint32_t seed = 12345;
  const std::string alphabet = "()[],.'\"=!<>&|- 0123456789abcdefnotandorexistscount_stateeventproject\\\x01\xff";
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    size_t len = (seed = seed * 1103515245 + 12345) % 40;
    for (size_t j = 0; j < len; ++j) s += alphabet[(seed = seed * 1103515245 + 12345) % alphabet.size()];
    auto r = Guard::Parse(s);
    if (auto* g = std::get_if<Guard>(&r)) {
      Json empty = Json::object();
      GuardContext ctx{&empty, &empty, &empty};
      (void)g->Evaluate(ctx);
    }
  }
}

TEST(GuardParseTest, ValueExpressions) {
  EXPECT_TRUE(std::holds_alternative<Guard>(Guard::ParseValue("event.porteur")));
  EXPECT_TRUE(std::holds_alternative<Guard>(Guard::ParseValue("'texte'")));
  EXPECT_TRUE(std::holds_alternative<Guard>(Guard::ParseValue("event")));
  EXPECT_FALSE(std::holds_alternative<Guard>(Guard::ParseValue("exists(event.x)")));
  EXPECT_FALSE(std::holds_alternative<Guard>(Guard::ParseValue("event.x == 1")));
}

}  // namespace
}  // namespace relais::workflow
