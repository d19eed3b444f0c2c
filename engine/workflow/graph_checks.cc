#include "engine/workflow/graph_checks.h"

#include <deque>

namespace relais::workflow {

std::vector<std::string> PhasesAllowing(const WorkflowDefinition& def, const EventType& event) {
  std::vector<std::string> out;
  for (const auto& p : def.phases) {
    bool listed = false;
    for (const auto& id : event.phases) listed = listed || id == p.id;
    if (listed || (event.any_open_phase && !p.terminal)) out.push_back(p.id);
  }
  return out;
}

namespace {

// Phases reachable in one event from `from`.
std::set<std::string> Successors(const WorkflowDefinition& def, const std::string& from) {
  std::set<std::string> out;
  for (const auto& e : def.events) {
    bool allowed = false;
    for (const auto& p : PhasesAllowing(def, e)) allowed = allowed || p == from;
    if (!allowed) continue;
    for (const auto& t : e.transitions)
      if (t.to && *t.to != from) out.insert(*t.to);
  }
  return out;
}

}  // namespace

std::set<std::string> ReachablePhases(const WorkflowDefinition& def) {
  std::set<std::string> seen(def.initial_phases.begin(), def.initial_phases.end());
  std::deque<std::string> queue(def.initial_phases.begin(), def.initial_phases.end());
  while (!queue.empty()) {
    std::string p = queue.front();
    queue.pop_front();
    for (const auto& next : Successors(def, p))
      if (seen.insert(next).second) queue.push_back(next);
  }
  return seen;
}

void CheckPhaseGraph(const WorkflowDefinition& def, Diagnostics& diagnostics) {
  if (def.initial_phases.empty()) return;  // already reported
  std::set<std::string> reachable = ReachablePhases(def);
  for (const auto& p : def.phases) {
    if (!reachable.count(p.id)) {
      diagnostics.Error(p.location, "unreachable-phase", "phase '" + p.id + "' can not be reached",
                        "no initial phase and no transition leads to it",
                        "a transition 'to: " + p.id + "' from a reachable phase, or '" + p.id + "' under initial",
                        "add it to initial (projects may start there) or add a transition to it");
      continue;
    }
    if (!p.terminal && Successors(def, p.id).empty()) {
      diagnostics.Warning(p.location, "dead-end", "phase '" + p.id + "' is not terminal but has no way out",
                          "no event allowed in it leads to another phase",
                          "a transition leaving '" + p.id + "', or 'terminal: true'",
                          "projects reaching it stay there forever");
    }
  }
}

}  // namespace relais::workflow
