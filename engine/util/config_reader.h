// ConfigReader: the one place where yaml-cpp's node model and exceptions meet
// Relais's configuration file. Each unit owns its Options struct and the
// parser of its section (store_config.h, webhook_config.h, ...); those
// parsers describe their keys with the Field builders below, and the
// composition root (engine/cli/relais_config.h) maps the file's sections to
// them once.
//
// Errors are kInvalidArgument and read "<source>:<line>:<column>: <key path>:
// expected <what>, got <what was there>"; an unknown key lists the known ones;
// a duplicate key is an error.
//
// Thread-safety: stateless once built; safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/util/status.h"

namespace relais {

class ConfigReader {
 public:
  explicit ConfigReader(std::string_view source) : source_(source) {}

  // "<source>:<line>:<column>: message".
  Status Error(const YAML::Mark& mark, const std::string& message) const;

  // How a value reads in an error: "nothing", "a list", "a map", "\"text\"".
  static std::string Describe(const YAML::Node& node);

  // An unsigned integer written plainly (1_048_576 allowed), in [min, max].
  Status Unsigned(const YAML::Node& node, const std::string& key, uint64_t min, uint64_t max, uint64_t* out) const;
  // A non-empty string.
  Status String(const YAML::Node& node, const std::string& key, std::string* out) const;
  // true or false, written plainly.
  Status Bool(const YAML::Node& node, const std::string& key, bool* out) const;
  // An http:// or https:// URL; trailing slashes are dropped.
  Status HttpUrl(const YAML::Node& node, const std::string& key, std::string* out) const;
  // A list of non-empty strings; what names one item in the error ("programme ids").
  Status StringList(const YAML::Node& node, const std::string& key, const std::string& what,
                    std::vector<std::string>* out) const;

  // One key of a map: its parser gets the value and its dotted path.
  using FieldParser = std::function<Status(const YAML::Node& value, const std::string& path)>;
  struct Field {
    std::string key;
    FieldParser parse;
  };

  // Applies fields to a map node (null: nothing to apply). Unknown or
  // duplicate keys are errors; where is the section's path ("" at the top).
  Status Map(const YAML::Node& node, const std::string& where, const std::vector<Field>& fields) const;

  template <typename T>
  Field UnsignedField(std::string key, T* out, uint64_t min, uint64_t max = std::numeric_limits<T>::max()) const {
    return {std::move(key), [this, out, min, max](const YAML::Node& v, const std::string& path) {
              uint64_t x = 0;
              RELAIS_RETURN_IF_ERROR(Unsigned(v, path, min, max, &x));
              *out = static_cast<T>(x);
              return Status::Ok();
            }};
  }
  Field MillisField(std::string key, std::chrono::milliseconds* out, uint64_t min, uint64_t max) const;
  Field StringField(std::string key, std::string* out) const;
  Field BoolField(std::string key, bool* out) const;
  Field HttpUrlField(std::string key, std::string* out) const;

 private:
  std::string source_;
};

// Bounds shared by several sections.
inline constexpr uint64_t kConfigMaxMillis = 24ull * 3600 * 1000;  // a day

// True when text is an IPv4 or IPv6 address literal.
bool IsIpLiteral(const std::string& text);

}  // namespace relais
