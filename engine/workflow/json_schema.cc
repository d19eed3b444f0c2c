#include "engine/workflow/json_schema.h"

#include <cmath>

namespace relais::workflow {
namespace {

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

bool HasType(const Json& value, const std::string& type) {
  if (type == "null") return value.is_null();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (value.is_number_float()) {
      double d = value.get<double>();
      return std::isfinite(d) && std::floor(d) == d;
    }
    return false;
  }
  return false;
}

std::string TypeName(const Json& v) {
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  return v.type_name();
}

std::string Quote(const std::string& key) {
  // Plain keys read as $.a.b; anything else as $['a b'].
  bool plain = !key.empty();
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) plain = false;
  return plain ? "." + key : "['" + key + "']";
}

class Validator {
 public:
  Validator(bool all, const WorkflowLimits& limits) : all_(all), limits_(limits) {}

  void Check(const Json& schema, const Json& value, const std::string& path, size_t depth) {
    if (Done() || !schema.is_object()) return;
    if (depth > limits_.max_json_depth) {
      Add(path, "depth", "value nested deeper than " + std::to_string(limits_.max_json_depth) + " levels");
      return;
    }
    if (auto it = schema.find("type"); it != schema.end()) {
      bool ok = false;
      std::string wanted;
      for (const auto& t : SchemaTypes(schema)) {
        ok = ok || HasType(value, t);
        wanted += (wanted.empty() ? "" : " or ") + t;
      }
      if (!ok) {
        Add(path, "type", "expected " + wanted + ", found " + TypeName(value));
        return;  // the other keywords would only repeat the same mistake
      }
    }
    if (auto it = schema.find("enum"); it != schema.end() && it->is_array()) {
      bool found = false;
      for (const auto& option : *it) found = found || option == value;
      if (!found) Add(path, "enum", "value " + DumpJson(value) + " is not one of " + DumpJson(*it));
    }
    if (value.is_number()) {
      double v = value.get<double>();
      if (auto it = schema.find("minimum"); it != schema.end() && it->is_number() && v < it->get<double>())
        Add(path, "minimum", "value " + DumpJson(value) + " is less than the minimum " + DumpJson(*it));
      if (auto it = schema.find("maximum"); it != schema.end() && it->is_number() && v > it->get<double>())
        Add(path, "maximum", "value " + DumpJson(value) + " is greater than the maximum " + DumpJson(*it));
    }
    if (value.is_string()) {
      size_t len = Utf8Length(value.get_ref<const std::string&>());
      if (auto it = schema.find("minLength");
          it != schema.end() && it->is_number() && static_cast<double>(len) < it->get<double>())
        Add(path, "minLength", "string shorter than " + DumpJson(*it) + " characters");
      if (auto it = schema.find("maxLength");
          it != schema.end() && it->is_number() && static_cast<double>(len) > it->get<double>())
        Add(path, "maxLength", "string longer than " + DumpJson(*it) + " characters");
    }
    if (value.is_array()) {
      if (auto it = schema.find("items"); it != schema.end() && it->is_object()) {
        for (size_t i = 0; i < value.size() && !Done(); ++i)
          Check(*it, value[i], path + "[" + std::to_string(i) + "]", depth + 1);
      }
    }
    if (value.is_object()) CheckObject(schema, value, path, depth);
  }

  std::vector<SchemaViolation> Take() { return std::move(violations_); }

 private:
  void CheckObject(const Json& schema, const Json& value, const std::string& path, size_t depth) {
    static const Json kEmpty = Json::object();
    auto props_it = schema.find("properties");
    const Json& props = props_it != schema.end() && props_it->is_object() ? *props_it : kEmpty;
    if (auto it = schema.find("required"); it != schema.end() && it->is_array()) {
      for (const auto& name : *it) {
        if (Done()) return;
        if (name.is_string() && !value.contains(name.get<std::string>()))
          Add(path + Quote(name.get<std::string>()), "required",
              "missing required property '" + name.get<std::string>() + "'");
      }
    }
    auto extra_it = schema.find("additionalProperties");
    for (const auto& [key, item] : value.items()) {
      if (Done()) return;
      std::string item_path = path + Quote(key);
      if (auto p = props.find(key); p != props.end()) {
        Check(*p, item, item_path, depth + 1);
      } else if (extra_it != schema.end()) {
        if (extra_it->is_boolean() && !extra_it->get<bool>())
          Add(item_path, "additionalProperties", "property '" + key + "' is not declared");
        else if (extra_it->is_object())
          Check(*extra_it, item, item_path, depth + 1);
      }
    }
  }

  bool Done() const { return (!all_ && !violations_.empty()) || violations_.size() >= limits_.max_violations; }
  void Add(const std::string& path, const std::string& keyword, std::string message) {
    if (!Done()) violations_.push_back({path, keyword, std::move(message)});
  }

  bool all_;
  const WorkflowLimits& limits_;
  std::vector<SchemaViolation> violations_;
};

}  // namespace

std::vector<SchemaViolation> ValidateJson(const Json& schema, const Json& value, bool all,
                                          const WorkflowLimits& limits) {
  Validator v(all, limits);
  v.Check(schema, value, "$", 0);
  return v.Take();
}

const Json* SchemaAt(const Json& schema, const std::vector<std::string>& segments, size_t first) {
  const Json* cur = &schema;
  for (size_t i = first; i < segments.size(); ++i) {
    if (!cur->is_object()) return nullptr;
    auto props = cur->find("properties");
    if (props == cur->end() || !props->is_object()) return nullptr;
    auto it = props->find(segments[i]);
    if (it == props->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::vector<std::string> SchemaTypes(const Json& schema) {
  std::vector<std::string> out;
  if (!schema.is_object()) return out;
  auto it = schema.find("type");
  if (it == schema.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array())
    for (const auto& t : *it)
      if (t.is_string()) out.push_back(t.get<std::string>());
  return out;
}

const std::vector<std::string>& SupportedSchemaKeywords() {
  static const std::vector<std::string> kKeywords = {
      "type",  "properties",           "required", "enum",       "minimum", "maximum", "minLength", "maxLength",
      "items", "additionalProperties", "title",    "description"};
  return kKeywords;
}

}  // namespace relais::workflow
