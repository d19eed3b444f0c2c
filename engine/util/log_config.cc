#include "engine/util/log_config.h"

#include "engine/util/config_reader.h"

#include <optional>

namespace relais {

Status ParseLoggingSection(const ConfigReader& r, const YAML::Node& node, LogOptions* out) {
  LogOptions& o = *out;
  return r.Map(node, "logging",
               {
                   {"level",
                    [&](const YAML::Node& v, const std::string& path) {
                      std::optional<LogLevel> level = v.IsScalar() ? ParseLogLevel(v.Scalar()) : std::nullopt;
                      if (!level) {
                        return r.Error(v.Mark(), path + ": expected debug, info, warn, error or off, got " +
                                                     ConfigReader::Describe(v));
                      }
                      o.level = *level;
                      return Status::Ok();
                    }},
                   {"format",
                    [&](const YAML::Node& v, const std::string& path) {
                      if (v.IsScalar() && (v.Scalar() == "text" || v.Scalar() == "json")) {
                        o.json = v.Scalar() == "json";
                        return Status::Ok();
                      }
                      return r.Error(v.Mark(), path + ": expected text or json, got " + ConfigReader::Describe(v));
                    }},
                   {"file",
                    [&](const YAML::Node& v, const std::string& path) {
                      // Empty (or null): standard error.
                      if (v.IsNull()) {
                        o.path.clear();
                        return Status::Ok();
                      }
                      if (!v.IsScalar()) {
                        return r.Error(v.Mark(), path + ": expected a file path, or empty for standard error, got " +
                                                     ConfigReader::Describe(v));
                      }
                      o.path = v.Scalar();
                      return Status::Ok();
                    }},
               });
}

}  // namespace relais
