// Timers of issue 15: `every:`, `at:` from an event or state field and
// `on_suspend:`, loaded (with located diagnostics), decided and folded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/util/time_format.h"
#include "engine/workflow/loader.h"
#include "engine/workflow/project_state.h"
#include "tests/workflow/workflow_test_util.h"

namespace relais::workflow {
namespace {

using testing::AsDecision;
using testing::AsRefusal;
using testing::Describe;
using ::testing::HasSubstr;

constexpr const char* kFile = "tests/workflow/testdata/timers_revue.yaml";

std::string Source() { return testing::ReadFile(testing::SourcePath(kFile)); }

// The file with `from` replaced by `to` (which must occur once).
std::string Edited(const std::string& from, const std::string& to) {
  std::string text = Source();
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The one error of loading text, as written for people.
std::string OnlyError(const std::string& text) {
  LoadResult r = LoadWorkflowWithDiagnostics(text, "timers_revue.yaml");
  EXPECT_FALSE(r.definition.has_value());
  std::string out;
  size_t errors = 0;
  for (const Diagnostic& d : r.diagnostics.items())
    if (d.severity == Severity::kError) {
      ++errors;
      out += d.ToString();
    }
  EXPECT_EQ(errors, 1u) << out;
  return out;
}

TEST(TimerLoaderTest, ReadsEveryAtFieldsAndSuspensionPolicies) {
  WorkflowDefinition def = testing::LoadRepoWorkflow(kFile);
  const Timer* revue = def.FindTimer("revue");
  ASSERT_NE(revue, nullptr);
  EXPECT_EQ(revue->kind, TimerKind::kRepeat);
  EXPECT_EQ(revue->after.ToString(), "P18M");
  EXPECT_EQ(revue->times_per_year, 0);
  EXPECT_EQ(revue->on_suspend, TimerSuspendPolicy::kPause);
  EXPECT_EQ(def.FindTimer("rappel_comite")->at_field, "event.date_comite");
  EXPECT_EQ(def.FindTimer("rappel_comite")->on_suspend, TimerSuspendPolicy::kCancel);
  EXPECT_EQ(def.FindTimer("fin_proche")->at_field, "state.date_fin");
  EXPECT_EQ(def.FindTimer("fin_proche")->on_suspend, TimerSuspendPolicy::kKeep);
  // The canonical form carries them, so they are part of the version id.
  Json canonical = CanonicalJson(def);
  EXPECT_EQ(canonical["timers"][0]["every"], "P18M");
  EXPECT_EQ(canonical["timers"][0]["on_suspend"], "pause");
  EXPECT_EQ(canonical["timers"][1]["at"], "event.date_comite");
  EXPECT_FALSE(canonical["timers"][3].contains("on_suspend"));  // keep, the default, is not written
}

TEST(TimerLoaderTest, ADatePatternThroughARefIsADate) {
  auto def = LoadWorkflow(Edited("at: state.date_fin", "at: state.date_bilan"), "t.yaml");
  ASSERT_TRUE(def.ok()) << def.status();
  EXPECT_EQ(def->FindTimer("fin_proche")->at_field, "state.date_bilan");
}

TEST(TimerLoaderTest, BadPeriodsAreLocatedWithAHint) {
  std::string e = OnlyError(Edited("every: P18M", "every: 18 months"));
  EXPECT_THAT(e, HasSubstr("timers_revue.yaml:73:12: error[bad-duration]: bad period"));
  EXPECT_THAT(e, HasSubstr("found '18 months'"));
  EXPECT_THAT(e, HasSubstr("P18M"));
  EXPECT_THAT(OnlyError(Edited("every: P18M", "every: P0D")), HasSubstr("period must be positive"));
  EXPECT_THAT(OnlyError(Edited("every: P18M", "every: P18M\n    after: P1M")),
              HasSubstr("exactly one of after, at, every, times_per_year"));
}

TEST(TimerLoaderTest, AnUnknownSuspensionPolicySuggestsTheNearestOne) {
  std::string e = OnlyError(Edited("on_suspend: pause", "on_suspend: pauze"));
  EXPECT_THAT(e, HasSubstr(":77:17: error[bad-value]: unknown suspension policy of timer 'revue'"));
  EXPECT_THAT(e, HasSubstr("expected keep, pause or cancel"));
  EXPECT_THAT(e, HasSubstr("did you mean 'pause'?"));
}

TEST(TimerLoaderTest, AtFieldsMustBeDeclaredDates) {
  std::string undeclared = OnlyError(Edited("at: event.date_comite", "at: event.date_comit"));
  EXPECT_THAT(undeclared, HasSubstr(":80:9: error[bad-date-field]: field 'date_comit' is not declared in the data "
                                    "of 'comite_fixe'"));
  EXPECT_THAT(undeclared, HasSubstr("did you mean 'date_comite'?"));

  std::string not_a_date = OnlyError(Edited("at: state.date_fin", "at: state.note"));
  EXPECT_THAT(not_a_date, HasSubstr("field 'note' is not declared as a date in the state"));
  EXPECT_THAT(not_a_date, HasSubstr("format: date"));

  std::string from_phase = OnlyError(Edited("at: event.date_comite\n    armed_on: {event: comite_fixe}",
                                            "at: event.date_comite\n    armed_on: {phase: actif}"));
  EXPECT_THAT(from_phase, HasSubstr("needs the event that arms the timer"));
  EXPECT_THAT(from_phase, HasSubstr("hint: a timer armed on entering a phase reads its date from the state"));

  EXPECT_THAT(OnlyError(Edited("at: state.date_fin", "at: state.date_fin.jour")), HasSubstr("'at' names no field"));
  EXPECT_THAT(OnlyError(Edited("at: state.date_fin", "at: 2004-02-30")), HasSubstr("error[bad-date]"));
}

// --- Deciding and folding ----------------------------------------------------

class TimerDecisionTest : public ::testing::Test {
 protected:
  TimerDecisionTest() : def_(testing::LoadRepoWorkflow(kFile)) {
    auto d = DecideCreate(def_, {}, CreateCommand{"", Json::object(), {"coordinator"}});
    EXPECT_NE(AsDecision(d), nullptr) << Describe(d);
    if (AsDecision(d)) state_ = AsDecision(d)->next;
  }

  // Decides and folds; fails the test on a refusal.
  Decision Accept(const std::string& type, Json data = Json::object(),
                  std::optional<std::string> fired_by = std::nullopt) {
    Command c{type, std::move(data), {"coordinator"}, std::move(fired_by)};
    if (c.fired_by_timer) c.actor_roles = {"system"};
    auto d = Decide(def_, state_, c);
    const Decision* decision = AsDecision(d);
    EXPECT_NE(decision, nullptr) << type << ": " << Describe(d);
    if (!decision) return {};
    state_ = decision->next;
    return *decision;
  }

  WorkflowDefinition def_;
  ProjectState state_;
};

TEST_F(TimerDecisionTest, CreationArmsTheRepeatingReviewAndTheReminder) {
  EXPECT_EQ(state_.armed_timers, (std::map<std::string, std::string>{{"relance", "actif"}, {"revue", "actif"}}));
  auto d = DecideCreate(def_, {}, CreateCommand{"", Json::object(), {"coordinator"}});
  const auto& arm = AsDecision(d)->arm;
  auto revue = std::find_if(arm.begin(), arm.end(), [](const TimerToArm& a) { return a.timer_id == "revue"; });
  ASSERT_NE(revue, arm.end());
  EXPECT_EQ(revue->kind, TimerKind::kRepeat);
  EXPECT_EQ(revue->delay.ToString(), "P18M");
}

TEST_F(TimerDecisionTest, ARepeatingTimerStaysArmedWhenItFires) {
  Decision d = Accept("revue_due", {}, "revue");
  EXPECT_TRUE(d.events[0].effects.timers.fired.empty());
  EXPECT_TRUE(state_.armed_timers.count("revue"));
  Decision again = Accept("revue_due", {}, "revue");
  EXPECT_TRUE(state_.armed_timers.count("revue"));
}

TEST_F(TimerDecisionTest, AtFromTheEventOrTheStateResolvesTheDate) {
  Decision comite = Accept("comite_fixe", {{"date_comite", "2027-03-15"}});
  ASSERT_EQ(comite.arm.size(), 1u);
  EXPECT_EQ(comite.arm[0].kind, TimerKind::kAt);
  EXPECT_EQ(comite.arm[0].at, "2027-03-15");
  // state.date_fin is read after the event's own set:.
  Decision fin = Accept("fin_fixee", {{"date_fin", "2028-12-31"}});
  ASSERT_EQ(fin.arm.size(), 1u);
  EXPECT_EQ(fin.arm[0].at, "2028-12-31");
}

TEST_F(TimerDecisionTest, AMissingOrInvalidDateRefusesTheArmingCommand) {
  auto missing = Decide(def_, state_, Command{"fin_fixee", Json::object(), {"coordinator"}});
  const Refusal* r = AsRefusal(missing);
  ASSERT_NE(r, nullptr) << Describe(missing);
  EXPECT_EQ(RefusalCodeName(r->code), "timer_date_invalid");
  EXPECT_EQ(r->details["timer"], "fin_proche");
  EXPECT_EQ(r->details["field"], "state.date_fin");
  EXPECT_THAT(r->message, HasSubstr("state.date_fin is missing"));

  auto invalid = Decide(def_, state_, Command{"fin_fixee", {{"date_fin", "31/12/2028"}}, {"coordinator"}});
  ASSERT_NE(AsRefusal(invalid), nullptr) << Describe(invalid);
  EXPECT_EQ(AsRefusal(invalid)->details["value"], "31/12/2028");
  EXPECT_THAT(AsRefusal(invalid)->message, HasSubstr("is not a date YYYY-MM-DD"));
  auto not_a_day = Decide(def_, state_, Command{"comite_fixe", {{"date_comite", "2027-02-30"}}, {"coordinator"}});
  ASSERT_NE(AsRefusal(not_a_day), nullptr) << Describe(not_a_day);
  EXPECT_EQ(AsRefusal(not_a_day)->code, RefusalCode::kTimerDateInvalid);
}

TEST_F(TimerDecisionTest, SuspensionPausesCancelsOrKeepsEachTimerAsDeclared) {
  Accept("comite_fixe", {{"date_comite", "2027-03-15"}});
  Decision suspend = Accept("periode_electorale");
  const TimerEffects& t = suspend.events[0].effects.timers;
  EXPECT_EQ(t.paused, (std::map<std::string, int64_t>{{"revue", 0}}));  // the runtime writes the time left
  EXPECT_EQ(t.cancelled, std::vector<std::string>{"rappel_comite"});
  EXPECT_EQ(suspend.pause, std::vector<std::string>{"revue"});
  EXPECT_EQ(suspend.cancel, std::vector<std::string>{"rappel_comite"});
  EXPECT_TRUE(state_.armed_timers.count("revue"));  // paused, still armed
  EXPECT_TRUE(state_.paused_timers.count("revue"));
  EXPECT_TRUE(state_.armed_timers.count("relance"));  // keep
  EXPECT_FALSE(state_.armed_timers.count("rappel_comite"));

  // A paused timer does not fire: a firing in flight is stale.
  auto stale = Decide(def_, state_, Command{"revue_due", Json::object(), {"system"}, "revue"});
  ASSERT_NE(AsRefusal(stale), nullptr) << Describe(stale);
  EXPECT_EQ(AsRefusal(stale)->code, RefusalCode::kTimerNotArmed);

  Decision resume = Accept("reprise");
  EXPECT_EQ(resume.events[0].effects.timers.resumed, std::vector<std::string>{"revue"});
  ASSERT_EQ(resume.resume.size(), 1u);
  EXPECT_EQ(resume.resume[0].timer_id, "revue");
  EXPECT_EQ(resume.resume[0].delay.ToString(), "P18M");
  EXPECT_TRUE(state_.paused_timers.empty());
  EXPECT_TRUE(state_.armed_timers.count("revue"));
}

TEST_F(TimerDecisionTest, ClosingCancelsPausedTimersToo) {
  Accept("periode_electorale");
  auto close = Decide(def_, state_, Command{"cloture", Json::object(), {"coordinator"}});
  EXPECT_EQ(AsRefusal(close)->code, RefusalCode::kSuspended);
  Accept("reprise");
  Accept("periode_electorale");
  state_.suspended = false;  // (a project resumed by a later version of the file, say)
  Decision closed = Accept("cloture");
  EXPECT_TRUE(state_.armed_timers.empty());
  EXPECT_TRUE(state_.paused_timers.empty());
  EXPECT_TRUE(state_.timer_due.empty());
}

TEST(TimerEffectsTest, DueTimesAndTimeLeftRoundTripAndOlderEventsStillRead) {
  Effects e;
  e.timers.armed = {{"revue", "actif"}};
  e.timers.paused = {{"revue", 3600}};
  e.timers.resumed = {"x"};
  e.timers.due = {{"relance", *ParseIso8601("2027-01-02T03:04:05Z")}};
  Json j = e.ToJson();
  EXPECT_EQ(j["timers"]["due"]["relance"], "2027-01-02T03:04:05.000000Z");
  EXPECT_EQ(j["timers"]["paused"]["revue"], 3600);
  auto back = Effects::FromJson(j);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, e);
  // What earlier versions wrote reads as before.
  auto old = Effects::FromJson(Json::parse(R"({"timers": {"armed": {"revue": "actif"}, "fired": ["x"]}})"));
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->timers.due.empty());
  EXPECT_TRUE(old->timers.paused.empty());
  EXPECT_FALSE(Effects::FromJson(Json::parse(R"({"timers": {"due": {"x": "tomorrow"}}})")).ok());
  EXPECT_FALSE(Effects::FromJson(Json::parse(R"({"timers": {"paused": {"x": "1h"}}})")).ok());
}

TEST(TimerEffectsTest, TheFoldKeepsDueTimesAndPausesAndTheSnapshotCarriesThem) {
  WorkflowDefinition def = testing::LoadRepoWorkflow(kFile);
  const TimePoint due = *ParseIso8601("2028-01-01T00:00:00Z");
  RecordedEvent created{"project_created", {{"phase", "actif"}, {"fields", Json::object()}}, {}};
  created.effects.phase = PhaseChange{std::nullopt, "actif"};
  created.effects.timers.armed = {{"revue", "actif"}, {"relance", "actif"}};
  created.effects.timers.due = {{"revue", due}, {"relance", due}, {"not_armed", due}};
  RecordedEvent suspended{"periode_electorale", Json::object(), {}};
  suspended.effects.suspended = true;
  suspended.effects.timers.paused = {{"revue", 86400}};
  auto s = Replay(def, {created, suspended});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->timer_due, (std::map<std::string, TimePoint>{{"relance", due}}));
  EXPECT_EQ(s->paused_timers, (std::map<std::string, int64_t>{{"revue", 86400}}));
  auto snapshot = ProjectState::FromJson(s->ToJson());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(*snapshot, *s);
  // A snapshot written before due times were kept still reads.
  Json old = s->ToJson();
  old.erase("timer_due");
  old.erase("paused_timers");
  auto older = ProjectState::FromJson(old);
  ASSERT_TRUE(older.ok());
  EXPECT_TRUE(older->timer_due.empty());
}

}  // namespace
}  // namespace relais::workflow
