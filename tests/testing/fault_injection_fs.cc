#include "tests/testing/fault_injection_fs.h"

namespace relais::testing {
namespace {

bool IsWal(const std::string& fname) { return fname.size() > 4 && fname.compare(fname.size() - 4, 4, ".log") == 0; }

class FaultyWal final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyWal(std::unique_ptr<rocksdb::FSWritableFile> base, FaultInjectionFs& fs)
      : rocksdb::FSWritableFileOwnerWrapper(std::move(base)), fs_(fs) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override {
    if (fs_.fault() == FaultInjectionFs::Fault::kWalAppend) return Fail();
    return FSWritableFileOwnerWrapper::Append(data, o, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* dbg) override {
    if (fs_.fault() == FaultInjectionFs::Fault::kWalAppend) return Fail();
    return FSWritableFileOwnerWrapper::Append(data, o, info, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (fs_.fault() == FaultInjectionFs::Fault::kWalSync) return Fail();
    return FSWritableFileOwnerWrapper::Sync(o, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (fs_.fault() == FaultInjectionFs::Fault::kWalSync) return Fail();
    return FSWritableFileOwnerWrapper::Fsync(o, dbg);
  }

 private:
  rocksdb::IOStatus Fail() {
    fs_.CountInjection();
    return rocksdb::IOStatus::IOError("injected fault");
  }
  FaultInjectionFs& fs_;
};

}  // namespace

void FaultInjectionFs::Wrap(const std::string& fname, std::unique_ptr<rocksdb::FSWritableFile>* result) {
  if (IsWal(fname) && *result) *result = std::make_unique<FaultyWal>(std::move(*result), *this);
}

rocksdb::IOStatus FaultInjectionFs::NewWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                    rocksdb::IODebugContext* dbg) {
  auto s = target()->NewWritableFile(fname, opts, result, dbg);
  if (s.ok()) Wrap(fname, result);
  return s;
}

rocksdb::IOStatus FaultInjectionFs::ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                       rocksdb::IODebugContext* dbg) {
  auto s = target()->ReopenWritableFile(fname, opts, result, dbg);
  if (s.ok()) Wrap(fname, result);
  return s;
}

rocksdb::IOStatus FaultInjectionFs::ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                                      const rocksdb::FileOptions& opts,
                                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                      rocksdb::IODebugContext* dbg) {
  auto s = target()->ReuseWritableFile(fname, old_fname, opts, result, dbg);
  if (s.ok()) Wrap(fname, result);
  return s;
}

std::unique_ptr<rocksdb::Env> MakeEnv(const std::shared_ptr<FaultInjectionFs>& fs) {
  return rocksdb::NewCompositeEnv(fs);
}

}  // namespace relais::testing
