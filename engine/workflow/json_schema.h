// A validator for the JSON Schema subset workflow files use for event data
// and project state: type, properties, required, enum, minimum, maximum,
// minLength, maxLength, items, additionalProperties (plus title/description,
// which are ignored). Schemas are checked by the loader (schema_loader.h), so
// here every keyword is assumed well-formed; a malformed one is skipped, never thrown.
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "engine/util/json.h"
#include "engine/workflow/limits.h"

namespace relais::workflow {

struct SchemaViolation {
  std::string path;     // JSONPath of the offending value: "$", "$.conventions[2].date"
  std::string keyword;  // the schema keyword that failed: "required", "type", ...
  std::string message;  // "missing required property 'porteur'"
};

// Checks `value` against `schema`. Returns no violation when it conforms;
// otherwise the first violation, or every one (up to limits.max_violations)
// when `all` is set. Values nested deeper than limits.max_json_depth are a
// violation, never a stack overflow.
std::vector<SchemaViolation> ValidateJson(const Json& schema, const Json& value, bool all = true,
                                          const WorkflowLimits& limits = DefaultLimits());

// The sub-schema describing `segments` below `schema` through "properties",
// or nullptr when some segment is not declared.
const Json* SchemaAt(const Json& schema, const std::vector<std::string>& segments, size_t first = 0);

// The JSON types a schema admits ("string", "integer", ...); empty = any.
std::vector<std::string> SchemaTypes(const Json& schema);

// Keywords this subset supports, for the loader's checks and hints.
const std::vector<std::string>& SupportedSchemaKeywords();

}  // namespace relais::workflow
