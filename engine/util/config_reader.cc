#include "engine/util/config_reader.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <set>

namespace relais {

Status ConfigReader::Error(const YAML::Mark& mark, const std::string& message) const {
  std::string where(source_);
  if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  return InvalidArgument(where + ": " + message);
}

std::string ConfigReader::Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Scalar: return (node.Tag() == "!" ? "the string \"" : "\"") + node.Scalar() + "\"";
    default: return "an undefined value";
  }
}

Status ConfigReader::Unsigned(const YAML::Node& node, const std::string& key, uint64_t min, uint64_t max,
                              uint64_t* out) const {
  const std::string expected = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!node.IsScalar() || node.Tag() == "!") {
    return Error(node.Mark(), key + ": expected " + expected + ", got " + Describe(node));
  }
  std::string digits;
  for (char c : node.Scalar()) {
    if (c != '_') digits += c;  // YAML 1.1 allows 1_048_576
  }
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || v < min || v > max) {
    return Error(node.Mark(), key + ": expected " + expected + ", got " + Describe(node));
  }
  *out = v;
  return Status::Ok();
}

Status ConfigReader::String(const YAML::Node& node, const std::string& key, std::string* out) const {
  if (!node.IsScalar() || node.Scalar().empty()) {
    return Error(node.Mark(), key + ": expected a non-empty string, got " + Describe(node));
  }
  *out = node.Scalar();
  return Status::Ok();
}

Status ConfigReader::Bool(const YAML::Node& node, const std::string& key, bool* out) const {
  if (node.IsScalar() && node.Tag() != "!") {
    if (node.Scalar() == "true") {
      *out = true;
      return Status::Ok();
    }
    if (node.Scalar() == "false") {
      *out = false;
      return Status::Ok();
    }
  }
  return Error(node.Mark(), key + ": expected true or false, got " + Describe(node));
}

Status ConfigReader::HttpUrl(const YAML::Node& node, const std::string& key, std::string* out) const {
  std::string url;
  RELAIS_RETURN_IF_ERROR(String(node, key, &url));
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Error(node.Mark(), key + ": expected an http:// or https:// URL, got " + Describe(node));
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  *out = std::move(url);
  return Status::Ok();
}

Status ConfigReader::StringList(const YAML::Node& node, const std::string& key, const std::string& what,
                                std::vector<std::string>* out) const {
  if (!node.IsSequence()) return Error(node.Mark(), key + ": expected a list of " + what + ", got " + Describe(node));
  std::vector<std::string> items;
  for (size_t i = 0; i < node.size(); ++i) {
    std::string item;
    RELAIS_RETURN_IF_ERROR(String(node[i], key + "[" + std::to_string(i) + "]", &item));
    items.push_back(std::move(item));
  }
  *out = std::move(items);
  return Status::Ok();
}

Status ConfigReader::Map(const YAML::Node& node, const std::string& where, const std::vector<Field>& fields) const {
  if (node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return Error(node.Mark(), where + ": expected a map, got " + Describe(node));
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    // The iterator yields a temporary pair: copy the (cheap, shared) nodes.
    const YAML::Node key_node = it->first;
    const YAML::Node value_node = it->second;
    if (!key_node.IsScalar()) return Error(key_node.Mark(), where + ": keys must be plain names");
    const std::string key = key_node.Scalar();
    const std::string path = where.empty() ? key : where + "." + key;
    if (!seen.insert(key).second) return Error(key_node.Mark(), "duplicate key '" + path + "'");
    const Field* field = nullptr;
    for (const Field& f : fields) {
      if (f.key == key) field = &f;
    }
    if (field == nullptr) {
      std::string known;
      for (const Field& f : fields) known += (known.empty() ? "" : ", ") + f.key;
      return Error(key_node.Mark(), "unknown key '" + path + "'" +
                                        (where.empty() ? "" : " in section '" + where + "'") +
                                        "; known keys: " + known);
    }
    RELAIS_RETURN_IF_ERROR(field->parse(value_node, path));
  }
  return Status::Ok();
}

ConfigReader::Field ConfigReader::MillisField(std::string key, std::chrono::milliseconds* out, uint64_t min,
                                              uint64_t max) const {
  return {std::move(key), [this, out, min, max](const YAML::Node& v, const std::string& path) {
            uint64_t x = 0;
            RELAIS_RETURN_IF_ERROR(Unsigned(v, path, min, max, &x));
            *out = std::chrono::milliseconds(x);
            return Status::Ok();
          }};
}

ConfigReader::Field ConfigReader::StringField(std::string key, std::string* out) const {
  return {std::move(key), [this, out](const YAML::Node& v, const std::string& path) { return String(v, path, out); }};
}

ConfigReader::Field ConfigReader::BoolField(std::string key, bool* out) const {
  return {std::move(key), [this, out](const YAML::Node& v, const std::string& path) { return Bool(v, path, out); }};
}

ConfigReader::Field ConfigReader::HttpUrlField(std::string key, std::string* out) const {
  return {std::move(key), [this, out](const YAML::Node& v, const std::string& path) { return HttpUrl(v, path, out); }};
}

bool IsIpLiteral(const std::string& text) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

}  // namespace relais
