// FaultInjectionFs: a RocksDB FileSystem that fails writes to the write-ahead
// log on demand, to prove what the store does on an I/O error (after
// LevelDB's ErrorEnv). Use Env() as RocksDbStoreOptions::env.
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization.
#pragma once

#include <atomic>
#include <memory>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

namespace relais::testing {

class FaultInjectionFs final : public rocksdb::FileSystemWrapper {
 public:
  enum class Fault { kNone, kWalAppend, kWalSync };

  FaultInjectionFs() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static std::shared_ptr<FaultInjectionFs> Make() { return std::make_shared<FaultInjectionFs>(); }

  const char* Name() const override { return "RelaisFaultInjectionFs"; }
  void Inject(Fault f) { fault_.store(f); }
  Fault fault() const { return fault_.load(); }
  int injected() const { return injected_.load(); }
  void CountInjection() { injected_.fetch_add(1); }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& opts,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;

 private:
  void Wrap(const std::string& fname, std::unique_ptr<rocksdb::FSWritableFile>* result);
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<int> injected_{0};
};

// An Env whose file system is `fs`; keep both alive while the store is open.
std::unique_ptr<rocksdb::Env> MakeEnv(const std::shared_ptr<FaultInjectionFs>& fs);

}  // namespace relais::testing
