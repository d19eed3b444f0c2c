#include "engine/workflow/next_steps.h"

#include <algorithm>

#include "engine/workflow/graph_checks.h"
#include "engine/workflow/refusal_details.h"

namespace relais::workflow {
namespace {

bool ReadsEvent(const Guard& guard) {
  for (const GuardNode* node : guard.Paths())
    if (!node->path.empty() && node->path.front() == kEventRoot) return true;
  return false;
}

Json LabelsJson(const Labels& l, const std::string& id) {
  return {{"fr", l.fr.empty() ? id : l.fr}, {"en", l.en.empty() ? (l.fr.empty() ? id : l.fr) : l.en}};
}

}  // namespace

bool NextStep::ready() const {
  return std::all_of(conditions.begin(), conditions.end(), [](const StepCondition& c) { return c.on_record || c.met; });
}

std::vector<NextStep> NextSteps(const WorkflowDefinition& def, const ProjectState& state, const Json* children) {
  std::vector<NextStep> steps;
  const Phase* here = def.FindPhase(state.phase);
  if (!here || here->terminal) return steps;
  static const Json kNoData = Json::object();
  const LazyJson project([&state, children] {
    Json view = state.ProjectView();
    if (children) view["children"] = *children;
    return view;
  });
  GuardContext ctx{&state.fields, &kNoData, nullptr, nullptr, nullptr, &project};
  for (const EventType& event : def.events) {
    const std::vector<std::string> phases = PhasesAllowing(def, event);
    if (std::find(phases.begin(), phases.end(), state.phase) == phases.end()) continue;
    if (state.suspended && !event.allowed_while_suspended) continue;
    NextStep step;
    step.event = &event;
    for (const Transition& t : event.transitions)
      if (t.to && *t.to != state.phase && std::find(step.to.begin(), step.to.end(), *t.to) == step.to.end())
        step.to.push_back(*t.to);
    if (step.to.empty()) continue;
    for (const GuardClause& clause : event.preconditions) {
      StepCondition c;
      c.clause = &clause;
      c.on_record = ReadsEvent(clause.guard);
      if (!c.on_record) {
        GuardResult r = clause.guard.EvaluateExplainingFailure(ctx);
        c.met = r.passed;
        c.error = r.error;
        if (!r.passed) c.observed = std::move(r.observed);
      }
      step.conditions.push_back(std::move(c));
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

Json NextStepsJson(const WorkflowDefinition& def, const ProjectState& state, const std::vector<NextStep>& steps) {
  Json list = Json::array();
  for (const NextStep& s : steps) {
    Json to = Json::array();
    for (const std::string& phase : s.to) {
      const Phase* p = def.FindPhase(phase);
      to.push_back({{"phase", phase}, {"labels", p ? LabelsJson(p->labels, phase) : LabelsJson({}, phase)}});
    }
    Json conditions = Json::array();
    for (const StepCondition& c : s.conditions) {
      const Message& m = c.clause->message;
      Json j = {{"guard", c.clause->guard.source()},
                {"on_record", c.on_record},
                {"met", !c.on_record && c.met},
                {"messages", m.empty() ? Json(nullptr) : Json{{"fr", m.fr}, {"en", m.en}}},
                {"observed", Json::object()},
                {"at", RuleLocation(def, c.clause->location)}};
      for (const auto& [path, value] : c.observed) j["observed"][path] = value;
      if (c.error) j["error"] = c.error->message;
      conditions.push_back(std::move(j));
    }
    list.push_back({{"event", s.event->type},
                    {"labels", LabelsJson(s.event->labels, s.event->type)},
                    {"roles", s.event->roles},
                    {"to", to},
                    {"ready", s.ready()},
                    {"conditions", conditions}});
  }
  return {{"phase", state.phase}, {"suspended", state.suspended}, {"steps", list}};
}

}  // namespace relais::workflow
