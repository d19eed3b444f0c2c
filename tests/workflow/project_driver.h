// ProjectDriver: runs one project through the pure decision function the
// way the runtime would — decide, append the events, fold — and keeps the
// history so tests can check that replaying it rebuilds the same state.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/workflow/decision.h"
#include "tests/workflow/workflow_test_util.h"

namespace relais::workflow::testing {

class ProjectDriver {
 public:
  explicit ProjectDriver(const WorkflowDefinition& def) : def_(def) {}

  DecisionOrRefusal Create(const std::string& phase = "", Json fields = Json::object(),
                           std::vector<std::string> roles = {"coordinator"}) {
    return Record(DecideCreate(def_, state_, CreateCommand{phase, std::move(fields), std::move(roles)}));
  }

  DecisionOrRefusal Fire(const std::string& type, Json data = Json::object(),
                         std::vector<std::string> roles = {"coordinator"}) {
    return Record(Decide(def_, state_, Command{type, std::move(data), std::move(roles), std::nullopt}));
  }

  // A command with every field set by the test (actor subject, partner...).
  DecisionOrRefusal Send(Command command) { return Record(Decide(def_, state_, command)); }

  // The runtime's call when a due timer fires.
  DecisionOrRefusal FireTimer(const std::string& timer_id) {
    const Timer* t = def_.FindTimer(timer_id);
    std::string type = t ? t->fires : "unknown";
    return Record(Decide(def_, state_, Command{type, Json::object(), {"system"}, timer_id}));
  }

  const ProjectState& state() const { return state_; }
  const std::vector<RecordedEvent>& history() const { return history_; }
  const Decision& last_decision() const { return last_; }

  // Replaying the history gives the current state.
  void ExpectReplayMatches() const {
    auto replayed = Replay(def_, history_);
    ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
    EXPECT_EQ(replayed->ToJson(), state_.ToJson());
    // Snapshots round-trip.
    auto restored = ProjectState::FromJson(state_.ToJson());
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    EXPECT_EQ(*restored, state_);
  }

 private:
  DecisionOrRefusal Record(DecisionOrRefusal r) {
    if (const Decision* d = AsDecision(r)) {
      for (const auto& e : d->events) history_.push_back(e);
      state_ = d->next;
      last_ = *d;
    }
    return r;
  }

  const WorkflowDefinition& def_;
  ProjectState state_;
  std::vector<RecordedEvent> history_;
  Decision last_;
};

#define EXPECT_ACCEPTED(expr)                                                  \
  do {                                                                         \
    auto relais_r_ = (expr);                                                   \
    EXPECT_TRUE(::relais::workflow::testing::AsDecision(relais_r_) != nullptr) \
        << ::relais::workflow::testing::Describe(relais_r_);                   \
  } while (0)

}  // namespace relais::workflow::testing
