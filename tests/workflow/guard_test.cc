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

TEST_F(GuardEvalTest, ExplainingFailureObservesOnlyWhatFails) {
  GuardContext ctx{&state_, &event_, &project_};
  for (const char* text : {"exists(state.absent) and state.montant > 2000", "state.montant > 0",
                           "state.montant / 0 > 1", "not exists(state.montant)"}) {
    Guard g = MustParse(text);
    GuardResult full = g.Evaluate(ctx);
    GuardResult lean = g.EvaluateExplainingFailure(ctx);
    EXPECT_EQ(lean.passed, full.passed) << text;
    EXPECT_EQ(lean.error.has_value(), full.error.has_value()) << text;
    if (full.error) {
      EXPECT_EQ(lean.error->message, full.error->message) << text;
    }
    if (full.passed)
      EXPECT_TRUE(lean.observed.empty()) << text;
    else
      EXPECT_EQ(lean.observed, full.observed) << text;
  }
}

TEST_F(GuardEvalTest, ALazyProjectViewIsBuiltOnItsFirstReadOnly) {
  int builds = 0;
  const LazyJson lazy([&] {
    ++builds;
    return project_;
  });
  GuardContext ctx{&state_, &event_, nullptr, nullptr, nullptr, &lazy};
  EXPECT_TRUE(MustParse("state.montant > 0").Evaluate(ctx).passed);
  EXPECT_EQ(builds, 0);
  EXPECT_TRUE(MustParse("project.tracks.partenaires == 'mobilises' and project.phase == 'etude'").Evaluate(ctx).passed);
  EXPECT_FALSE(MustParse("project.suspended").Evaluate(ctx).passed);
  EXPECT_EQ(builds, 1);
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

// Arithmetic, aggregates, membership in a list field and the actor.
class ExpressionTest : public ::testing::Test {
 protected:
  GuardContext Ctx() { return GuardContext{&state_, &event_, &project_, &actor_}; }
  bool Eval(std::string_view text) {
    GuardResult r = MustParse(text).Evaluate(Ctx());
    EXPECT_FALSE(r.error) << text << ": " << r.error->message;
    return r.passed;
  }
  Json Value(std::string_view text) {
    auto parsed = Guard::ParseValue(text);
    if (auto* e = std::get_if<GuardParseError>(&parsed)) {
      ADD_FAILURE() << text << ": " << e->message;
      return nullptr;
    }
    ValueResult r = std::get<Guard>(parsed).EvaluateValue(Ctx());
    EXPECT_FALSE(r.error) << text << ": " << r.error->message;
    return r.value;
  }
  ExpressionError Error(std::string_view text) {
    auto parsed = Guard::ParseValue(text);
    if (auto* e = std::get_if<GuardParseError>(&parsed)) {
      ADD_FAILURE() << text << ": " << e->message;
      return {};
    }
    ValueResult r = std::get<Guard>(parsed).EvaluateValue(Ctx());
    EXPECT_TRUE(r.value.is_null());
    if (!r.error) {
      ADD_FAILURE() << "expected an error for " << text << ", got " << DumpJson(r.value);
      return {};
    }
    return *r.error;
  }

  Json state_ = {{"total", 1000},
                 {"plafond", 5000},
                 {"nb_personnes", 0},
                 {"taux", 0.5},
                 {"enorme", 1e308},
                 {"nom", "Asso"},
                 {"grand", 9223372036854775807LL},
                 {"financements", Json::array({{{"financeur", "region"}, {"montant", 1200}},
                                               {{"financeur", "etat"}, {"montant", 800}},
                                               {{"financeur", "ville"}}})},
                 {"lettres", Json::array({{{"type", "soutien"}}, {{"type", "soutien"}}, {{"type", "reserve"}}})},
                 {"notes", Json::array({12, 7.5, 15})},
                 {"vide", Json::array()},
                 {"financeurs", Json::array({"region", "etat"})}};
  Json event_ = {{"montant", 300}, {"zero", 0}};
  Json project_ = {{"phase", "etude"}};
  std::vector<std::string> roles_ = {"partner", "financeur"};
  ActorView actor_{"alice", std::string_view("region"), &roles_};
};

TEST_F(ExpressionTest, ArithmeticPrecedenceAndIntegers) {
  EXPECT_EQ(Value("1 + 2 * 3"), 7);
  EXPECT_EQ(Value("(1 + 2) * 3"), 9);
  EXPECT_EQ(Value("10 - 4 - 3"), 3);  // left to right
  EXPECT_EQ(Value("2 * 3 - 1"), 5);
  EXPECT_EQ(Value("-2 * 3"), -6);
  EXPECT_EQ(Value("-(2 + 3)"), -5);
  EXPECT_EQ(Value("5 -3"), 2);  // a minus after a value is the operator
  EXPECT_EQ(Value("6 / 3"), 2);
  EXPECT_TRUE(Value("6 / 3").is_number_integer());
  EXPECT_EQ(Value("7 / 2"), 3.5);
  EXPECT_EQ(Value("state.total + event.montant"), 1300);
  EXPECT_EQ(Value("state.total * state.taux"), 500.0);
  EXPECT_TRUE(Eval("state.total + event.montant <= state.plafond"));
  EXPECT_FALSE(Eval("state.total + event.montant * 20 <= state.plafond"));
  EXPECT_TRUE(Eval("-state.total < 0 and not (event.montant in [-1, 2]) and -1 in [-1, 2]"));
}

TEST_F(ExpressionTest, ProjectionAndAggregates) {
  EXPECT_EQ(Value("sum(state.financements.montant)"), 2000);
  EXPECT_EQ(Value("min(state.financements.montant)"), 800);
  EXPECT_EQ(Value("max(state.notes)"), 15);
  EXPECT_EQ(Value("min(state.notes)"), 7.5);
  EXPECT_EQ(Value("sum(state.notes)"), 34.5);
  EXPECT_EQ(Value("count(state.financements.montant)"), 2);  // the item without montant is skipped
  EXPECT_EQ(Value("sum(state.vide)"), 0);
  EXPECT_EQ(Value("min(state.vide)"), nullptr);
  EXPECT_EQ(Value("max(state.absent)"), nullptr);
  EXPECT_FALSE(Eval("min(state.vide) < 10"));  // null compares with nothing
  EXPECT_FALSE(Eval("min(state.vide) >= 10"));
  EXPECT_TRUE(Eval("sum(state.financements.montant) + event.montant > 2200"));
  EXPECT_EQ(ResolvePath({"state", "financements", "financeur"}, Ctx()), Json::array({"region", "etat", "ville"}));
}

TEST_F(ExpressionTest, ConditionsOverItems) {
  EXPECT_EQ(Value("count(state.lettres, item.type == 'soutien')"), 2);
  EXPECT_TRUE(Eval("count(state.lettres, item.type == 'soutien') >= 2"));
  EXPECT_FALSE(Eval("count(state.lettres, item.type == 'soutien') >= 3"));
  EXPECT_TRUE(Eval("any(state.financements, item.montant > 1000)"));
  EXPECT_FALSE(Eval("all(state.financements, exists(item.montant))"));
  EXPECT_TRUE(Eval("all(state.vide, item > 0)"));   // all over nothing holds
  EXPECT_FALSE(Eval("any(state.vide, item > 0)"));  // any over nothing does not
  EXPECT_TRUE(Eval("all(state.notes, item >= 7)"));
  EXPECT_TRUE(Eval("any(state.financements, item.financeur == actor.partner)"));
  // Nested: the innermost item.
  EXPECT_EQ(Value("count(state.financements, any(state.lettres, item.type == 'reserve'))"), 3);
}

TEST_F(ExpressionTest, MembershipInAListField) {
  EXPECT_TRUE(Eval("actor.partner in state.financeurs"));
  EXPECT_TRUE(Eval("'financeur' in actor.roles"));
  EXPECT_FALSE(Eval("'admin' in actor.roles"));
  EXPECT_TRUE(Eval("'ville' in state.financements.financeur"));
  EXPECT_FALSE(Eval("'region' in state.absent"));
  EXPECT_FALSE(Eval("'A' in state.nom"));  // not a list: false, never an error
  EXPECT_TRUE(Eval("actor.subject == 'alice'"));
}

TEST_F(ExpressionTest, ActorPathsAreNullWithoutActor) {
  GuardContext ctx{&state_, &event_, &project_};
  GuardResult r = MustParse("actor.partner == 'region'").Evaluate(ctx);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.observed.at("actor.partner"), nullptr);
  ActorView none{"bob", std::nullopt, nullptr};
  ctx.actor = &none;
  EXPECT_TRUE(MustParse("actor.partner == null and count(actor.roles) == 0").Evaluate(ctx).passed);
}

TEST_F(ExpressionTest, RunTimeErrorsNameTheExpressionAndValues) {
  ExpressionError e = Error("state.total / state.nb_personnes");
  EXPECT_EQ(e.message, "division by zero: state.total / state.nb_personnes (state.nb_personnes = 0)");
  EXPECT_EQ(e.column, 15);
  e = Error("state.total / (event.zero * 2.0)");
  EXPECT_EQ(e.message, "division by zero: state.total / (event.zero * 2.0) (event.zero * 2.0 = 0.0)");
  e = Error("state.grand + 1");
  EXPECT_EQ(e.message, "integer overflow: state.grand + 1 (state.grand = 9223372036854775807, 1 = 1)");
  e = Error("state.grand * -2");
  EXPECT_EQ(e.message.rfind("integer overflow: ", 0), 0u) << e.message;
  e = Error("state.total + event.absent");
  EXPECT_EQ(e.message, "null operand in arithmetic: state.total + event.absent (event.absent = null)");
  EXPECT_EQ(e.column, 15);
  e = Error("state.nom * 2");
  EXPECT_EQ(e.message, "operand is not a number: state.nom * 2 (state.nom = \"Asso\")");
  e = Error("sum(state.lettres)");
  EXPECT_EQ(e.message, "sum(state.lettres): item 1 is not a number ({\"type\":\"soutien\"})");
  e = Error("count(state.nom, item == 1)");
  EXPECT_EQ(e.message, "count(state.nom, item == 1) needs a list (state.nom = \"Asso\")");
  e = Error("-(-9223372036854775807 - 1)");
  EXPECT_EQ(e.message.rfind("integer overflow: ", 0), 0u) << e.message;
  e = Error("state.enorme * 10");
  EXPECT_EQ(e.message, "number out of range: state.enorme * 10 (state.enorme = 1e+308, 10 = 10)");
}

TEST_F(ExpressionTest, GuardErrorsFailTheGuardWithTheError) {
  GuardResult r = MustParse("state.total / state.nb_personnes > 10 or true").Evaluate(Ctx());
  EXPECT_FALSE(r.passed);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->column, 15);
  // Short-circuit: a branch not evaluated can not fail.
  EXPECT_TRUE(Eval("true or state.total / state.nb_personnes > 10"));
  // Inside an item condition.
  r = MustParse("any(state.notes, item / state.nb_personnes > 1)").Evaluate(Ctx());
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->message, "division by zero: item / state.nb_personnes (state.nb_personnes = 0)");
}

TEST_F(ExpressionTest, ObservedValuesIncludeAggregates) {
  GuardResult r = MustParse("sum(state.financements.montant) > 5000 and actor.partner == 'x'").Evaluate(Ctx());
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.observed.at("sum(state.financements.montant)"), 2000);
  r = MustParse("actor.partner == 'x'").Evaluate(Ctx());
  EXPECT_EQ(r.observed.at("actor.partner"), "region");
}

TEST(ExpressionParseTest, ErrorsCarryColumns) {
  auto e = MustFail("state.a + ");
  EXPECT_EQ(e.column, 11);
  EXPECT_EQ(e.message, "expected a value");
  e = MustFail("state.a * * 2");
  EXPECT_EQ(e.column, 11);
  e = MustFail("item.type == 'x'");
  EXPECT_EQ(e.column, 1);
  EXPECT_EQ(e.message, "'item' is only defined inside a condition over a list");
  e = MustFail("any(state.l)");
  EXPECT_EQ(e.column, 12);
  EXPECT_EQ(e.message, "any() needs a condition over each item");
  e = MustFail("sum(state.l, item > 1)");
  EXPECT_EQ(e.column, 12);
  EXPECT_EQ(e.message, "unbalanced parenthesis");
  e = MustFail("event.x in 'abc'");
  EXPECT_EQ(e.column, 12);
  EXPECT_EQ(e.message, "'in' needs a list");
  e = MustFail("foo.bar + 1 > 2");
  EXPECT_EQ(e.message, "unknown path root");
  e = MustFail("min state.l");
  EXPECT_EQ(e.column, 5);
  std::string chain = "1";
  for (int i = 0; i < 40; ++i) chain += " + 1";
  EXPECT_EQ(MustFail(chain + " > 1").message, "too many operators in a row");
  std::string negs(40, '-');
  EXPECT_EQ(MustFail(negs + "1 > 0").message, "expression nested too deeply");
}

TEST(ExpressionParseTest, ValueExpressionsMayCalculate) {
  EXPECT_TRUE(std::holds_alternative<Guard>(Guard::ParseValue("state.total + event.montant")));
  EXPECT_TRUE(std::holds_alternative<Guard>(Guard::ParseValue("sum(state.l.montant) / count(state.l)")));
  auto r = Guard::ParseValue("any(state.l, item > 1)");
  ASSERT_TRUE(std::holds_alternative<GuardParseError>(r));
  EXPECT_EQ(std::get<GuardParseError>(r).message, "a value must be a literal, a path or a calculation");
}

}  // namespace
}  // namespace relais::workflow
