#include "engine/workflow/schema_loader.h"

#include <regex>

namespace relais::workflow {
namespace {

// What a keyword's value must be.
enum class Kind {
  kSchema,        // a schema (mapping) or true / false
  kItems,         // a schema, or a list of schemas (one per position)
  kSchemaList,    // a non-empty list of schemas
  kPropertyMap,   // property name (identifier): schema
  kDefinitions,   // name: schema
  kPatternMap,    // regular expression: schema
  kDependencies,  // property: schema, or list of property names
  kType,          // a type name or a list of them
  kEnum,          // a non-empty list of values
  kAnyValue,      // const, default
  kList,          // examples
  kNumber,
  kPositive,  // multipleOf
  kCount,     // a whole number >= 0
  kPattern,   // a regular expression
  kBool,
  kText,      // any scalar, kept as written (title, description, $comment)
  kString,    // a text valijson reads: quoted if it looks like a number
  kRef,       // "#..." inside the same schema
  kRequired,  // names declared in properties
  kLabels,
  kEnumLabels,
};

struct Keyword {
  std::string name;
  Kind kind;
};

const std::vector<Keyword>& Keywords() {
  static const std::vector<Keyword> kKeywords = {
      {"type", Kind::kType},
      {"properties", Kind::kPropertyMap},
      {"required", Kind::kRequired},
      {"additionalProperties", Kind::kSchema},
      {"patternProperties", Kind::kPatternMap},
      {"propertyNames", Kind::kSchema},
      {"minProperties", Kind::kCount},
      {"maxProperties", Kind::kCount},
      {"dependencies", Kind::kDependencies},
      {"items", Kind::kItems},
      {"additionalItems", Kind::kSchema},
      {"minItems", Kind::kCount},
      {"maxItems", Kind::kCount},
      {"uniqueItems", Kind::kBool},
      {"contains", Kind::kSchema},
      {"enum", Kind::kEnum},
      {"const", Kind::kAnyValue},
      {"minimum", Kind::kNumber},
      {"maximum", Kind::kNumber},
      {"exclusiveMinimum", Kind::kNumber},
      {"exclusiveMaximum", Kind::kNumber},
      {"multipleOf", Kind::kPositive},
      {"minLength", Kind::kCount},
      {"maxLength", Kind::kCount},
      {"pattern", Kind::kPattern},
      {"format", Kind::kString},
      {"contentMediaType", Kind::kString},
      {"contentEncoding", Kind::kString},
      {"allOf", Kind::kSchemaList},
      {"anyOf", Kind::kSchemaList},
      {"oneOf", Kind::kSchemaList},
      {"not", Kind::kSchema},
      {"if", Kind::kSchema},
      {"then", Kind::kSchema},
      {"else", Kind::kSchema},
      {"definitions", Kind::kDefinitions},
      {"$ref", Kind::kRef},
      {"$id", Kind::kString},
      {"$schema", Kind::kString},
      {"$comment", Kind::kText},
      {"title", Kind::kText},
      {"description", Kind::kText},
      {"default", Kind::kAnyValue},
      {"examples", Kind::kList},
      {"readOnly", Kind::kBool},
      {"writeOnly", Kind::kBool},
      {"labels", Kind::kLabels},
      {"enum_labels", Kind::kEnumLabels},
  };
  return kKeywords;
}

const Keyword* FindKeyword(const std::string& name) {
  for (const auto& k : Keywords())
    if (k.name == name) return &k;
  return nullptr;
}

std::vector<std::string> KeywordNames() {
  std::vector<std::string> names;
  for (const auto& k : Keywords()) names.push_back(k.name);
  return names;
}

const std::vector<std::string>& TypeNames() {
  static const std::vector<std::string> kTypes = {"string", "number", "integer", "boolean", "object", "array", "null"};
  return kTypes;
}

// The JSON value of a scalar as the loader converts it (quoted: a text).
Json ScalarJson(const YAML::Node& n) { return n.Tag() == "!" ? Json(n.Scalar()) : PlainScalarToJson(n.Scalar()); }

bool IsBoolSchema(const YAML::Node& n) { return IsScalarNode(n) && ScalarJson(n).is_boolean(); }

// Checks one schema node and its sub-schemas. Every check reports at the
// offending node; Check returns false when it reported anything.
class SchemaChecker {
 public:
  SchemaChecker(YamlReader& r, const YAML::Node& root) : r_(r), d_(r.diag()), root_(root) {}

  // `scope`: the properties of the object schema this one refines (allOf,
  // if/then/else...), against which a `required` without properties beside
  // it is checked; undefined for a schema of a new value.
  bool Check(const YAML::Node& node, const std::string& what, size_t depth, const YAML::Node& scope) {
    const size_t before = d_.error_count();
    if (!r_.ChargeNode(node)) return false;
    if (depth > r_.limits().max_schema_depth) {
      d_.Error(YamlReader::Loc(node), "too-deep", what + " is nested too deeply", {},
               "at most " + std::to_string(r_.limits().max_schema_depth) + " levels");
      return false;
    }
    if (depth > 0 && IsBoolSchema(node)) return true;  // true: anything; false: nothing
    if (!r_.ExpectMap(node, what, YamlReader::Loc(node))) return false;
    const YAML::Node props = node["properties"];
    const YAML::Node in_scope = props.IsDefined() ? props : scope;
    for (const auto& kv : node) {
      const std::string name = IsScalarNode(kv.first) ? kv.first.Scalar() : "?";
      const Keyword* k = FindKeyword(name);
      if (k == nullptr) {
        d_.Error(YamlReader::Loc(kv.first), "unknown-key", "unknown JSON Schema keyword in " + what, "'" + name + "'",
                 "a draft-7 keyword (type, properties, required, enum, minItems, pattern, oneOf...) or labels, "
                 "enum_labels",
                 DidYouMean(name, KeywordNames()));
        continue;
      }
      CheckKeyword(*k, kv.second, node, what, depth, in_scope);
    }
    return d_.error_count() == before;
  }

 private:
  void CheckKeyword(const Keyword& k, const YAML::Node& v, const YAML::Node& schema, const std::string& what,
                    size_t depth, const YAML::Node& scope) {
    const std::string about = what + " " + k.name;
    const YAML::Node none;
    switch (k.kind) {
      case Kind::kSchema: {
        // Refinements of the same value see its properties; the others describe another value.
        const bool refines = k.name == "if" || k.name == "then" || k.name == "else" || k.name == "not";
        Check(v, about, depth + 1, refines ? scope : none);
        return;
      }
      case Kind::kItems:
        if (IsListNode(v)) {
          for (const auto& item : v) Check(item, about, depth + 1, none);
        } else {
          Check(v, about, depth + 1, none);
        }
        return;
      case Kind::kSchemaList:
        if (!r_.ExpectList(v, about, YamlReader::Loc(schema))) return;
        if (v.size() == 0) Error(v, k.name + " needs at least one schema", "at least one schema");
        for (const auto& item : v) Check(item, about, depth + 1, scope);
        return;
      case Kind::kPropertyMap:
      case Kind::kDefinitions:
      case Kind::kPatternMap:
        if (!r_.ExpectMap(v, about, YamlReader::Loc(schema))) return;
        for (const auto& kv : v) {
          if (k.kind == Kind::kPropertyMap) {
            if (!r_.Identifier(kv.first, "property name", YamlReader::Loc(v))) continue;
          } else if (k.kind == Kind::kPatternMap) {
            CheckRegex(kv.first, "patternProperties key");
          }
          const std::string name = IsScalarNode(kv.first) ? kv.first.Scalar() : "?";
          const std::string sub = k.kind == Kind::kPropertyMap ? what + " property '" + name + "'"
                                                               : what + " " + k.name + " '" + name + "'";
          Check(kv.second, sub, depth + 1, none);
        }
        return;
      case Kind::kDependencies:
        if (!r_.ExpectMap(v, about, YamlReader::Loc(schema))) return;
        for (const auto& kv : v) {
          if (IsListNode(kv.second)) {
            for (const auto& name : kv.second)
              if (!IsScalarNode(name)) Error(name, "a dependency list names properties", "a property name");
          } else {
            Check(kv.second, about + " '" + (IsScalarNode(kv.first) ? kv.first.Scalar() : "?") + "'", depth + 1, scope);
          }
        }
        return;
      case Kind::kType:
        if (IsListNode(v)) {
          for (const auto& item : v) CheckTypeName(item);
        } else {
          CheckTypeName(v);
        }
        return;
      case Kind::kEnum:
        if (r_.ExpectList(v, about, YamlReader::Loc(schema)) && v.size() == 0)
          Error(v, "enum needs at least one value", "a list of the allowed values");
        return;
      case Kind::kAnyValue: return;
      case Kind::kList: r_.ExpectList(v, about, YamlReader::Loc(schema)); return;
      case Kind::kNumber: {
        const bool is_bool = IsScalarNode(v) && v.Tag() != "!" && ScalarJson(v).is_boolean();
        if (!IsNumber(v))
          Error(v, k.name + " must be a number", "a number",
                is_bool && k.name.starts_with("exclusive")
                    ? "in draft 7, " + k.name + " is the bound itself: " + k.name + ": 0"
                    : "");
        return;
      }
      case Kind::kPositive:
        if (!IsNumber(v) || ScalarJson(v).get<double>() <= 0)
          Error(v, k.name + " must be a number > 0", "a number > 0");
        return;
      case Kind::kCount: {
        const Json n = IsScalarNode(v) && v.Tag() != "!" ? PlainScalarToJson(v.Scalar()) : Json();
        if (!n.is_number_integer() || n.get<int64_t>() < 0)
          Error(v, k.name + " must be a whole number ≥ 0", "a whole number ≥ 0",
                IsScalarNode(v) && v.Tag() == "!" ? "write the number without quotes" : "");
        return;
      }
      case Kind::kPattern:
        if (IsString(v, about)) CheckRegex(v, "pattern");
        return;
      case Kind::kBool: r_.Bool(v, about, YamlReader::Loc(schema)); return;
      case Kind::kText: r_.String(v, about, YamlReader::Loc(schema)); return;
      case Kind::kString: IsString(v, about); return;
      case Kind::kRef: CheckRef(v, about); return;
      case Kind::kRequired: CheckRequired(v, schema, scope); return;
      case Kind::kLabels: CheckLabels(v, about); return;
      case Kind::kEnumLabels: CheckEnumLabels(v, schema, about); return;
    }
  }

  void Error(const YAML::Node& at, const std::string& message, const std::string& expected,
             const std::string& hint = {}) {
    d_.Error(YamlReader::Loc(at), "schema-keyword", message, YamlReader::Describe(at), expected, hint);
  }

  static bool IsNumber(const YAML::Node& v) {
    return IsScalarNode(v) && v.Tag() != "!" && PlainScalarToJson(v.Scalar()).is_number();
  }

  // A scalar that stays a text in JSON (12 would become a number: quote it).
  bool IsString(const YAML::Node& v, const std::string& what) {
    if (!r_.ChargeNode(v)) return false;
    if (IsScalarNode(v) && ScalarJson(v).is_string()) return true;
    Error(v, what + " must be a text", "a text", IsScalarNode(v) ? "quote it: \"" + v.Scalar() + "\"" : std::string());
    return false;
  }

  void CheckRegex(const YAML::Node& v, const std::string& what) {
    if (!IsScalarNode(v)) return;
    try {
      std::regex re(v.Scalar(), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      Error(v, what + " is not a valid regular expression", "an ECMAScript regular expression",
            std::string("the regex library says: ") + e.what());
    }
  }

  // "#" or "#/definitions/name" (a JSON pointer) naming a schema of the same root.
  void CheckRef(const YAML::Node& v, const std::string& what) {
    if (!IsString(v, what)) return;
    const std::string ref = v.Scalar();
    if (!ref.starts_with("#")) {
      Error(v, "$ref must point inside the same schema", "'#/definitions/<name>' (or '#' for the schema itself)",
            "remote schemas are not fetched; copy the schema under definitions:");
      return;
    }
    if (Resolve(ref.substr(1)).IsDefined()) return;
    std::vector<std::string> known;
    if (const YAML::Node defs = root_["definitions"]; IsMapNode(defs))
      for (const auto& kv : defs) known.push_back("#/definitions/" + kv.first.Scalar());
    d_.Error(YamlReader::Loc(v), "schema-keyword", "$ref points to nothing in this schema", YamlReader::Describe(v),
             known.empty() ? "a schema declared under definitions:" : "one of " + JoinNames(known),
             DidYouMean(ref, known));
  }

  // The node a JSON pointer ("/definitions/a") names below root_; undefined if none.
  YAML::Node Resolve(const std::string& pointer) const {
    YAML::Node cur;
    cur.reset(root_);  // rebinds, copies nothing
    size_t at = 0;
    while (at < pointer.size()) {
      if (pointer[at] != '/') return YAML::Node(YAML::NodeType::Undefined);
      size_t next = pointer.find('/', at + 1);
      if (next == std::string::npos) next = pointer.size();
      std::string token = pointer.substr(at + 1, next - at - 1);
      for (size_t p = 0; (p = token.find("~1", p)) != std::string::npos;) token.replace(p, 2, "/");
      for (size_t p = 0; (p = token.find("~0", p)) != std::string::npos;) token.replace(p, 2, "~");
      const YAML::Node& map = cur;  // const lookups never add keys
      if (!IsMapNode(map) || !map[token].IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
      cur.reset(map[token]);
      at = next;
    }
    return cur;
  }

  void CheckTypeName(const YAML::Node& n) {
    if (IsScalarNode(n)) {
      for (const auto& t : TypeNames())
        if (n.Scalar() == t) return;
      d_.Error(YamlReader::Loc(n), "schema-type", "unknown JSON Schema type", YamlReader::Describe(n),
               "one of " + JoinNames(TypeNames()), DidYouMean(n.Scalar(), TypeNames()));
      return;
    }
    d_.Error(YamlReader::Loc(n), "schema-type", "a type must be a name", YamlReader::Describe(n),
             "one of " + JoinNames(TypeNames()));
  }

  void CheckRequired(const YAML::Node& v, const YAML::Node& schema, const YAML::Node& declared_in) {
    if (!r_.ExpectList(v, "required", YamlReader::Loc(schema))) return;
    std::vector<std::string> declared;
    if (IsMapNode(declared_in))
      for (const auto& kv : declared_in) declared.push_back(kv.first.Scalar());
    for (const auto& item : v) {
      if (IsScalarNode(item) && IsMapNode(declared_in) && declared_in[item.Scalar()].IsDefined()) continue;
      d_.Error(YamlReader::Loc(item), "schema-required", "required property is not declared in properties",
               YamlReader::Describe(item),
               declared.empty() ? "a property declared under properties" : "one of " + JoinNames(declared),
               IsScalarNode(item) ? DidYouMean(item.Scalar(), declared) : "");
    }
  }

  // {fr: text, en: text}, fr required.
  void CheckLabels(const YAML::Node& v, const std::string& what) {
    if (!r_.ExpectMap(v, what, YamlReader::Loc(v))) return;
    r_.CheckKeys(v, {"fr", "en"}, what);
    if (!v["fr"].IsDefined())
      d_.Error(YamlReader::Loc(v), "missing", what + " needs fr", YamlReader::Describe(v), "fr: \"...\" (en optional)");
    for (const char* lang : {"fr", "en"})
      if (const YAML::Node t = v[lang]; t.IsDefined()) IsString(t, what + " " + lang);
  }

  void CheckEnumLabels(const YAML::Node& v, const YAML::Node& schema, const std::string& what) {
    const YAML::Node options = schema["enum"];
    if (!IsListNode(options)) {
      d_.Error(YamlReader::Loc(v), "schema-keyword", "enum_labels needs an enum beside it", YamlReader::Describe(v),
               "enum: [...] in the same schema");
      return;
    }
    if (!r_.ExpectMap(v, what, YamlReader::Loc(v))) return;
    std::vector<std::string> values;
    for (const auto& o : options)
      if (IsScalarNode(o)) values.push_back(o.Scalar());
    for (const auto& kv : v) {
      const std::string key = IsScalarNode(kv.first) ? kv.first.Scalar() : "?";
      if (std::find(values.begin(), values.end(), key) == values.end())
        d_.Error(YamlReader::Loc(kv.first), "schema-enum-labels", "enum_labels names a value that is not in the enum",
                 "'" + key + "'", "one of " + JoinNames(values), DidYouMean(key, values));
      CheckLabels(kv.second, what + " '" + key + "'");
    }
  }

  YamlReader& r_;
  Diagnostics& d_;
  const YAML::Node root_;  // the schema being loaded, for $ref
};

}  // namespace

std::optional<Json> LoadSchema(YamlReader& reader, const YAML::Node& node, const std::string& what) {
  if (!SchemaChecker(reader, node).Check(node, what, 0, YAML::Node())) return std::nullopt;
  return reader.ToJson(node);
}

std::shared_ptr<const CompiledSchema> CompileSchema(YamlReader& reader, const YAML::Node& node, const Json& schema,
                                                    const std::string& what) {
  auto compiled = CompiledSchema::Compile(schema);
  if (compiled.ok()) return *compiled;
  SourceLocation at = YamlReader::Loc(node);
  if (at.line == 0) at = {1, 1};
  reader.diag().Error(at, "schema-compile", what + " can not be compiled", compiled.status().message(),
                      "a JSON Schema draft 7 the validator accepts",
                      "check each $ref: it must name a schema under definitions: of the same schema");
  return nullptr;
}

}  // namespace relais::workflow
