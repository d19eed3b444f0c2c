#include "engine/store/rocksdb_log.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace relais {
namespace {

// A record longer than this is cut: RocksDB's error records can carry whole
// version edits, and a log line is for a person to read.
constexpr size_t kMaxRecordBytes = 1024;

}  // namespace

RocksDbLogForwarder::RocksDbLogForwarder(relais::Logger& log)
    : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), log_(log) {}

// Records without a level are informational (RocksDB's LogBuffer summaries).
void RocksDbLogForwarder::Logv(const char* format, va_list ap) { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }

void RocksDbLogForwarder::Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
  if (!forwarding_.load(std::memory_order_acquire)) return;
  Write(level, format, ap);
}

void RocksDbLogForwarder::Write(rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  const LogLevel ours = level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? LogLevel::kError : LogLevel::kWarn;
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

std::shared_ptr<RocksDbLogForwarder> MakeRocksDbLogger(Logger& log) {
  return std::make_shared<RocksDbLogForwarder>(log);
}

}  // namespace relais
