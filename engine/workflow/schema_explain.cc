#include "engine/workflow/schema_explain.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <unordered_map>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/schema.hpp>
#include <valijson/validation_visitor.hpp>

namespace relais::workflow {
namespace {

using Adapter = valijson::adapters::NlohmannJsonAdapter;
using valijson::Subschema;
using valijson::constraints::Constraint;
namespace vc = valijson::constraints;

// valijson compiles each `pattern` into this cache on first use. One per
// thread, so shared schemas need no lock. It holds the patterns of the
// loaded workflows; past this many (workflows replaced many times, or a
// fuzzer), it starts again empty rather than grow without end.
constexpr size_t kMaxCachedPatterns = 1024;

std::unordered_map<std::string, std::regex>& RegexCache() {
  thread_local std::unordered_map<std::string, std::regex> cache;
  if (cache.size() > kMaxCachedPatterns) cache.clear();  // between validations: valijson holds no entry now
  return cache;
}

bool Passes(const Constraint& c, const Json& value) {
  try {
    Adapter target(value);
    valijson::ValidationVisitor<Adapter> check(target, {}, /*strictTypes=*/true, nullptr, RegexCache());
    return c.accept(check);
  } catch (const std::exception&) {
    return false;
  }
}

constexpr size_t kMaxShownChars = 60;
constexpr size_t kMaxShownOptions = 20;

std::string FormatNumber(double d) {
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  return DumpJson(Json(d));
}

std::string Clip(std::string s) {
  if (s.size() <= kMaxShownChars) return s;
  size_t cut = kMaxShownChars;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  return s.substr(0, cut) + "…";
}

// A value as a message shows it: 'text', 12, true, {"a":1}.
std::string Shown(const Json& v) {
  if (v.is_string()) return "'" + Clip(v.get<std::string>()) + "'";
  return Clip(DumpJson(v));
}

// An enum option as listed after "one of:": text unquoted, the rest as JSON.
std::string Option(const Json& v) { return v.is_string() ? Clip(v.get<std::string>()) : Clip(DumpJson(v)); }

std::string TypeName(const Json& v) {
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  return v.type_name();
}

std::string Count(uint64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// Lower rank first: a wrong type is said before anything else, a missing
// property before the properties that are there, nested values last.
int Rank(const Constraint& c) {
  if (dynamic_cast<const vc::TypeConstraint*>(&c)) return 0;
  if (dynamic_cast<const vc::RequiredConstraint*>(&c)) return 1;
  if (dynamic_cast<const vc::PropertiesConstraint*>(&c) || dynamic_cast<const vc::SingularItemsConstraint*>(&c) ||
      dynamic_cast<const vc::LinearItemsConstraint*>(&c))
    return 3;
  return 2;
}

class Explainer final : public vc::ConstraintVisitor {
 public:
  Explainer(const SchemaSource& source, ViolationSink& sink, const Json& value, const std::string& path,
            const Json* node)
      : source_(source), sink_(sink), v_(value), path_(path), node_(node) {}

  static void Run(const Subschema& s, const SchemaSource& source, ViolationSink& sink, const Json& value,
                  const std::string& path) {
    if (sink.Done()) return;
    if (s.getAlwaysInvalid()) {
      sink.Add(path, "false", "no value is allowed here (the schema is false)");
      return;
    }
    std::vector<const Constraint*> constraints;
    Subschema::ApplyFunction collect = [&](const Constraint& c) {
      constraints.push_back(&c);
      return true;
    };
    s.apply(collect);
    std::stable_sort(constraints.begin(), constraints.end(),
                     [](const Constraint* a, const Constraint* b) { return Rank(*a) < Rank(*b); });
    Explainer e(source, sink, value, path, source.NodeOf(s));
    for (const Constraint* c : constraints) {
      if (sink.Done()) return;
      if (Passes(*c, value)) continue;
      c->accept(e);
      if (Rank(*c) == 0) return;  // the other keywords would only repeat the same mistake
    }
  }

  bool visit(const AllOfConstraint& c) override {
    c.applyToSubschemas([&](unsigned, const Subschema* s) {
      Nested(*s, v_, path_);
      return !sink_.Done();
    });
    return false;
  }

  bool visit(const AnyOfConstraint& c) override {
    sink_.Add(path_, "anyOf", "value matches none of the allowed forms: " + Reasons(c));
    return false;
  }

  bool visit(const OneOfConstraint& c) override {
    std::vector<std::string> matched;
    size_t n = 0;
    c.applyToSubschemas([&](unsigned i, const Subschema* s) {
      ++n;
      if (Conforms(*s, v_)) matched.push_back("#" + std::to_string(i + 1));
      return true;
    });
    if (matched.empty())
      sink_.Add(path_, "oneOf", "value matches none of the allowed forms: " + Reasons(c));
    else {
      std::string which;
      for (const auto& m : matched) which += (which.empty() ? "" : ", ") + m;
      sink_.Add(path_, "oneOf",
                "value matches " + std::to_string(matched.size()) + " of the " + std::to_string(n) + " forms (" +
                    which + "); exactly one must match");
    }
    return false;
  }

  bool visit(const ConditionalConstraint& c) override {
    const Subschema* branch = Conforms(*c.getIfSubschema(), v_) ? c.getThenSubschema() : c.getElseSubschema();
    if (branch) Nested(*branch, v_, path_);
    return false;
  }

  bool visit(const ConstConstraint&) override {
    const Json* expected = Keyword("const");
    sink_.Add(path_, "const",
              expected ? "expected " + Shown(*expected) + ", found " + Shown(v_)
                       : "value " + Shown(v_) + " is not the only value allowed here");
    return false;
  }

  bool visit(const ContainsConstraint&) override {
    sink_.Add(path_, "contains", "no item matches the schema under 'contains'");
    return false;
  }

  bool visit(const DependenciesConstraint& c) override {
    if (!v_.is_object()) return false;
    c.applyToPropertyDependencies([&](const auto& name, const auto& needed) {
      if (!v_.contains(std::string(name.c_str()))) return true;
      for (const auto& other : needed)
        if (!v_.contains(std::string(other.c_str())))
          sink_.Add(JsonPathMember(path_, other.c_str()), "dependencies",
                    "property '" + std::string(name.c_str()) + "' requires property '" + other.c_str() + "'");
      return !sink_.Done();
    });
    c.applyToSchemaDependencies([&](const auto& name, const Subschema* s) {
      if (v_.contains(std::string(name.c_str()))) Nested(*s, v_, path_);
      return !sink_.Done();
    });
    return false;
  }

  bool visit(const EnumConstraint&) override {
    const Json* options = Keyword("enum");
    if (options == nullptr || !options->is_array()) {
      sink_.Add(path_, "enum", "value " + Shown(v_) + " is not one of the allowed values");
      return false;
    }
    std::vector<std::string> shown;
    for (const auto& o : *options) {
      if (shown.size() == kMaxShownOptions) {
        shown.push_back("… (" + std::to_string(options->size()) + " in all)");
        break;
      }
      shown.push_back(Option(o));
    }
    std::string list;
    for (const auto& s : shown) list += (list.empty() ? "" : ", ") + s;
    sink_.Add(path_, "enum", "value " + Shown(v_) + " is not one of: " + list);
    return false;
  }

  bool visit(const FormatConstraint&) override { return true; }  // not checked (stripped before compiling)

  bool visit(const LinearItemsConstraint& c) override {
    if (!v_.is_array()) return false;
    c.applyToItemSubschemas([&](unsigned i, const Subschema* s) {
      if (i < v_.size()) Nested(*s, v_[i], Index(i));
      return !sink_.Done();
    });
    const size_t fixed = c.getItemSubschemaCount();
    const Subschema* extra = c.getAdditionalItemsSubschema();
    for (size_t i = fixed; i < v_.size() && !sink_.Done(); ++i) {
      if (extra == nullptr) {
        sink_.Add(path_, "additionalItems",
                  "expected at most " + Count(fixed, "item", "items") + ", found " + std::to_string(v_.size()));
        break;
      }
      Nested(*extra, v_[i], Index(i));
    }
    return false;
  }

  bool visit(const MaximumConstraint& c) override {
    const std::string max = FormatNumber(c.getMaximum());
    if (c.getExclusiveMaximum())
      sink_.Add(path_, "exclusiveMaximum", "value " + Shown(v_) + " is not less than " + max);
    else
      sink_.Add(path_, "maximum", "value " + Shown(v_) + " is greater than the maximum " + max);
    return false;
  }

  bool visit(const MinimumConstraint& c) override {
    const std::string min = FormatNumber(c.getMinimum());
    if (c.getExclusiveMinimum())
      sink_.Add(path_, "exclusiveMinimum", "value " + Shown(v_) + " is not greater than " + min);
    else
      sink_.Add(path_, "minimum", "value " + Shown(v_) + " is less than the minimum " + min);
    return false;
  }

  bool visit(const MaxItemsConstraint& c) override {
    sink_.Add(path_, "maxItems",
              "expected at most " + Count(c.getMaxItems(), "item", "items") + ", found " + std::to_string(v_.size()));
    return false;
  }

  bool visit(const MinItemsConstraint& c) override {
    sink_.Add(path_, "minItems",
              "expected at least " + Count(c.getMinItems(), "item", "items") + ", found " + std::to_string(v_.size()));
    return false;
  }

  bool visit(const MaxLengthConstraint& c) override {
    sink_.Add(path_, "maxLength",
              "expected at most " + Count(c.getMaxLength(), "character", "characters") + ", found " +
                  std::to_string(Utf8Length()));
    return false;
  }

  bool visit(const MinLengthConstraint& c) override {
    sink_.Add(path_, "minLength",
              "expected at least " + Count(c.getMinLength(), "character", "characters") + ", found " +
                  std::to_string(Utf8Length()));
    return false;
  }

  bool visit(const MaxPropertiesConstraint& c) override {
    sink_.Add(path_, "maxProperties",
              "expected at most " + Count(c.getMaxProperties(), "property", "properties") + ", found " +
                  std::to_string(v_.size()));
    return false;
  }

  bool visit(const MinPropertiesConstraint& c) override {
    sink_.Add(path_, "minProperties",
              "expected at least " + Count(c.getMinProperties(), "property", "properties") + ", found " +
                  std::to_string(v_.size()));
    return false;
  }

  bool visit(const MultipleOfDoubleConstraint& c) override {
    sink_.Add(path_, "multipleOf", "value " + Shown(v_) + " is not a multiple of " + FormatNumber(c.getDivisor()));
    return false;
  }

  bool visit(const MultipleOfIntConstraint& c) override {
    sink_.Add(path_, "multipleOf", "value " + Shown(v_) + " is not a multiple of " + std::to_string(c.getDivisor()));
    return false;
  }

  bool visit(const NotConstraint&) override {
    sink_.Add(path_, "not", "value " + Shown(v_) + " matches the schema under 'not', which it must not");
    return false;
  }

  bool visit(const PatternConstraint& c) override {
    sink_.Add(path_, "pattern",
              "value " + Shown(v_) + " does not match the pattern '" + c.getPattern<std::allocator<char>>() + "'");
    return false;
  }

  bool visit(const PolyConstraint&) override {
    sink_.Add(path_, "custom", "value " + Shown(v_) + " is refused by a custom constraint");
    return false;
  }

  bool visit(const PropertiesConstraint& c) override {
    if (!v_.is_object()) return false;
    for (const auto& entry : v_.items()) {  // named, not bound: clang before 16 can not capture bindings
      const std::string& key = entry.key();
      const Json& item = entry.value();
      if (sink_.Done()) break;
      const std::string at = JsonPathMember(path_, key);
      bool matched = false;
      c.applyToProperties([&](const auto& name, const Subschema* s) {
        if (key != name.c_str()) return true;
        matched = true;
        Nested(*s, item, at);
        return false;
      });
      c.applyToPatternProperties([&](const auto& pattern, const Subschema* s) {
        if (!std::regex_search(key, std::regex(pattern.c_str()))) return true;
        matched = true;
        Nested(*s, item, at);
        return !sink_.Done();
      });
      if (matched) continue;
      if (const Subschema* extra = c.getAdditionalPropertiesSubschema())
        Nested(*extra, item, at);
      else
        sink_.Add(at, "additionalProperties", "property '" + key + "' is not declared");
    }
    return false;
  }

  bool visit(const PropertyNamesConstraint& c) override {
    if (!v_.is_object()) return false;
    for (const auto& entry : v_.items()) {  // named, not bound: clang before 16 can not capture bindings
      const std::string& key = entry.key();
      const Json& item = entry.value();
      if (sink_.Done()) break;
      const Json name = key;
      if (Conforms(*c.getSubschema(), name)) continue;
      ViolationSink why{.all = false, .max = 1};
      Run(*c.getSubschema(), source_, why, name, "$");
      sink_.Add(JsonPathMember(path_, key), "propertyNames",
                "property name '" + key + "' is not allowed" + (why.found.empty() ? "" : ": " + why.found[0].message));
    }
    return false;
  }

  bool visit(const RequiredConstraint& c) override {
    if (!v_.is_object()) return false;
    c.applyToRequiredProperties([&](const auto& name) {
      const std::string key = name.c_str();
      if (!v_.contains(key))
        sink_.Add(JsonPathMember(path_, key), "required", "missing required property '" + key + "'");
      return !sink_.Done();
    });
    return false;
  }

  bool visit(const SingularItemsConstraint& c) override {
    if (!v_.is_array()) return false;
    for (size_t i = 0; i < v_.size() && !sink_.Done(); ++i) Nested(*c.getItemsSubschema(), v_[i], Index(i));
    return false;
  }

  bool visit(const TypeConstraint& c) override {
    std::vector<std::string> wanted = SchemaTypes(node_ ? *node_ : Json());
    if (wanted.empty())
      c.applyToNamedTypes([&](TypeConstraint::JsonType t) {
        static const char* const kNames[] = {"any",  "array",  "boolean", "integer",
                                             "null", "number", "object",  "string"};
        const auto i = static_cast<size_t>(t);
        if (i < std::size(kNames)) wanted.push_back(kNames[i]);
        return true;
      });
    std::string list;
    for (const auto& t : wanted) list += (list.empty() ? "" : " or ") + t;
    sink_.Add(path_, "type", "expected " + list + ", found " + TypeName(v_));
    return false;
  }

  bool visit(const UniqueItemsConstraint&) override {
    for (size_t i = 0; i < v_.size(); ++i)
      for (size_t j = i + 1; j < v_.size(); ++j)
        if (v_[i] == v_[j]) {
          sink_.Add(Index(j), "uniqueItems",
                    "item " + std::to_string(j) + " repeats item " + std::to_string(i) + " (" + Shown(v_[j]) +
                        "); items must be unique");
          return false;
        }
    sink_.Add(path_, "uniqueItems", "items must be unique");
    return false;
  }

 private:
  void Nested(const Subschema& s, const Json& value, const std::string& path) { Run(s, source_, sink_, value, path); }

  std::string Index(size_t i) const { return path_ + "[" + std::to_string(i) + "]"; }

  const Json* Keyword(const char* name) const {
    if (node_ == nullptr || !node_->is_object()) return nullptr;
    auto it = node_->find(name);
    return it == node_->end() ? nullptr : &*it;
  }

  size_t Utf8Length() const {
    size_t n = 0;
    if (v_.is_string())
      for (unsigned char ch : v_.get_ref<const std::string&>())
        if ((ch & 0xC0) != 0x80) ++n;
    return n;
  }

  // Why each form of an anyOf / oneOf refuses the value, first reason each.
  template <typename Alternatives>
  std::string Reasons(const Alternatives& c) {
    std::string out;
    c.applyToSubschemas([&](unsigned i, const Subschema* s) {
      ViolationSink why{.all = false, .max = 1};
      Run(*s, source_, why, v_, "$");
      std::string reason = why.found.empty() ? "refused" : why.found[0].message;
      if (!why.found.empty() && why.found[0].path != "$") reason = why.found[0].path + ": " + reason;
      out += (out.empty() ? "" : "; ") + ("#" + std::to_string(i + 1) + " " + reason);
      return true;
    });
    return out;
  }

  const SchemaSource& source_;
  ViolationSink& sink_;
  const Json& v_;
  const std::string& path_;
  const Json* node_;
};

}  // namespace

const Json* SchemaSource::NodeOf(const Subschema& s) const {
  if (!s.hasDescription()) return nullptr;
  const std::string d = s.getDescription();
  if (d.size() < 2 || d[0] != '#') return nullptr;
  size_t i = 0;
  for (size_t k = 1; k < d.size(); ++k) {
    if (d[k] < '0' || d[k] > '9') return nullptr;
    i = i * 10 + static_cast<size_t>(d[k] - '0');
    if (i >= nodes.size()) return nullptr;
  }
  return nodes[i];
}

void ViolationSink::Add(std::string path, std::string keyword, std::string message) {
  if (!Done()) found.push_back({std::move(path), std::move(keyword), std::move(message)});
}

bool Conforms(const Subschema& schema, const Json& value) {
  try {
    Adapter target(value);
    valijson::ValidationVisitor<Adapter> check(target, {}, /*strictTypes=*/true, nullptr, RegexCache());
    return check.validateSchema(schema);
  } catch (const std::exception&) {
    return false;
  }
}

void ExplainFailure(const Subschema& schema, const SchemaSource& source, const Json& value, const std::string& path,
                    ViolationSink& sink) {
  Explainer::Run(schema, source, sink, value, path);
}

}  // namespace relais::workflow
