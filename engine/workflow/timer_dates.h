// Timer dates taken from a field (`at: event.date_comite`, `at: state.date_fin`):
// the reference, the load-time check that the field is a date, and the
// run-time reading of its value.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/json.h"

namespace relais::workflow {

// The patterns a state or event field may declare, instead of
// `format: date`, to be accepted as a date by `at:` (docs/workflow-language.md, section 6).
const std::vector<std::string>& DatePatterns();

struct DateFieldRef {
  bool from_event = false;  // event.<field> (the arming event's data) or state.<field>
  std::string field;
  std::string ToString() const { return (from_event ? "event." : "state.") + field; }
};

// "event.x" / "state.x" with x one identifier; nullopt for anything else
// (a literal date, say).
std::optional<DateFieldRef> ParseDateFieldRef(std::string_view text);
// Whether text starts like a field reference ("event." or "state.").
bool LooksLikeFieldRef(std::string_view text);

// Why `field` of the object schema `root` is not a date, for a load error.
struct DateFieldProblem {
  std::string message;
  std::string found;
  std::string expected;
  std::string hint;
};
// nullopt when root declares `field` as a text with `format: date` or one
// of DatePatterns() (directly or through a "#/definitions/..." $ref).
std::optional<DateFieldProblem> CheckDateField(const Json& root, const std::string& field);

// The date a field's value gives, "YYYY-MM-DD"; nullopt when the value is
// absent, null, not a text or not a calendar date.
std::optional<std::string> DateOfValue(const Json& value);

}  // namespace relais::workflow
