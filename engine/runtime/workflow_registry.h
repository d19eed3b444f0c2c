// WorkflowRegistry: every workflow definition ever deployed, by content hash,
// and the current version of each workflow name. Definitions are persisted in
// the store's key-value space (source text, so a restart reloads exactly what
// projects run on); a project stays on the version it started with.
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

  const workflow::WorkflowDefinition* ByHash(const std::string& hash) const;
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
  EventStore& store_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Entry> by_hash_;
  std::map<std::string, std::string> current_;  // name -> hash
};

}  // namespace relais::runtime
