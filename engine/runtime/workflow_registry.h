// WorkflowRegistry: every workflow definition ever deployed, by content hash,
// and the current version of each workflow name. Definitions are persisted in
// the store's key-value space (source text, so a restart reloads exactly what
// projects run on); a project stays on the version it started with.
//
// On a store shared by several nodes (PostgreSQL), another node may deploy:
// a definition asked for by hash that is not in memory is read from the
// store (a project started on another node's deploy runs here too), Deploy
// decides against the store's current version of its name, and Refresh
// (run periodically by the host) takes the other nodes' current versions.
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization. Returned definitions are immutable and live as
// long as the registry.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "engine/store/event_store.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/diagnostics.h"
#include "engine/workflow/loader.h"

namespace relais::runtime {

struct DeployResult {
  const workflow::WorkflowDefinition* definition = nullptr;
  bool is_new = false;                    // false: this exact content was already deployed
  workflow::Diagnostics diagnostics{""};  // warnings (errors fail the deploy)
};

class WorkflowRegistry {
 public:
  // *store must outlive the registry.
  explicit WorkflowRegistry(EventStore& store) : store_(store) {}

  // Reloads every definition persisted in the store.
  // Errors: kCorruption when a stored definition no longer loads.
  Status LoadPersisted();
  // Takes the current version of every name as the store has it (deploys of
  // other nodes), reading the definitions not yet in memory.
  // Errors: kCorruption, kUnavailable (nothing is changed then).
  Status Refresh();

  // Validates and persists `text`, making it the current version of its name.
  // The workflows it names (children:) are checked against their current
  // version here (workflow::LinkedWorkflows), or against `linked` when given.
  // Errors: kInvalidArgument listing every diagnostic (file:line:column);
  // kUnavailable when the store cannot write.
  StatusOr<DeployResult> Deploy(std::string_view text, std::string_view file_name);
  StatusOr<DeployResult> Deploy(std::string_view text, std::string_view file_name,
                                const workflow::LinkedWorkflows& linked);

  // Deploys every *.yaml, *.yml and *.json file of `dir` (sorted by name);
  // a workflow another file of `dir` names is checked against that file,
  // whatever their order.
  Status DeployDirectory(const std::string& dir);

  // From memory, else from the store (deployed by another node); null when
  // unknown or unreadable.
  const workflow::WorkflowDefinition* ByHash(const std::string& hash) const;
  // As this node last saw it (a new version deployed elsewhere: after the
  // next Refresh); a name this node does not know is looked for in the store.
  const workflow::WorkflowDefinition* Current(const std::string& name) const;
  // The source text a definition was deployed from.
  std::string SourceOf(const std::string& hash) const;
  // The current version of every workflow name.
  std::vector<const workflow::WorkflowDefinition*> ListCurrent() const;

 private:
  struct Entry {
    std::unique_ptr<workflow::WorkflowDefinition> definition;
    std::string source;
  };
  // A stored definition ({"file", "text"} under key), loaded. Errors: kCorruption.
  static StatusOr<Entry> ParseStored(const std::string& key, const std::string& value);
  // Reads the stored definition of hash into by_hash_ (nothing when absent).
  // REQUIRES: mu_ held exclusively.
  Status LoadHashLocked(const std::string& hash) const;

  EventStore& store_;
  mutable std::shared_mutex mu_;
  // Definitions are immutable once loaded: filling the cache on a lookup
  // changes nothing a caller can observe, hence mutable.
  mutable std::map<std::string, Entry> by_hash_;
  mutable std::map<std::string, std::string> current_;  // name -> hash
};

}  // namespace relais::runtime
