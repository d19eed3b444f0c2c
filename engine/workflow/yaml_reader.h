// YamlReader: typed, located access to a yaml-cpp node tree for the loader.
// Every accessor reports a Diagnostic (file:line:column, found, expected)
// instead of throwing, and walks with bounded depth and node count.
//
// Thread-safety: not thread-safe; one reader per load.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/util/json.h"
#include "engine/workflow/diagnostics.h"
#include "engine/workflow/limits.h"

namespace relais::workflow {

class YamlReader {
 public:
  YamlReader(Diagnostics& diagnostics, const WorkflowLimits& limits) : diag_(diagnostics), limits_(limits) {}

  Diagnostics& diag() { return diag_; }
  const WorkflowLimits& limits() const { return limits_; }

  // 1-based position of a node; {0,0} for a node that is not in the file.
  static SourceLocation Loc(const YAML::Node& node);
  // A short description of a node for "found ...": "a list", "'montag'".
  static std::string Describe(const YAML::Node& node);

  // Reports every key of `map` not in `allowed`, with a did-you-mean hint.
  void CheckKeys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& context);

  bool ExpectMap(const YAML::Node& node, const std::string& what, SourceLocation fallback);
  bool ExpectList(const YAML::Node& node, const std::string& what, SourceLocation fallback);
  // False, with a "too-large" error at node ("<problem>: found <count>,
  // expected at most <max>"), when count > max (a WorkflowLimits value).
  bool WithinLimit(const YAML::Node& node, size_t count, size_t max, const std::string& problem);

  // A scalar as text. Reports and returns nullopt for anything else.
  std::optional<std::string> String(const YAML::Node& node, const std::string& what, SourceLocation fallback);
  // Lower-case identifier [a-z][a-z0-9_]* of bounded length (ids, types, fields).
  std::optional<std::string> Identifier(const YAML::Node& node, const std::string& what, SourceLocation fallback);
  std::optional<bool> Bool(const YAML::Node& node, const std::string& what, SourceLocation fallback);
  std::optional<int64_t> Integer(const YAML::Node& node, const std::string& what, SourceLocation fallback);
  // A scalar or a list of scalars, as identifiers.
  std::vector<std::pair<std::string, SourceLocation>> IdentifierList(const YAML::Node& node, const std::string& what,
                                                                     SourceLocation fallback);

  // Counts one visited node against limits.max_yaml_nodes, shared by every
  // recursive walk (aliases make a small file a huge tree). Reports once and
  // returns false when the budget is spent.
  bool ChargeNode(const YAML::Node& node);

  // Converts a node to JSON: plain scalars become null/bool/number when they
  // look like one, quoted scalars stay strings. Bounded by limits.
  std::optional<Json> ToJson(const YAML::Node& node);

 private:
  std::optional<Json> ToJsonAt(const YAML::Node& node, size_t depth);

  Diagnostics& diag_;
  const WorkflowLimits& limits_;
  size_t nodes_visited_ = 0;
};

// Type tests that are false (never throw) for a missing key's node: yaml-cpp
// throws InvalidNode when Type() is asked of one.
inline bool IsMapNode(const YAML::Node& n) { return n.IsDefined() && n.IsMap(); }
inline bool IsListNode(const YAML::Node& n) { return n.IsDefined() && n.IsSequence(); }
inline bool IsScalarNode(const YAML::Node& n) { return n.IsDefined() && n.IsScalar(); }
inline bool IsNullNode(const YAML::Node& n) { return !n.IsDefined() || n.IsNull(); }

// A plain YAML scalar's JSON value ("12" → 12, "true" → true, "~" → null), or a string.
Json PlainScalarToJson(const std::string& text);

}  // namespace relais::workflow
