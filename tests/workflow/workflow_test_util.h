// Helpers shared by the workflow tests: reading the repository's workflow
// files and fixtures, and unwrapping decisions.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "engine/workflow/decision.h"
#include "engine/workflow/loader.h"

namespace relais::workflow::testing {

// RELAIS_SOURCE_DIR is set by tests/workflow/CMakeLists.txt.
inline std::string SourcePath(const std::string& relative) { return std::string(RELAIS_SOURCE_DIR) + "/" + relative; }

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline WorkflowDefinition LoadRepoWorkflow(const std::string& relative) {
  auto def = LoadWorkflow(ReadFile(SourcePath(relative)), relative);
  if (!def.ok()) ADD_FAILURE() << def.status().ToString();
  return def.ok() ? std::move(def).value() : WorkflowDefinition{};
}

inline const Decision* AsDecision(const DecisionOrRefusal& r) { return std::get_if<Decision>(&r); }
inline const Refusal* AsRefusal(const DecisionOrRefusal& r) { return std::get_if<Refusal>(&r); }

inline std::string Describe(const DecisionOrRefusal& r) {
  if (const Refusal* refusal = AsRefusal(r)) return "refused: " + DumpJson(refusal->ToJson());
  return "accepted: " + DumpJson(std::get<Decision>(r).next.ToJson());
}

}  // namespace relais::workflow::testing
