#include "engine/workflow/migration.h"

#include <algorithm>

#include "engine/workflow/keyed_tracks.h"

namespace relais::workflow {
namespace {

std::string Version(const WorkflowDefinition& def) { return def.name + " v" + std::to_string(def.version); }

// "a, b, c" (at most `limit` names, then "…").
std::string SomeNames(const std::map<std::string, std::string>& steps, size_t limit = 3) {
  std::string out;
  size_t n = 0;
  for (const auto& [key, step] : steps) {
    if (n++ == limit) return out + ", …";
    out += (out.empty() ? "" : ", ") + key;
  }
  return out;
}

}  // namespace

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

Status ValidateHeldLinks(const WorkflowDefinition& old_def, const WorkflowDefinition& new_def, const HeldLinks& held) {
  std::string problems;
  auto problem = [&](const std::string& p) { problems += (problems.empty() ? "" : "\n") + p; };
  for (const auto& [kind, count] : held.children) {
    if (count == 0) continue;
    const ChildKind* now = new_def.FindChildKind(kind);
    const ChildKind* was = old_def.FindChildKind(kind);
    if (!now) {
      problem("children '" + kind + "': the project has " + std::to_string(count) + " but " + Version(new_def) +
              " declares no children '" + kind + "' (keep the kind under children:, under the same id: a kind " +
              "renamed is a kind dropped)");
    } else if (was && was->workflow != now->workflow) {
      problem("children '" + kind + "': the project has " + std::to_string(count) + " of workflow '" + was->workflow +
              "' but " + Version(new_def) + " declares them of workflow '" + now->workflow + "'");
    }
  }
  for (const auto& [track_id, steps] : held.keyed_tracks) {
    if (steps.empty()) continue;
    const Track* track = FindKeyedTrack(new_def, track_id);
    if (!track) {
      problem("keyed track '" + track_id + "': the project holds " + std::to_string(steps.size()) + " key(s) (" +
              SomeNames(steps) + ") but " + Version(new_def) + " declares no keyed track '" + track_id +
              "' (keep it, under the same id, for its answers to be kept)");
      continue;
    }
    std::set<std::string> missing;
    for (const auto& [key, step] : steps)
      if (std::find(track->steps.begin(), track->steps.end(), step) == track->steps.end()) missing.insert(step);
    for (const auto& step : missing)
      problem("keyed track '" + track_id + "': keys are on step '" + step + "' but " + Version(new_def) +
              " has no such step (its steps: " + JoinNames(track->steps) + ")");
  }
  if (!problems.empty()) return InvalidArgument(problems);
  return Status::Ok();
}

std::map<std::string, KeyedTrackChange> MigratedKeyedTracks(
    const WorkflowDefinition& new_def, const std::map<std::string, std::map<std::string, std::string>>& held,
    const std::string& new_phase, const Json& fields) {
  std::map<std::string, KeyedTrackChange> changes;
  const Phase* phase = new_def.FindPhase(new_phase);
  std::set<std::string> of_phase;
  if (phase) {
    for (const Track& t : phase->tracks) {
      if (!t.keyed() || t.steps.empty()) continue;
      of_phase.insert(t.id);
      const Json list = fields.is_object() && fields.contains(t.keyed_by) ? fields[t.keyed_by] : Json();
      const std::vector<std::string> keys = TrackKeys(t, list);
      auto it = held.find(t.id);
      KeyedTrackChange change;
      if (it == held.end()) {
        change.starts = true;
        for (const std::string& key : keys) change.steps[key] = t.steps.front();
        changes[t.id] = std::move(change);
        continue;
      }
      const std::set<std::string> listed(keys.begin(), keys.end());
      for (const std::string& key : keys)
        if (!it->second.count(key)) change.steps[key] = t.steps.front();
      for (const auto& [key, step] : it->second)
        if (!listed.count(key)) change.left.push_back(key);
      if (!change.steps.empty() || !change.left.empty()) changes[t.id] = std::move(change);
    }
  }
  for (const auto& [track_id, steps] : held) {
    if (of_phase.count(track_id)) continue;
    const Track* t = FindKeyedTrack(new_def, track_id);
    if (t && t->keep) continue;
    changes[track_id] = KeyedTrackChange{.ends = true};
  }
  return changes;
}

std::string DescribeKeyedTrackChanges(const std::map<std::string, KeyedTrackChange>& changes,
                                      const std::map<std::string, std::map<std::string, std::string>>& held) {
  std::string out;
  for (const auto& [id, c] : changes) {
    auto it = held.find(id);
    const size_t had = it == held.end() ? 0 : it->second.size();
    out += (out.empty() ? "" : "\n") + std::string("keyed track '") + id + "': ";
    if (c.ends)
      out += "ends (" + std::to_string(had) + " key(s) dropped: its phase is left and it is not kept)";
    else if (c.starts)
      out += "starts with " + std::to_string(c.steps.size()) + " key(s) on its first step";
    else
      out += "follows its list (" + std::to_string(c.steps.size()) + " key(s) added, " + std::to_string(c.left.size()) +
             " gone)";
  }
  return out;
}

}  // namespace relais::workflow
