#include "engine/workflow/schema_loader.h"

#include "engine/workflow/json_schema.h"

namespace relais::workflow {
namespace {

const std::vector<std::string>& TypeNames() {
  static const std::vector<std::string> kTypes = {"string", "number", "integer", "boolean", "object", "array", "null"};
  return kTypes;
}

bool CheckTypeName(YamlReader& r, const YAML::Node& n) {
  if (IsScalarNode(n)) {
    for (const auto& t : TypeNames())
      if (n.Scalar() == t) return true;
    r.diag().Error(YamlReader::Loc(n), "schema-type", "unknown JSON Schema type", YamlReader::Describe(n),
                   "one of " + JoinNames(TypeNames()), DidYouMean(n.Scalar(), TypeNames()));
    return false;
  }
  r.diag().Error(YamlReader::Loc(n), "schema-type", "a type must be a name", YamlReader::Describe(n),
                 "one of " + JoinNames(TypeNames()));
  return false;
}

bool Check(YamlReader& r, const YAML::Node& node, const std::string& what, size_t depth) {
  Diagnostics& d = r.diag();
  if (!r.ChargeNode(node)) return false;
  if (depth > r.limits().max_schema_depth) {
    d.Error(YamlReader::Loc(node), "too-deep", what + " is nested too deeply", {},
            "at most " + std::to_string(r.limits().max_schema_depth) + " levels");
    return false;
  }
  if (!r.ExpectMap(node, what, YamlReader::Loc(node))) return false;
  bool ok = true;
  size_t before = d.error_count();
  r.CheckKeys(node, SupportedSchemaKeywords(), what);
  ok = d.error_count() == before;
  if (const YAML::Node t = node["type"]; t.IsDefined()) {
    if (IsListNode(t)) {
      for (const auto& item : t) ok = CheckTypeName(r, item) && ok;
    } else {
      ok = CheckTypeName(r, t) && ok;
    }
  }
  if (const YAML::Node p = node["properties"]; p.IsDefined()) {
    if (r.ExpectMap(p, what + " properties", YamlReader::Loc(node))) {
      for (const auto& kv : p) {
        auto name = r.Identifier(kv.first, "property name", YamlReader::Loc(p));
        ok = name.has_value() && ok;
        ok = Check(r, kv.second, what + " property '" + kv.first.Scalar() + "'", depth + 1) && ok;
      }
    } else {
      ok = false;
    }
  }
  if (const YAML::Node req = node["required"]; req.IsDefined()) {
    if (r.ExpectList(req, "required", YamlReader::Loc(node))) {
      const YAML::Node p = node["properties"];
      for (const auto& item : req) {
        if (!IsScalarNode(item) || !IsMapNode(p) || !p[item.Scalar()].IsDefined()) {
          std::vector<std::string> declared;
          if (IsMapNode(p))
            for (const auto& kv : p) declared.push_back(kv.first.Scalar());
          d.Error(YamlReader::Loc(item), "schema-required", "required property is not declared in properties",
                  YamlReader::Describe(item),
                  declared.empty() ? "a property declared under properties" : "one of " + JoinNames(declared),
                  IsScalarNode(item) ? DidYouMean(item.Scalar(), declared) : "");
          ok = false;
        }
      }
    } else {
      ok = false;
    }
  }
  for (const char* key : {"minimum", "maximum"}) {
    if (const YAML::Node n = node[key]; n.IsDefined()) {
      if (!IsScalarNode(n) || n.Tag() == "!" || !PlainScalarToJson(n.Scalar()).is_number()) {
        d.Error(YamlReader::Loc(n), "schema-keyword", std::string(key) + " must be a number", YamlReader::Describe(n),
                "a number");
        ok = false;
      }
    }
  }
  for (const char* key : {"minLength", "maxLength"}) {
    if (const YAML::Node n = node[key]; n.IsDefined()) {
      Json v = IsScalarNode(n) && n.Tag() != "!" ? PlainScalarToJson(n.Scalar()) : Json();
      if (!v.is_number_integer() || v.get<int64_t>() < 0) {
        d.Error(YamlReader::Loc(n), "schema-keyword", std::string(key) + " must be a whole number ≥ 0",
                YamlReader::Describe(n), "a whole number ≥ 0");
        ok = false;
      }
    }
  }
  if (const YAML::Node e = node["enum"]; e.IsDefined()) {
    if (!r.ExpectList(e, "enum", YamlReader::Loc(node))) ok = false;
  }
  if (const YAML::Node items = node["items"]; items.IsDefined()) {
    ok = Check(r, items, what + " items", depth + 1) && ok;
  }
  if (const YAML::Node extra = node["additionalProperties"]; extra.IsDefined()) {
    if (IsMapNode(extra)) {
      ok = Check(r, extra, what + " additionalProperties", depth + 1) && ok;
    } else if (!r.Bool(extra, "additionalProperties", YamlReader::Loc(node))) {
      ok = false;
    }
  }
  return ok;
}

}  // namespace

std::optional<Json> LoadSchema(YamlReader& reader, const YAML::Node& node, const std::string& what) {
  if (!Check(reader, node, what, 0)) return std::nullopt;
  return reader.ToJson(node);
}

}  // namespace relais::workflow
