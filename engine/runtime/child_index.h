// The index of sub-items: for each parent project, its children (projects
// created under it for a kind its workflow declares under `children:`) with
// the phase each is in, and the milestones they reached (creation and every
// change of phase). Written in each child's own append batch (side writes),
// so the index is exactly as durable as the child's history; read by the
// parent's decisions (project.children counts), the children route and the
// parent's history.
//
// Keys (docs/storage.md):
//   children/<parent>/<child>                      -> {"link","workflow","hash","phase","title"}
//   childlog/<parent>/<micros:020>/<child>/<version:020> -> {"child","title","link","type","from","to","at"}
//
// Thread-safety: stateless over a thread-safe store; safe from any thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/runtime/project.h"
#include "engine/store/event_store.h"
#include "engine/util/clock.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/project_state.h"

namespace relais::runtime {

inline constexpr std::string_view kChildrenPrefix = "children/";
inline constexpr std::string_view kChildLogPrefix = "childlog/";

struct ChildEntry {
  std::string id;
  std::string link;  // the kind of children
  std::string workflow;
  std::string workflow_hash;
  std::string phase;
  std::string title;
};

// A child's milestone as its parent's history shows it.
struct ChildMilestone {
  std::string child;
  std::string title;
  std::string link;
  std::string type;  // the event that moved it
  std::string from;  // empty at creation
  std::string to;
  TimePoint at{};
  Json ToJson() const;
};

// The side writes for a child whose events `decided` (folded from `before`)
// are about to be appended at version before.version + 1...: its entry when
// it is created or changes phase, and one milestone per change. Nothing when
// info has no parent.
void AddChildWrites(const ProjectInfo& info, const std::string& phase_before, uint64_t version_before,
                    const std::vector<workflow::RecordedEvent>& decided, TimePoint now, KvWrites& writes);

// The same for a migration that mapped the child to another phase/version.
void AddChildMigrated(const ProjectInfo& info, const std::string& phase_before, const std::string& phase_after,
                      uint64_t version, TimePoint now, KvWrites& writes);

class ChildIndex {
 public:
  // max_children: children read per parent at most (a named limit of the
  // runtime, RuntimeOptions::max_children_per_project).
  ChildIndex(EventStore& store, size_t max_children) : store_(store), max_children_(max_children) {}

  // The parent's children in id order (at most max_children).
  StatusOr<std::vector<ChildEntry>> List(const std::string& parent) const;

  // What guards read as project.children: for every kind `def` declares,
  // {"total": n, "open": n, "phases": {"<phase>": n}}. A child is open unless
  // its phase is terminal in its own workflow version (found by lookup).
  // Every phase of each kind's current workflow (current, by name; may
  // return null) is listed, at 0 when no child is there.
  using CurrentLookup = std::function<const workflow::WorkflowDefinition*(const std::string& name)>;
  StatusOr<Json> Counts(const std::string& parent, const workflow::WorkflowDefinition& def,
                        const DefinitionLookup& lookup, const CurrentLookup& current) const;
  // The same over children already listed (List).
  static Json CountsOf(const std::vector<ChildEntry>& children, const workflow::WorkflowDefinition& def,
                       const DefinitionLookup& lookup, const CurrentLookup& current);

  // The parent's children's milestones, oldest first, at most `limit`.
  StatusOr<std::vector<ChildMilestone>> Milestones(const std::string& parent, size_t limit) const;

 private:
  EventStore& store_;
  size_t max_children_;
};

}  // namespace relais::runtime
