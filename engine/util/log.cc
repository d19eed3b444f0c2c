#include "engine/util/log.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "engine/util/json.h"
#include "engine/util/time_format.h"

namespace relais {
namespace {

class NullLoggerImpl final : public Logger {
 public:
  bool Enabled(LogLevel) const override { return false; }
  void Write(LogLevel, std::string_view, const std::vector<LogField>&) override {}
};

// Whether a text value must be quoted to stay one token of key=value.
bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

void AppendQuoted(std::string& out, std::string_view v) {
  out += '"';
  for (char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

spdlog::level::level_enum SpdLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
    case LogLevel::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

// spdlog carries the sink, its lock and the flushing; the line itself is
// made here so that text and JSON share one field discipline.
class SpdLogger final : public Logger {
 public:
  SpdLogger(std::shared_ptr<spdlog::logger> logger, LogOptions options)
      : logger_(std::move(logger)), options_(std::move(options)) {
    logger_->set_pattern("%v");
    logger_->set_level(SpdLevel(options_.level));
    logger_->flush_on(spdlog::level::warn);
  }
  ~SpdLogger() override { logger_->flush(); }

  bool Enabled(LogLevel level) const override { return level >= options_.level && level != LogLevel::kOff; }

  void Write(LogLevel level, std::string_view message, const std::vector<LogField>& fields) override {
    try {
      const std::string ts = FormatIso8601(SystemClock::Instance().Now());
      std::string line;
      if (options_.json) {
        std::string body = FormatLogJson(level, message, fields);
        line = "{\"ts\":\"" + ts + "\"," + body.substr(1);
      } else {
        line = ts + " " + FormatLogText(level, message, fields);
      }
      logger_->log(SpdLevel(level), "{}", line);
    } catch (...) {
      // A log line is never worth a crash.
    }
  }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  const LogOptions options_;
};

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "info";
}

std::optional<LogLevel> ParseLogLevel(std::string_view text) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError, LogLevel::kOff}) {
    if (LogLevelName(l) == text) return l;
  }
  return std::nullopt;
}

Logger& NullLogger() {
  static NullLoggerImpl logger;
  return logger;
}

std::string FormatLogText(LogLevel level, std::string_view message, const std::vector<LogField>& fields) {
  std::string out(LogLevelName(level));
  out += ' ';
  for (char c : message) out += (c == '\n' || c == '\r') ? ' ' : c;
  for (const LogField& f : fields) {
    out += ' ';
    out += f.key;
    out += '=';
    if (NeedsQuotes(f.value)) {
      AppendQuoted(out, f.value);
    } else {
      out += f.value;
    }
  }
  return out;
}

std::string FormatLogJson(LogLevel level, std::string_view message, const std::vector<LogField>& fields) {
  Json j = Json::object();
  j["level"] = LogLevelName(level);
  j["msg"] = message;
  for (const LogField& f : fields) {
    std::string key(f.key);
    if (key == "level" || key == "msg" || key == "ts") key = "field_" + key;  // never shadow the envelope
    j[key] = f.value;
  }
  return DumpJson(j);
}

StatusOr<std::unique_ptr<Logger>> MakeLogger(const LogOptions& options) {
  std::shared_ptr<spdlog::logger> logger;
  try {
    if (options.path.empty()) {
      logger = std::make_shared<spdlog::logger>("relais", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    } else {
      logger = std::make_shared<spdlog::logger>(
          "relais", std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.path, /*truncate=*/false));
    }
  } catch (const std::exception& e) {
    return InvalidArgument("log file '" + options.path + "' cannot be opened for appending: " + e.what());
  }
  return std::unique_ptr<Logger>(new SpdLogger(std::move(logger), options));
}

void CapturingLogger::Write(LogLevel level, std::string_view message, const std::vector<LogField>& fields) {
  Record r{level, std::string(message), {}};
  for (const LogField& f : fields) r.fields.emplace_back(std::string(f.key), f.value);
  std::lock_guard lock(mu_);
  records_.push_back(std::move(r));
}

std::vector<CapturingLogger::Record> CapturingLogger::records() const {
  std::lock_guard lock(mu_);
  return records_;
}

std::vector<CapturingLogger::Record> CapturingLogger::Matching(std::string_view text) const {
  std::vector<Record> out;
  for (Record& r : records()) {
    if (r.message.find(text) != std::string::npos) out.push_back(std::move(r));
  }
  return out;
}

std::string CapturingLogger::Record::Field(std::string_view key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  return "";
}

}  // namespace relais
