// TempDir: a fresh directory under $TMPDIR (or /tmp), removed on destruction.
//
// Thread-safety: not thread-safe; one owner.
#pragma once

#include <filesystem>
#include <string>

namespace relais::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace relais::testing
