// Loading the links between projects a workflow file declares: the sub-items
// a project holds (`children:`, top level) and the projects a transition
// creates (`spawn:`). Part of LoadWorkflow (loader.h); split out so that the
// loader's main file keeps to phases, events and timers.
//
// Thread-safety: a LinkLoader is used by one loader, on one thread.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/workflow/definition.h"
#include "engine/workflow/yaml_reader.h"

namespace relais::workflow {

class LinkLoader {
 public:
  // Parses a value expression of the event being loaded (reports its own
  // diagnostics; nullopt when it is not valid).
  using ValueParser = std::function<std::optional<Guard>(const YAML::Node&)>;

  // Reads a `labels: {fr, en}` map (the loader's own, so labels are checked alike everywhere).
  using LabelsReader = std::function<Labels(const YAML::Node&, const std::string& what, SourceLocation fallback)>;

  LinkLoader(YamlReader& reader, WorkflowDefinition& def, LabelsReader labels)
      : reader_(reader), def_(def), load_labels_(std::move(labels)) {}

  // `children: [{id, labels, workflow, visibility}]` into def.children.
  void LoadChildren(const YAML::Node& node);

  // A transition's `spawn:` (one map or a list of maps) into *out.
  void LoadSpawns(const YAML::Node& node, const EventType& event, const ValueParser& parse_value,
                  std::vector<SpawnSpec>* out);

  // The other workflows, for the phases children are counted by (may be empty: not checked).
  void SetLinkedWorkflows(std::function<const WorkflowDefinition*(const std::string&)> linked) {
    linked_ = std::move(linked);
  }

  // Checks a path `project.children...` of a guard: children.<kind>.total,
  // .open, or .phases.<phase id>. The phase belongs to the child's workflow,
  // another file: checked when SetLinkedWorkflows knows it; when it does not,
  // one warning per kind says so. Returns false (after reporting at `at`)
  // when the path is malformed or names no phase of the child workflow.
  bool CheckChildrenPath(const std::vector<std::string>& path, SourceLocation at);

 private:
  std::optional<SpawnSpec> LoadSpawn(const YAML::Node& node, const EventType& event, const ValueParser& parse_value);

  // A counted phase of the child workflow of `kind` (path[4]).
  bool CheckChildPhase(const ChildKind& kind, const std::vector<std::string>& path, const std::string& full,
                       SourceLocation at);

  YamlReader& reader_;
  WorkflowDefinition& def_;
  LabelsReader load_labels_;
  std::function<const WorkflowDefinition*(const std::string&)> linked_;
  std::set<std::string> unchecked_kinds_;  // kinds whose workflow linked_ did not know (warned once)
};

}  // namespace relais::workflow
