#include "engine/workflow/json_schema.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <optional>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>

#include "engine/workflow/schema_explain.h"

namespace relais::workflow {
namespace {

using valijson::Subschema;
namespace vc = valijson::constraints;

// Keywords dropped from the compiled copy: ours (words for people) and
// `format`, which is not checked (valijson would check a few formats, with
// a regular expression built on every call).
const char* const kNotCompiled[] = {"labels", "enum_labels", "format"};

// Keywords that say nothing about validity.
bool IsAnnotation(const std::string& key) {
  return key == "description" || key == "title" || key == "$comment" || key == "default" || key == "examples" ||
         key == "readOnly" || key == "writeOnly" || key == "$schema" || key == "definitions";
}

// Walks every sub-schema of the compiled copy: drops kNotCompiled and sets
// "description" to the sub-schema's index in `nodes`, so an explanation can
// quote its `enum` or `const` (SchemaSource).
void Prepare(Json& node, std::vector<const Json*>& nodes) {
  if (!node.is_object()) return;
  for (const char* k : kNotCompiled) node.erase(k);
  node["description"] = "#" + std::to_string(nodes.size());
  nodes.push_back(&node);
  for (const char* k :
       {"additionalProperties", "additionalItems", "contains", "propertyNames", "if", "then", "else", "not", "items"})
    if (auto it = node.find(k); it != node.end()) {
      if (it->is_array()) {
        for (auto& s : *it) Prepare(s, nodes);
      } else {
        Prepare(*it, nodes);
      }
    }
  for (const char* k : {"allOf", "anyOf", "oneOf"})
    if (auto it = node.find(k); it != node.end() && it->is_array())
      for (auto& s : *it) Prepare(s, nodes);
  for (const char* k : {"properties", "patternProperties", "definitions", "dependencies"})
    if (auto it = node.find(k); it != node.end() && it->is_object())
      for (auto& [name, s] : it->items()) Prepare(s, nodes);
}

template <typename T>
const T* FindConstraint(const Subschema& s) {
  const T* found = nullptr;
  Subschema::ApplyFunction find = [&](const vc::Constraint& c) {
    if (const auto* t = dynamic_cast<const T*>(&c)) found = t;
    return found == nullptr;
  };
  s.applyStrict(find);
  return found;
}

// True (and `where` filled) when some value inside `v` lies deeper than `max`.
bool TooDeep(const Json& v, size_t depth, size_t max, std::vector<std::string>& where) {
  if (depth > max) return true;
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it)
      if (TooDeep(it.value(), depth + 1, max, where)) {
        where.push_back(it.key());
        return true;
      }
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i)
      if (TooDeep(v[i], depth + 1, max, where)) {
        where.push_back("[" + std::to_string(i) + "]");
        return true;
      }
  }
  return false;
}

bool IsIntegralFloat(const Json& v) {
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e18;
}

bool HasIntegralFloat(const Json& v) {
  if (IsIntegralFloat(v)) return true;
  if (v.is_structured())
    for (const auto& x : v)
      if (HasIntegralFloat(x)) return true;
  return false;
}

// Draft 7: "a number with a zero fractional part is an integer". valijson
// types 30.0 as a number only, so such numbers are retyped before a second try.
Json WithIntegralFloatsAsIntegers(const Json& v) {
  if (IsIntegralFloat(v)) return static_cast<int64_t>(v.get<double>());
  if (v.is_object()) {
    Json out = Json::object();
    for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = WithIntegralFloatsAsIntegers(it.value());
    return out;
  }
  if (v.is_array()) {
    Json out = Json::array();
    for (const auto& x : v) out.push_back(WithIntegralFloatsAsIntegers(x));
    return out;
  }
  return v;
}

}  // namespace

struct CompiledSchema::Impl {
  struct Property {
    const Subschema* whole = nullptr;
    bool items_alone = false;         // appended items are checked alone
    const Subschema* item = nullptr;  // their schema; nullptr: any item
  };

  Json json;
  Json compiled;  // json without kNotCompiled, with sub-schema indices
  SchemaSource source;
  valijson::Schema schema;

  bool by_property = false;
  std::map<std::string, Property, std::less<>> properties;
  bool has_properties_constraint = false;
  const Subschema* additional = nullptr;  // nullptr with a properties constraint: closed
  std::vector<std::string> required;

  const Property* Find(const std::string& key) const {
    auto it = properties.find(key);
    return it == properties.end() ? nullptr : &it->second;
  }

  // `path` is where `value` sits; violations carry paths below it.
  std::vector<SchemaViolation> Check(const Subschema& s, const Json& value, const std::string& path, bool all,
                                     const WorkflowLimits& limits) const {
    ViolationSink sink{.all = all, .max = limits.max_violations};
    std::vector<std::string> where;
    if (TooDeep(value, 0, limits.max_json_depth, where)) {
      std::string at = path;
      for (auto it = where.rbegin(); it != where.rend(); ++it)
        at = (*it)[0] == '[' ? at + *it : JsonPathMember(at, *it);
      sink.Add(at, "depth", "value nested deeper than " + std::to_string(limits.max_json_depth) + " levels");
      return std::move(sink.found);
    }
    if (Conforms(s, value)) return {};
    const Json* target = &value;
    Json retyped;
    if (HasIntegralFloat(value)) {
      retyped = WithIntegralFloatsAsIntegers(value);
      if (Conforms(s, retyped)) return {};
      target = &retyped;
    }
    ExplainFailure(s, source, *target, path, sink);
    if (sink.found.empty()) sink.Add(path, "schema", "value does not conform to the schema");
    return std::move(sink.found);
  }

  void IndexProperties() {
    const auto* props = FindConstraint<vc::PropertiesConstraint>(schema);
    has_properties_constraint = props != nullptr;
    if (props) {
      additional = props->getAdditionalPropertiesSubschema();
      const Json* declared = compiled.contains("properties") ? &compiled["properties"] : nullptr;
      props->applyToProperties([&](const auto& name, const Subschema* s) {
        Property p{s, false, nullptr};
        if (declared && declared->contains(name.c_str()))
          p.items_alone = ItemsAlone(declared->at(name.c_str()), *s, p.item);
        properties.emplace(name.c_str(), p);
        return true;
      });
    }
    if (const auto* req = FindConstraint<vc::RequiredConstraint>(schema))
      req->applyToRequiredProperties([&](const auto& name) {
        required.emplace_back(name.c_str());
        return true;
      });
    by_property = compiled.is_object() && !compiled.contains("patternProperties");
    if (by_property)
      for (const auto& [key, v] : compiled.items())
        if (!IsAnnotation(key) && key != "type" && key != "properties" && key != "required" &&
            key != "additionalProperties")
          by_property = false;
  }

  // True when `node` (a property's schema, compiled as `s`) says only type
  // and items (one schema for every item); `item` is then that schema.
  static bool ItemsAlone(const Json& node, const Subschema& s, const Subschema*& item) {
    if (!node.is_object()) return false;
    for (const auto& [key, v] : node.items())
      if (!IsAnnotation(key) && key != "type" && key != "items") return false;
    if (!node.contains("items")) return true;
    if (!node["items"].is_object()) return false;
    const auto* items = FindConstraint<vc::SingularItemsConstraint>(s);
    if (items == nullptr) return false;
    item = items->getItemsSubschema();
    return true;
  }
};

StatusOr<std::shared_ptr<const CompiledSchema>> CompiledSchema::Compile(const Json& schema) {
  if (!schema.is_object() && !schema.is_boolean())
    return InvalidArgument("a JSON Schema is an object or a boolean, not " + std::string(schema.type_name()));
  auto impl = std::make_unique<Impl>();
  impl->json = schema;
  impl->compiled = schema;
  Prepare(impl->compiled, impl->source.nodes);
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(impl->compiled);
    parser.populateSchema(adapter, impl->schema);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("the schema can not be compiled: ") + e.what());
  }
  impl->IndexProperties();
  return std::shared_ptr<const CompiledSchema>(new CompiledSchema(std::move(impl)));
}

CompiledSchema::CompiledSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledSchema::~CompiledSchema() = default;

const Json& CompiledSchema::json() const { return impl_->json; }

std::vector<SchemaViolation> CompiledSchema::Validate(const Json& value, bool all, const WorkflowLimits& limits) const {
  return impl_->Check(impl_->schema, value, "$", all, limits);
}

bool CompiledSchema::ChecksByProperty() const { return impl_->by_property; }

bool CompiledSchema::Allows(const std::string& key) const {
  return !impl_->has_properties_constraint || impl_->Find(key) != nullptr || impl_->additional != nullptr;
}

const std::vector<std::string>& CompiledSchema::RequiredProperties() const { return impl_->required; }

std::vector<SchemaViolation> CompiledSchema::ValidateProperty(const std::string& key, const Json& value,
                                                              const WorkflowLimits& limits) const {
  const std::string at = JsonPathMember("$", key);
  const Impl::Property* p = impl_->Find(key);
  const Subschema* s = p ? p->whole : impl_->additional;
  if (s == nullptr) {
    if (!impl_->has_properties_constraint) return {};
    return {{at, "additionalProperties", "property '" + key + "' is not declared"}};
  }
  return impl_->Check(*s, value, at, true, limits);
}

bool CompiledSchema::ChecksItemsAlone(const std::string& key) const {
  const Impl::Property* p = impl_->Find(key);
  return p && p->items_alone;
}

std::vector<SchemaViolation> CompiledSchema::ValidateItem(const std::string& key, const Json& item, size_t index,
                                                          const WorkflowLimits& limits) const {
  const Impl::Property* p = impl_->Find(key);
  if (!p || !p->item) return {};
  return impl_->Check(*p->item, item, JsonPathMember("$", key) + "[" + std::to_string(index) + "]", true, limits);
}

std::vector<SchemaViolation> ValidateJson(const Json& schema, const Json& value, bool all,
                                          const WorkflowLimits& limits) {
  auto compiled = CompiledSchema::Compile(schema);
  if (!compiled.ok()) return {{"$", "schema", compiled.status().message()}};
  return (*compiled)->Validate(value, all, limits);
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

std::string JsonPathMember(const std::string& path, const std::string& key) {
  bool plain = !key.empty();
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) plain = false;
  if (plain) return path + "." + key;
  std::string quoted;
  for (char c : key) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return path + "['" + quoted + "']";
}

}  // namespace relais::workflow
