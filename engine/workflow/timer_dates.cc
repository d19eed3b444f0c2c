#include "engine/workflow/timer_dates.h"

#include <algorithm>

#include "engine/workflow/diagnostics.h"
#include "engine/workflow/duration.h"
#include "engine/workflow/json_schema.h"

namespace relais::workflow {
namespace {

bool IsFieldName(std::string_view s) {
  if (s.empty() || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

// A "#/definitions/<name>" reference resolved within root; the schema itself otherwise.
const Json* Resolve(const Json& root, const Json* schema) {
  for (int hops = 0; hops < 8 && schema && schema->is_object(); ++hops) {
    auto ref = schema->find("$ref");
    if (ref == schema->end() || !ref->is_string()) return schema;
    const std::string& target = ref->get_ref<const std::string&>();
    constexpr std::string_view kPrefix = "#/definitions/";
    if (target.rfind(kPrefix, 0) != 0) return nullptr;
    auto defs = root.find("definitions");
    if (defs == root.end() || !defs->is_object()) return nullptr;
    auto it = defs->find(target.substr(kPrefix.size()));
    schema = it == defs->end() ? nullptr : &*it;
  }
  return schema;
}

std::string Describe(const Json& schema) {
  std::string out = DumpJson(schema);
  constexpr size_t kShown = 80;
  return out.size() > kShown ? out.substr(0, kShown) + "..." : out;
}

}  // namespace

const std::vector<std::string>& DatePatterns() {
  static const std::vector<std::string> kPatterns = {"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "^\\d{4}-\\d{2}-\\d{2}$"};
  return kPatterns;
}

bool LooksLikeFieldRef(std::string_view text) { return text.rfind("event.", 0) == 0 || text.rfind("state.", 0) == 0; }

std::optional<DateFieldRef> ParseDateFieldRef(std::string_view text) {
  if (!LooksLikeFieldRef(text)) return std::nullopt;
  DateFieldRef ref;
  ref.from_event = text[0] == 'e';
  ref.field = std::string(text.substr(6));
  if (!IsFieldName(ref.field)) return std::nullopt;
  return ref;
}

std::optional<DateFieldProblem> CheckDateField(const Json& root, const std::string& field) {
  const Json* declared = SchemaAt(root, {field});
  if (declared == nullptr) {
    std::vector<std::string> known;
    if (auto props = root.find("properties"); props != root.end() && props->is_object())
      for (const auto& [name, unused] : props->items()) known.push_back(name);
    std::string hint = DidYouMean(field, known);
    return DateFieldProblem{"field '" + field + "' is not declared", "'" + field + "'", "a declared date field",
                            hint.empty() ? "declare it under properties with type: string, format: date" : hint};
  }
  const Json* schema = Resolve(root, declared);
  if (schema == nullptr || !schema->is_object())
    return DateFieldProblem{"field '" + field + "' has a schema that is not a date", Describe(*declared),
                            "type: string with format: date", "declare {type: string, format: date}"};
  std::vector<std::string> types = SchemaTypes(*schema);
  const bool text = std::find(types.begin(), types.end(), "string") != types.end();
  auto format = schema->find("format");
  const bool date_format = format != schema->end() && format->is_string() && *format == "date";
  auto pattern = schema->find("pattern");
  const bool date_pattern =
      pattern != schema->end() && pattern->is_string() &&
      std::find(DatePatterns().begin(), DatePatterns().end(), pattern->get<std::string>()) != DatePatterns().end();
  if (text && (date_format || date_pattern)) return std::nullopt;
  std::string hint = "declare it {type: string, format: date} or with pattern '" + DatePatterns().front() + "'";
  if (!text) return DateFieldProblem{"field '" + field + "' is not a text", Describe(*schema), "type: string", hint};
  return DateFieldProblem{"field '" + field + "' is not declared as a date", Describe(*schema),
                          "format: date or a date pattern", hint};
}

std::optional<std::string> DateOfValue(const Json& value) {
  if (!value.is_string()) return std::nullopt;
  const std::string& text = value.get_ref<const std::string&>();
  if (!ParseDate(text).ok()) return std::nullopt;
  return text;
}

}  // namespace relais::workflow
