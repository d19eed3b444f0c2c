// Schema violations (json_schema.h) in words for people, in French and
// English: the field named by the schema's `labels` along its path (a list
// item by its position: "Conventions, n° 3 › Intitulé"), what was found and
// what is expected, per keyword ("Montant accordé (€) : -5000 est inférieur
// au minimum, 0."). The machine fields (path, keyword, English message) stay
// as the validator wrote them. Used by the decision for invalid_data and
// invalid_state refusals.
//
// Thread-safety: pure functions over immutable inputs; safe from any thread.
#pragma once

#include <vector>

#include "engine/util/json.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/json_schema.h"

namespace relais::workflow {

// How many violations a refusal's own words quote before saying how many
// more there are.
inline constexpr size_t kWordedViolations = 3;

// The words of `violation`, found when `value` was checked against `schema`
// (the schema as written, `labels` and `enum_labels` included). Never fails:
// a path the schema does not describe is named by its keys, a keyword
// without its own wording gets a generic sentence. Each text ends with ".".
Message ViolationWords(const Json& schema, const Json& value, const SchemaViolation& violation);

// A refusal's details and words for `violations` of `value` against `schema`.
struct WordedViolations {
  Json details = Json::array();  // [{path, keyword, message, messages: {fr, en}}]
  Message summary;  // the first kWordedViolations' words, then "Et N autres erreurs." / "And N more errors."
};
WordedViolations WordViolations(const Json& schema, const Json& value, const std::vector<SchemaViolation>& violations);

}  // namespace relais::workflow
