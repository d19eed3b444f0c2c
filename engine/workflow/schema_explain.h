// Runs a compiled valijson sub-schema on a value (Conforms), and explains a
// failure as SchemaViolations (ExplainFailure): each keyword's verdict is
// valijson's, asked one constraint at a time; the JSONPaths and the English
// messages are ours ("expected at most 3 items, found 5"). Only the failure
// path pays for the explanation. Internal to json_schema.cc.
//
// Thread-safety: stateless functions over immutable schemas; each thread
// keeps its own cache of compiled regular expressions.
#pragma once

#include <string>
#include <vector>

#include "engine/util/json.h"
#include "engine/workflow/json_schema.h"

namespace valijson {
class Subschema;
}

namespace relais::workflow {

// The JSON each compiled sub-schema came from, to quote `enum` and `const`
// values in messages: the compiled copy of a schema carries, in each
// sub-schema's "description", its index in `nodes`.
struct SchemaSource {
  std::vector<const Json*> nodes;
  const Json* NodeOf(const valijson::Subschema& s) const;
};

// Violations found so far, bounded: the first only unless `all`, and never
// more than `max`.
struct ViolationSink {
  bool all = true;
  size_t max = 50;
  std::vector<SchemaViolation> found;
  bool Done() const { return (!all && !found.empty()) || found.size() >= max; }
  void Add(std::string path, std::string keyword, std::string message);
};

// valijson's verdict on `value`, stopping at the first failed constraint.
// A schema valijson can not apply (it throws) does not conform.
bool Conforms(const valijson::Subschema& schema, const Json& value);

// Adds to `sink` why `value`, found at JSONPath `path`, fails `schema`.
// Adds nothing when it conforms.
void ExplainFailure(const valijson::Subschema& schema, const SchemaSource& source, const Json& value,
                    const std::string& path, ViolationSink& sink);

}  // namespace relais::workflow
