// Load-time type checks of guard and value expressions against the state
// and event schemas: what can be known before any command runs is reported
// here, located, instead of becoming a refusal later. Checks arithmetic
// operands (numbers only), division by the literal 0, sum/min/max over lists
// of numbers, the list argument of count/any/all(list, condition), `item.*`
// fields against the list's item schema, `actor.*` fields, and `in` over a
// list. Paths of state/event/project are checked by the loader (CheckPath).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "engine/util/json.h"
#include "engine/workflow/guard.h"

namespace relais::workflow {

// The schemas an expression's paths refer to.
struct ExpressionScope {
  const Json* state_schema = nullptr;
  const Json* event_schema = nullptr;
  // {track id: the schema of its view} for keyed tracks (KeyedTrackViewSchema);
  // project.tracks.<id> of another track is a text (a step).
  const Json* keyed_tracks = nullptr;
};

struct ExpressionProblem {
  int column = 1;    // 1-based, in the expression text
  std::string code;  // diagnostic code: "guard-type", "unknown-field", "division-by-zero"
  std::string message;
  std::string found;
  std::string expected;
  std::string hint;
};

std::vector<ExpressionProblem> CheckExpressionTypes(const GuardNode& root, const ExpressionScope& scope);

// The JSON types a value expression may have (empty: unknown), as the checks
// above see them: e.g. {"string"} for a text field, {"number"} for count(...).
std::vector<std::string> ExpressionValueTypes(const GuardNode& root, const ExpressionScope& scope);

// The schema reached by path[first...] from `schema`, crossing lists through
// their `items` (*crossed_list is then set); nullptr when a segment is not declared.
const Json* SchemaThrough(const Json& schema, const std::vector<std::string>& path, size_t first, bool* crossed_list);

}  // namespace relais::workflow
