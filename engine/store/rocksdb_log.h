// RocksDB's info log, written to Relais's log seam instead of RocksDB's own
// LOG file, and only once the database has opened.
//
// Why: RocksDB 7.8's file logger aborts the process (an assertion in its file
// writer) on the first record after a write to LOG failed, which a full disk
// makes certain: `relais serve` on a full disk died by SIGABRT before the
// store could report anything. Through this adapter no LOG file is written,
// and RocksDB's warnings and errors reach the same log as Relais's own records
// (field source=rocksdb); its informational chatter (option dumps, flush
// summaries) is dropped.
//
// Records are dropped until StartForwarding(), which the store calls once
// DB::Open has succeeded: an open that fails (a full disk at start, a reopen
// after an I/O error) is reported by the Status it returns, in one line, not
// also by RocksDB's own records of the same failure.
//
// Thread-safety: safe for concurrent use by RocksDB's threads; *log must
// outlive every database opened with it.
#pragma once

#include <atomic>
#include <cstdarg>
#include <memory>

#include <rocksdb/env.h>

#include "engine/util/log.h"

namespace relais {

class RocksDbLogForwarder final : public rocksdb::Logger {
 public:
  explicit RocksDbLogForwarder(relais::Logger& log);

  // From now on, records at WARN and above are written to log, one line each.
  void StartForwarding() { forwarding_.store(true, std::memory_order_release); }
  bool forwarding() const { return forwarding_.load(std::memory_order_acquire); }

  void Logv(const char* format, va_list ap) override;
  void Logv(rocksdb::InfoLogLevel level, const char* format, va_list ap) override;
  void LogHeader(const char*, va_list) override {}  // the options dump: not for Relais's log

 private:
  void Write(rocksdb::InfoLogLevel level, const char* format, va_list ap);

  relais::Logger& log_;
  std::atomic<bool> forwarding_{false};
};

// A forwarder for log, not yet forwarding.
std::shared_ptr<RocksDbLogForwarder> MakeRocksDbLogger(Logger& log);

}  // namespace relais
