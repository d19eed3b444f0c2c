#include "engine/workflow/yaml_reader.h"

#include <charconv>
#include <cmath>

namespace relais::workflow {

SourceLocation YamlReader::Loc(const YAML::Node& node) {
  if (!node.IsDefined()) return {};
  YAML::Mark m = node.Mark();
  if (m.is_null() || m.line < 0) return {};
  return {m.line + 1, m.column + 1};
}

std::string YamlReader::Describe(const YAML::Node& node) {
  if (!node.IsDefined() || IsNullNode(node)) return "nothing";
  if (IsListNode(node)) return "a list";
  if (IsMapNode(node)) return "a mapping";
  std::string s = node.Scalar();
  if (s.size() > 40) s = s.substr(0, 40) + "…";
  return "'" + s + "'";
}

void YamlReader::CheckKeys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& context) {
  if (!IsMapNode(map) || !ChargeNode(map)) return;
  for (const auto& kv : map) {
    const YAML::Node key = kv.first;
    std::string name = IsScalarNode(key) ? key.Scalar() : "?";
    bool known = false;
    for (const auto& a : allowed) known = known || a == name;
    if (!known)
      diag_.Error(Loc(key), "unknown-key", "unknown key in " + context, "'" + name + "'",
                  "one of " + JoinNames(allowed, 20), DidYouMean(name, allowed));
  }
}

bool YamlReader::ExpectMap(const YAML::Node& node, const std::string& what, SourceLocation fallback) {
  if (IsMapNode(node)) return true;
  SourceLocation at = Loc(node);
  diag_.Error(at.line ? at : fallback, "wrong-type", what + " must be a mapping", Describe(node), "key: value pairs");
  return false;
}

bool YamlReader::ExpectList(const YAML::Node& node, const std::string& what, SourceLocation fallback) {
  if (IsListNode(node)) return true;
  SourceLocation at = Loc(node);
  diag_.Error(at.line ? at : fallback, "wrong-type", what + " must be a list", Describe(node),
              "a list ('- item' lines or [a, b])");
  return false;
}

bool YamlReader::WithinLimit(const YAML::Node& node, size_t count, size_t max, const std::string& problem) {
  if (count <= max) return true;
  diag_.Error(Loc(node), "too-large", problem, std::to_string(count), "at most " + std::to_string(max));
  return false;
}

std::optional<std::string> YamlReader::String(const YAML::Node& node, const std::string& what,
                                              SourceLocation fallback) {
  // Every scalar read is charged, so aliases can not multiply the loader's work.
  if (!ChargeNode(node)) return std::nullopt;
  if (IsScalarNode(node)) return node.Scalar();
  SourceLocation at = Loc(node);
  diag_.Error(at.line ? at : fallback, node.IsDefined() && !IsNullNode(node) ? "wrong-type" : "missing",
              what + (node.IsDefined() && !IsNullNode(node) ? " must be a text" : " is required"), Describe(node),
              "a text value");
  return std::nullopt;
}

std::optional<std::string> YamlReader::Identifier(const YAML::Node& node, const std::string& what,
                                                  SourceLocation fallback) {
  auto s = String(node, what, fallback);
  if (!s) return std::nullopt;
  bool ok = !s->empty() && s->size() <= limits_.max_identifier_length && (*s)[0] >= 'a' && (*s)[0] <= 'z';
  for (char c : *s) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (!ok) {
    diag_.Error(Loc(node), "bad-identifier", what + " is not a valid identifier", Describe(node),
                "lower-case letters, digits and '_', starting with a letter, at most " +
                    std::to_string(limits_.max_identifier_length) + " characters",
                "write accents and spaces in labels, not in identifiers");
    return std::nullopt;
  }
  return s;
}

std::optional<bool> YamlReader::Bool(const YAML::Node& node, const std::string& what, SourceLocation fallback) {
  if (IsScalarNode(node) && node.Tag() != "!") {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  SourceLocation at = Loc(node);
  diag_.Error(at.line ? at : fallback, "wrong-type", what + " must be true or false", Describe(node), "true or false");
  return std::nullopt;
}

std::optional<int64_t> YamlReader::Integer(const YAML::Node& node, const std::string& what, SourceLocation fallback) {
  if (IsScalarNode(node) && node.Tag() != "!") {
    Json v = PlainScalarToJson(node.Scalar());
    if (v.is_number_integer()) return v.get<int64_t>();
  }
  SourceLocation at = Loc(node);
  diag_.Error(at.line ? at : fallback, "wrong-type", what + " must be a whole number", Describe(node),
              "a whole number");
  return std::nullopt;
}

// Note: iterate maps with range-for (`const auto& kv : node`); yaml-cpp's
// iterator operator-> returns a temporary, so `it->first` dangles.
std::vector<std::pair<std::string, SourceLocation>> YamlReader::IdentifierList(const YAML::Node& node,
                                                                               const std::string& what,
                                                                               SourceLocation fallback) {
  std::vector<std::pair<std::string, SourceLocation>> out;
  if (IsScalarNode(node)) {
    if (auto id = Identifier(node, what, fallback)) out.emplace_back(*id, Loc(node));
    return out;
  }
  if (!ExpectList(node, what, fallback)) return out;
  for (const auto& item : node) {
    if (auto id = Identifier(item, what + " item", Loc(node))) out.emplace_back(*id, Loc(item));
  }
  return out;
}

Json PlainScalarToJson(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const char* digits = (*begin == '-' || *begin == '+') ? begin + 1 : begin;
  if (digits < end && *digits >= '0' && *digits <= '9') {
    int64_t i = 0;
    auto [p, ec] = std::from_chars(*begin == '+' ? begin + 1 : begin, end, i);
    if (ec == std::errc() && p == end) return i;
    double d = 0;
    auto [pd, ecd] = std::from_chars(*begin == '+' ? begin + 1 : begin, end, d);
    if (ecd == std::errc() && pd == end && std::isfinite(d)) return d;
  }
  return text;
}

std::optional<Json> YamlReader::ToJson(const YAML::Node& node) { return ToJsonAt(node, 0); }

bool YamlReader::ChargeNode(const YAML::Node& node) {
  if (++nodes_visited_ <= limits_.max_yaml_nodes) return true;
  if (nodes_visited_ == limits_.max_yaml_nodes + 1)
    diag_.Error(Loc(node), "too-large", "document has too many nodes (aliases included)", {},
                "at most " + std::to_string(limits_.max_yaml_nodes));
  return false;
}

std::optional<Json> YamlReader::ToJsonAt(const YAML::Node& node, size_t depth) {
  if (!ChargeNode(node)) return std::nullopt;
  if (depth > limits_.max_yaml_depth) {
    diag_.Error(Loc(node), "too-deep", "value nested too deeply", {},
                "at most " + std::to_string(limits_.max_yaml_depth) + " levels");
    return std::nullopt;
  }
  if (!node.IsDefined()) return Json(nullptr);
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return Json(nullptr);
    case YAML::NodeType::Scalar: return node.Tag() == "!" ? Json(node.Scalar()) : PlainScalarToJson(node.Scalar());
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) {
        auto v = ToJsonAt(item, depth + 1);
        if (!v) return std::nullopt;
        out.push_back(std::move(*v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) {
        if (!IsScalarNode(kv.first)) {
          diag_.Error(Loc(kv.first), "wrong-type", "mapping keys must be text", Describe(kv.first), "a text key");
          return std::nullopt;
        }
        auto v = ToJsonAt(kv.second, depth + 1);
        if (!v) return std::nullopt;
        out[kv.first.Scalar()] = std::move(*v);
      }
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace relais::workflow
