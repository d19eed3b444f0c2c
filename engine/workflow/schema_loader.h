// Reads a JSON Schema (draft 7, json_schema.h) from a workflow file. Every
// draft-7 keyword is accepted; a keyword of the wrong type, a `required`
// property that is not declared, a `pattern` that is not a regular
// expression or an unknown keyword (with a did-you-mean hint) is reported at
// its line and column. Two Relais keywords, kept for the words shown to
// people and ignored by validation, are accepted on any (sub)schema:
//   labels: {fr: "...", en: "..."}              fr required, both texts
//   enum_labels: {<enum value>: {fr: ..., en: ...}}   beside an enum only
//
// Thread-safety: not thread-safe (uses the caller's YamlReader).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "engine/util/json.h"
#include "engine/workflow/json_schema.h"
#include "engine/workflow/yaml_reader.h"

namespace relais::workflow {

// Returns the schema as JSON, or nullopt after reporting at least one error.
// REQUIRES: `node` is defined.
std::optional<Json> LoadSchema(YamlReader& reader, const YAML::Node& node, const std::string& what);

// Compiles a schema LoadSchema returned (as the loader completed it), once,
// for the command path. Reports at `node` (or 1:1 when it is not in the
// file) and returns nullptr when valijson refuses it, e.g. a $ref to nothing.
std::shared_ptr<const CompiledSchema> CompileSchema(YamlReader& reader, const YAML::Node& node, const Json& schema,
                                                    const std::string& what);

}  // namespace relais::workflow
