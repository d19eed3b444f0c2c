// Logger: the one log seam of Relais (after LevelDB's Options::info_log).
// Units receive a Logger& (or Logger*) in their Options and never write to
// stderr themselves. A record is one line: a level, a message and structured
// fields (key=value in text, members in JSON lines). The production logger is
// spdlog behind MakeLogger; tests use CapturingLogger or NullLogger().
//
// Thread-safety: every Logger is safe for concurrent access from multiple
// threads without any external synchronization.
#pragma once

#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace relais {

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError, kOff };

std::string_view LogLevelName(LogLevel level);
// "debug", "info", "warn", "error" or "off"; nullopt for anything else.
std::optional<LogLevel> ParseLogLevel(std::string_view text);

// One structured field of a record. The value is text; numbers are written
// as text too (JSON lines keep them as strings, so a field's type never
// depends on its value).
struct LogField {
  std::string_view key;
  std::string value;
};

class Logger {
 public:
  virtual ~Logger() = default;
  // Whether records at level are written (lets a caller skip building fields).
  virtual bool Enabled(LogLevel level) const = 0;
  // Writes one record. Never throws; a failing sink drops the record.
  virtual void Write(LogLevel level, std::string_view message, const std::vector<LogField>& fields) = 0;

  void Debug(std::string_view message, std::vector<LogField> fields = {}) { Log(LogLevel::kDebug, message, fields); }
  void Info(std::string_view message, std::vector<LogField> fields = {}) { Log(LogLevel::kInfo, message, fields); }
  void Warn(std::string_view message, std::vector<LogField> fields = {}) { Log(LogLevel::kWarn, message, fields); }
  void Error(std::string_view message, std::vector<LogField> fields = {}) { Log(LogLevel::kError, message, fields); }

 private:
  void Log(LogLevel level, std::string_view message, const std::vector<LogField>& fields) {
    if (Enabled(level)) Write(level, message, fields);
  }
};

// A logger that writes nothing; the default of every unit's Options.
Logger& NullLogger();

// Where and how the production logger writes.
struct LogOptions {
  LogLevel level = LogLevel::kInfo;
  bool json = false;  // JSON lines instead of "time level message key=value"
  std::string path;   // a file to append to; empty: standard error
};

// The spdlog-backed logger. Fails with kInvalidArgument when path cannot be
// opened for appending (the message names the path and the cause).
StatusOr<std::unique_ptr<Logger>> MakeLogger(const LogOptions& options);

// Keeps every record in memory, for tests.
class CapturingLogger final : public Logger {
 public:
  struct Record {
    LogLevel level;
    std::string message;
    std::vector<std::pair<std::string, std::string>> fields;
    // The value of field key, or "" when absent.
    std::string Field(std::string_view key) const;
  };
  explicit CapturingLogger(LogLevel level = LogLevel::kDebug) : level_(level) {}
  bool Enabled(LogLevel level) const override { return level >= level_; }
  void Write(LogLevel level, std::string_view message, const std::vector<LogField>& fields) override;
  std::vector<Record> records() const;
  // Records whose message contains text.
  std::vector<Record> Matching(std::string_view text) const;

 private:
  const LogLevel level_;
  mutable std::mutex mu_;
  std::vector<Record> records_;
};

// The text and JSON lines of one record, without the time stamp (shared by
// the spdlog sink formatter and tests).
std::string FormatLogText(LogLevel level, std::string_view message, const std::vector<LogField>& fields);
std::string FormatLogJson(LogLevel level, std::string_view message, const std::vector<LogField>& fields);

}  // namespace relais
