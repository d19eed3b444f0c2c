// Randomised command sequences (seeded, reproducible) against an invariant
// checker, on the repository's workflows. Whatever the commands, a project is
// always in a defined phase, its state fields match the state schema,
// refusals change nothing, terminal phases accept only what the file lists
// there, and replaying the history rebuilds the state.
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "engine/workflow/graph_checks.h"
#include "engine/workflow/json_schema.h"
#include "tests/workflow/project_driver.h"

namespace relais::workflow {
namespace {

using testing::AsDecision;
using testing::AsRefusal;
using testing::Describe;

constexpr int kStepsPerSeed = 3000;
constexpr int kSeeds = 3;

class CommandGenerator {
 public:
  CommandGenerator(const WorkflowDefinition& def, uint32_t seed) : def_(def), rng_(seed) {}

  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  // A value for `schema`, valid most of the time.
  Json ValueFor(const Json& schema, int depth = 0) {
    if (auto it = schema.find("enum"); it != schema.end() && it->is_array() && !it->empty())
      return (*it)[Pick(it->size())];
    auto types = SchemaTypes(schema);
    std::string type = types.empty() ? "string" : types[Pick(types.size())];
    if (type == "string") {
      static const std::vector<std::string> kWords = {"Fresnes", "Orly", "CCAS", "convention 2004", "2004-09-01", "x"};
      return kWords[Pick(kWords.size())];
    }
    if (type == "integer") return static_cast<int64_t>(Pick(50));
    if (type == "number") return static_cast<double>(Pick(100000)) / 10.0;
    if (type == "boolean") return Chance(0.5);
    if (type == "null") return nullptr;
    if (type == "array") {
      Json out = Json::array();
      auto items = schema.find("items");
      for (size_t i = Pick(3); i > 0 && depth < 4; --i)
        out.push_back(items != schema.end() ? ValueFor(*items, depth + 1) : Json("x"));
      return out;
    }
    Json out = Json::object();
    std::set<std::string> required;
    if (auto it = schema.find("required"); it != schema.end())
      for (const auto& r : *it) required.insert(r.get<std::string>());
    if (auto props = schema.find("properties"); props != schema.end() && depth < 4)
      for (const auto& [k, v] : props->items())
        if (required.count(k) || Chance(0.5)) out[k] = ValueFor(v, depth + 1);
    return out;
  }

  // Sometimes break valid data: drop a field, add one, change a type.
  Json Mutate(Json data) {
    if (!data.is_object() || !Chance(0.1)) return data;
    switch (Pick(3)) {
      case 0:
        if (!data.empty()) data.erase(data.begin());
        break;
      case 1: data["inattendu"] = 1; break;
      default:
        if (!data.empty()) data.begin().value() = Json::array({1, 2});
    }
    return data;
  }

  std::vector<std::string> Roles() {
    std::vector<std::string> roles;
    for (const auto& r : def_.roles)
      if (r != "system" && Chance(0.3)) roles.push_back(r);
    return roles;
  }

  // Mostly events the current phase accepts, so the walk goes deep; the
  // rest exercise refusals.
  Command Next(const ProjectState& state) {
    Command c;
    if (Chance(0.02)) {
      c.event_type = "inconnu";
      return c;
    }
    std::vector<const EventType*> fitting;
    for (const auto& e : def_.events) {
      auto allowed = PhasesAllowing(def_, e);
      if (std::find(allowed.begin(), allowed.end(), state.phase) != allowed.end()) fitting.push_back(&e);
    }
    const EventType& e =
        !fitting.empty() && Chance(0.7) ? *fitting[Pick(fitting.size())] : def_.events[Pick(def_.events.size())];
    c.event_type = e.type;
    c.data = Mutate(ValueFor(e.schema));
    c.actor_roles = Roles();
    if (Chance(0.6)) c.actor_roles.push_back(e.roles[Pick(e.roles.size())]);
    return c;
  }

 private:
  const WorkflowDefinition& def_;
  std::mt19937 rng_;
};

class InvariantChecker {
 public:
  explicit InvariantChecker(const WorkflowDefinition& def) : def_(def) {}

  void CheckState(const ProjectState& s) {
    if (!s.created) return;
    const Phase* phase = def_.FindPhase(s.phase);
    ASSERT_NE(phase, nullptr) << "undefined phase " << s.phase;
    auto violations = ValidateJson(def_.state_schema, s.fields);
    ASSERT_TRUE(violations.empty()) << violations[0].path << ": " << violations[0].message;
    // Fixed tracks: exactly the phase's, each on one of its steps.
    std::set<std::string> expected_tracks;
    for (const auto& t : phase->tracks)
      if (!t.keyed()) expected_tracks.insert(t.id);
    std::set<std::string> tracks;
    for (const auto& [id, step] : s.tracks) {
      tracks.insert(id);
      bool known_step = false;
      for (const auto& t : phase->tracks)
        if (t.id == id && !t.keyed()) known_step = std::find(t.steps.begin(), t.steps.end(), step) != t.steps.end();
      ASSERT_TRUE(known_step) << id << "=" << step;
    }
    ASSERT_EQ(tracks, expected_tracks);
    // Keyed tracks: the phase's own, or kept ones (keep: true) of phases
    // left; every key on one of the track's steps.
    for (const auto& [id, keys] : s.keyed_tracks) {
      const Track* track = nullptr;
      bool of_this_phase = false;
      for (const auto& p : def_.phases)
        for (const auto& t : p.tracks)
          if (t.id == id && t.keyed()) {
            track = &t;
            of_this_phase |= p.id == s.phase;
          }
      ASSERT_NE(track, nullptr) << "undeclared keyed track " << id;
      ASSERT_TRUE(of_this_phase || track->keep) << id << " outlived its phase without keep: true";
      for (const auto& [key, step] : keys)
        ASSERT_TRUE(std::find(track->steps.begin(), track->steps.end(), step) != track->steps.end())
            << id << "[" << key << "]=" << step;
    }
    for (const auto& [id, armed_in] : s.armed_timers) ASSERT_NE(def_.FindTimer(id), nullptr) << id;
    if (phase->terminal) {
      ASSERT_TRUE(s.armed_timers.empty() || AnyTimerArmsIn(s.phase));
    }
  }

  void CheckStep(const ProjectState& before, const Command& c, const DecisionOrRefusal& r) {
    if (const Refusal* refusal = AsRefusal(r)) {
      ASSERT_FALSE(refusal->message.empty());
      ASSERT_TRUE(refusal->details.is_object());
      ++refusals_[std::string(RefusalCodeName(refusal->code))];
      return;
    }
    const Decision& d = std::get<Decision>(r);
    ++accepted_;
    const EventType* e = def_.FindEvent(c.event_type);
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(d.events.size(), 1u);
    ASSERT_EQ(d.next.event_count, before.event_count + 1);
    // The runtime's path: the same events without the fold, folded in place.
    auto change = DecideChange(def_, before, c);
    const Decision* changed = std::get_if<Decision>(&change);
    ASSERT_NE(changed, nullptr);
    ASSERT_EQ(changed->events, d.events);
    ProjectState in_place = before;
    ASSERT_TRUE(ApplyEventInPlace(def_, in_place, changed->events[0]).ok());
    ASSERT_EQ(in_place, d.next);
    for (const auto& t : def_.timers)
      ASSERT_EQ(ArmedAfter(before, *changed, t.id), d.next.armed_timers.count(t.id) > 0) << t.id;
    const Phase* from = def_.FindPhase(before.phase);
    if (from->terminal) {
      ASSERT_NE(std::find(e->phases.begin(), e->phases.end(), before.phase), e->phases.end())
          << c.event_type << " accepted in terminal phase " << before.phase;
    }
    auto allowed = PhasesAllowing(def_, *e);
    ASSERT_NE(std::find(allowed.begin(), allowed.end(), before.phase), allowed.end());
    if (before.suspended) {
      ASSERT_TRUE(e->allowed_while_suspended) << c.event_type;
    }
    bool role_ok = false;
    for (const auto& role : c.actor_roles)
      role_ok = role_ok || std::find(e->roles.begin(), e->roles.end(), role) != e->roles.end();
    ASSERT_TRUE(role_ok);
    if (d.next.phase != before.phase) {
      bool declared = false;
      for (const auto& t : e->transitions) declared = declared || (t.to && *t.to == d.next.phase);
      ASSERT_TRUE(declared) << c.event_type << ": " << before.phase << " -> " << d.next.phase;
      ++phase_changes_;
    }
  }

  bool AnyTimerArmsIn(const std::string& phase) const {
    for (const auto& t : def_.timers)
      if (t.on_enter_phase == phase) return true;
    return false;
  }

  int accepted() const { return accepted_; }
  int phase_changes() const { return phase_changes_; }
  const std::map<std::string, int>& refusals() const { return refusals_; }

 private:
  const WorkflowDefinition& def_;
  int accepted_ = 0;
  int phase_changes_ = 0;
  std::map<std::string, int> refusals_;
};

// How much of a workflow a walk must exercise, so that it does not pass by
// only collecting refusals.
struct Exercise {
  int min_accepted = kStepsPerSeed / 10;
  size_t min_phases = 4;
};

// initial_fields: what every project is created with (a file's required state fields).
void RunRandomised(const std::string& file, uint32_t seed, const Json& initial_fields = Json::object(),
                   Exercise exercise = {}) {
  WorkflowDefinition def = testing::LoadRepoWorkflow(file);
  CommandGenerator gen(def, seed);
  InvariantChecker checker(def);
  auto driver = std::make_unique<testing::ProjectDriver>(def);
  int projects = 0;
  int steps_in_terminal = 0;
  std::set<std::string> phases_seen;
  for (int step = 0; step < kStepsPerSeed; ++step) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(step));
    if (!driver->state().created) {
      std::string phase = def.initial_phases[gen.Pick(def.initial_phases.size())];
      auto r = driver->Create(phase, initial_fields);
      ASSERT_TRUE(AsDecision(r)) << Describe(r);
      ++projects;
      continue;
    }
    ProjectState before = driver->state();
    size_t history_before = driver->history().size();
    DecisionOrRefusal r;
    if (!before.armed_timers.empty() && gen.Chance(0.05)) {
      auto it = before.armed_timers.begin();
      std::advance(it, gen.Pick(before.armed_timers.size()));
      const Timer* t = def.FindTimer(it->first);
      Command c{t->fires, Json::object(), {"system"}, t->id};
      r = Decide(def, before, c);
      // Deciding is pure: the same inputs give the same answer.
      ASSERT_EQ(Describe(r), Describe(Decide(def, before, c)));
      checker.CheckStep(before, c, r);
      r = driver->FireTimer(t->id);
    } else {
      Command c = gen.Next(before);
      r = driver->Fire(c.event_type, c.data, c.actor_roles);
      ASSERT_EQ(Describe(r), Describe(Decide(def, before, c)));
      checker.CheckStep(before, c, r);
    }
    if (AsRefusal(r)) {
      ASSERT_EQ(driver->state(), before) << "a refusal changed the state";
      ASSERT_EQ(driver->history().size(), history_before);
    }
    checker.CheckState(driver->state());
    phases_seen.insert(driver->state().phase);
    if (def.FindPhase(driver->state().phase)->terminal && ++steps_in_terminal > 20) {
      driver->ExpectReplayMatches();
      driver = std::make_unique<testing::ProjectDriver>(def);
      steps_in_terminal = 0;
    }
  }
  driver->ExpectReplayMatches();
  // The walk must actually exercise the workflow, not just collect refusals.
  EXPECT_GT(checker.accepted(), exercise.min_accepted);
  EXPECT_GT(checker.phase_changes(), 5);
  EXPECT_GT(projects, 1);
  EXPECT_GE(phases_seen.size(), exercise.min_phases);
  std::string summary;
  for (const auto& [code, n] : checker.refusals()) summary += code + "=" + std::to_string(n) + " ";
  std::cout << file << " seed " << seed << ": " << checker.accepted() << " accepted, " << checker.phase_changes()
            << " phase changes, " << projects << " projects, " << phases_seen.size()
            << " phases seen; refusals: " << summary << "\n";
}

TEST(RandomCommandsTest, CbeWorkflowKeepsItsInvariants) {
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) RunRandomised("workflows/cbe.yaml", seed);
}

TEST(RandomCommandsTest, ComiteWorkflowKeepsItsInvariants) {
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) RunRandomised("workflows/comite-propositions.yaml", seed);
}

TEST(RandomCommandsTest, ParcoursPersonneWorkflowKeepsItsInvariants) {
  for (uint32_t seed = 1; seed <= kSeeds; ++seed)
    RunRandomised("workflows/parcours-personne.yaml", seed, {{"reference", "ML-0001"}, {"prescripteur", "ml-orly"}},
                  // A short method: projects end fast and the walk starts new ones.
                  Exercise{kStepsPerSeed / 20, 4});
}

TEST(RandomCommandsTest, TourDeTableWorkflowKeepsItsInvariants) {
  for (uint32_t seed = 1; seed <= kSeeds; ++seed)
    RunRandomised("workflows/tour-de-table-financeurs.yaml", seed, {{"budget", 1}},
                  // Random events rarely gather letters, funders and answers before
                  // "non_financement" ends a round: three phases is what the walk reaches.
                  Exercise{kStepsPerSeed / 10, 3});
}

}  // namespace
}  // namespace relais::workflow
