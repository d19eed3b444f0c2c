#include "engine/workflow/migration.h"

namespace relais::workflow {

Status ValidatePhaseMapping(const WorkflowDefinition& old_def, const WorkflowDefinition& new_def,
                            const PhaseMapping& mapping, const std::set<std::string>& phases_in_use) {
  std::string problems;
  auto problem = [&](const std::string& p) { problems += (problems.empty() ? "" : "\n") + p; };
  for (const auto& [from, to] : mapping) {
    if (old_def.FindPhase(from) == nullptr)
      problem("mapping from '" + from + "': not a phase of " + old_def.name + " v" + std::to_string(old_def.version));
    if (new_def.FindPhase(to) == nullptr)
      problem("mapping to '" + to + "': not a phase of " + new_def.name + " v" + std::to_string(new_def.version));
  }
  for (const auto& used : phases_in_use) {
    if (old_def.FindPhase(used) == nullptr) {
      problem("phase in use '" + used + "' is not a phase of the old workflow");
      continue;
    }
    if (mapping.count(used) == 0 && new_def.FindPhase(used) == nullptr)
      problem("phase '" + used + "' has projects but is not mapped and no longer exists");
  }
  if (!problems.empty()) return InvalidArgument(problems);
  return Status::Ok();
}

std::string MapPhase(const PhaseMapping& mapping, const std::string& old_phase) {
  auto it = mapping.find(old_phase);
  return it == mapping.end() ? old_phase : it->second;
}

}  // namespace relais::workflow
