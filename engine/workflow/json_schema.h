// JSON Schema (draft 7) for event data and project state, validated by
// valijson (Debian libvalijson-dev). A schema is compiled once, when its
// workflow file is loaded (CompiledSchema::Compile); a command only runs the
// compiled form. When a value does not conform, the failure is explained
// keyword by keyword as SchemaViolations with a JSONPath and an English
// message; each keyword's verdict is still valijson's (schema_explain.h).
// `format` is not checked; `labels` and `enum_labels` (Relais keywords for
// words shown to people) are kept in json() and ignored by validation.
// Schemas are checked by the loader (schema_loader.h) before compiling.
//
// Thread-safety: a CompiledSchema is immutable; safe to share between threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/util/json.h"
#include "engine/util/status.h"
#include "engine/workflow/limits.h"

namespace relais::workflow {

struct SchemaViolation {
  std::string path;     // JSONPath of the offending value: "$", "$.conventions[2].date"
  std::string keyword;  // the schema keyword that failed: "required", "type", "maxItems", ...
  std::string message;  // "missing required property 'porteur'"
};

class CompiledSchema {
 public:
  // Compiles `schema`. Fails (InvalidArgument, valijson's reason) on a schema
  // valijson refuses, e.g. a $ref that resolves to nothing; the loader
  // reports such failures at the schema's line.
  static StatusOr<std::shared_ptr<const CompiledSchema>> Compile(const Json& schema);

  ~CompiledSchema();
  CompiledSchema(const CompiledSchema&) = delete;
  CompiledSchema& operator=(const CompiledSchema&) = delete;

  // The schema as written, `labels` and `enum_labels` included.
  const Json& json() const;

  // Checks `value`. Returns no violation when it conforms; otherwise the
  // first violation, or every one (up to limits.max_violations) when `all`
  // is set. A value nested deeper than limits.max_json_depth is a "depth"
  // violation, found before valijson walks it (never a stack overflow). A
  // number with a zero fraction (30.0) is an integer, as draft 7 says.
  std::vector<SchemaViolation> Validate(const Json& value, bool all = true,
                                        const WorkflowLimits& limits = DefaultLimits()) const;

  // For checking a change of an object property by property (the state
  // after a command), so a command costs its change, not the whole state.
  //
  // True when the root schema says only type, properties, required and
  // additionalProperties: an object whose other properties conformed then
  // conforms when its changed properties do and its required ones exist.
  // Otherwise the caller validates the whole object.
  bool ChecksByProperty() const;
  // Whether `key` may be present (declared, or additionalProperties allows it).
  bool Allows(const std::string& key) const;
  const std::vector<std::string>& RequiredProperties() const;
  // Violations of `value` as property `key`, with paths under "$.key".
  std::vector<SchemaViolation> ValidateProperty(const std::string& key, const Json& value,
                                                const WorkflowLimits& limits = DefaultLimits()) const;
  // True when list property `key` says only type and items: an item appended
  // to a conforming list is then checked alone (ValidateItem).
  bool ChecksItemsAlone(const std::string& key) const;
  // Violations of `item` at `index` of list property `key` ("$.key[index]").
  // REQUIRES: ChecksItemsAlone(key).
  std::vector<SchemaViolation> ValidateItem(const std::string& key, const Json& item, size_t index,
                                            const WorkflowLimits& limits = DefaultLimits()) const;

 private:
  struct Impl;
  explicit CompiledSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Compiles `schema` and checks `value` against it: for tests and tools.
// The command path holds CompiledSchemas instead. A schema that does not
// compile is one violation with keyword "schema".
std::vector<SchemaViolation> ValidateJson(const Json& schema, const Json& value, bool all = true,
                                          const WorkflowLimits& limits = DefaultLimits());

// The sub-schema describing `segments` below `schema` through "properties",
// or nullptr when some segment is not declared.
const Json* SchemaAt(const Json& schema, const std::vector<std::string>& segments, size_t first = 0);

// The JSON types a schema admits ("string", "integer", ...); empty = any.
std::vector<std::string> SchemaTypes(const Json& schema);

// "$.a" for a plain key, "$['a b']" otherwise: `key` appended to JSONPath `path`.
std::string JsonPathMember(const std::string& path, const std::string& key);

}  // namespace relais::workflow
