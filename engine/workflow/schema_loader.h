// Reads a JSON Schema (the subset json_schema.h validates) from a workflow
// file, reporting unsupported keywords, wrong keyword types and unknown
// `required` properties at their line and column.
//
// Thread-safety: not thread-safe (uses the caller's YamlReader).
#pragma once

#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "engine/util/json.h"
#include "engine/workflow/yaml_reader.h"

namespace relais::workflow {

// Returns the schema as JSON, or nullopt after reporting at least one error.
// REQUIRES: `node` is defined.
std::optional<Json> LoadSchema(YamlReader& reader, const YAML::Node& node, const std::string& what);

}  // namespace relais::workflow
