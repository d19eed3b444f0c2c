// RocksDB's info log, written to Relais's log seam instead of RocksDB's own
// LOG file.
//
// Why: RocksDB 7.8's file logger aborts the process (an assertion in its file
// writer) on the first record after a write to LOG failed, which a full disk
// makes certain: `relais serve` on a full disk died by SIGABRT before the
// store could report anything. Through this adapter no LOG file is written,
// and RocksDB's warnings and errors reach the same log as Relais's own records
// (field source=rocksdb); its informational chatter (option dumps, flush
// summaries) is dropped.
//
// Thread-safety: the adapter is safe for concurrent use by RocksDB's threads;
// *log must outlive every database opened with it.
#pragma once

#include <memory>

#include "engine/util/log.h"

namespace rocksdb {
class Logger;
}  // namespace rocksdb

namespace relais {

// A RocksDB Logger forwarding WARN and above to log (one line per record).
std::shared_ptr<rocksdb::Logger> MakeRocksDbLogger(Logger& log);

}  // namespace relais
