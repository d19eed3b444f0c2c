#include "engine/store/rocksdb_log.h"

#include <cstdarg>
#include <cstdio>
#include <string>

#include <rocksdb/env.h>

namespace relais {
namespace {

// A record longer than this is cut: RocksDB's error records can carry whole
// version edits, and a log line is for a person to read.
constexpr size_t kMaxRecordBytes = 1024;

class RocksDbLogAdapter final : public rocksdb::Logger {
 public:
  explicit RocksDbLogAdapter(relais::Logger& log) : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), log_(log) {}

  void Logv(const char* format, va_list ap) override { Write(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    Write(level, format, ap);
  }
  void LogHeader(const char*, va_list) override {}  // the options dump: not for Relais's log

 private:
  void Write(rocksdb::InfoLogLevel level, const char* format, va_list ap) {
    const LogLevel ours = level >= rocksdb::InfoLogLevel::ERROR_LEVEL  ? LogLevel::kError
                          : level >= rocksdb::InfoLogLevel::WARN_LEVEL ? LogLevel::kWarn
                                                                       : LogLevel::kInfo;
    if (!log_.Enabled(ours)) return;
    char buffer[kMaxRecordBytes];
    const int n = std::vsnprintf(buffer, sizeof(buffer), format, ap);
    if (n < 0) return;
    std::string text(buffer, std::min(static_cast<size_t>(n), sizeof(buffer) - 1));
    for (char& c : text)
      if (c == '\n' || c == '\r') c = ' ';  // one line per record
    while (!text.empty() && text.back() == ' ') text.pop_back();
    log_.Write(ours, text, {{"source", "rocksdb"}});
  }

  relais::Logger& log_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> MakeRocksDbLogger(Logger& log) { return std::make_shared<RocksDbLogAdapter>(log); }

}  // namespace relais
