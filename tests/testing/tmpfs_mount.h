// TmpfsMount: a small real file system that fills, for disk-full tests. It
// mounts a tmpfs of a given size on a fresh directory (mount(2): root only),
// and unmounts it on destruction, whatever the test did. FillUp() writes a
// filler file until the file system answers ENOSPC; Free() removes it.
//
// Thread-safety: one owner thread.
#pragma once

#include <cstdint>
#include <string>

#include "tests/testing/temp_dir.h"

namespace relais::testing {

class TmpfsMount {
 public:
  explicit TmpfsMount(uint64_t size_bytes = 8 << 20);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  // Empty when mounted; else why not (not root, mount refused), for GTEST_SKIP.
  const std::string& skip_reason() const { return skip_reason_; }
  bool mounted() const { return skip_reason_.empty(); }
  std::string Sub(const std::string& name) const { return dir_.Sub(name); }

  // Writes the filler file until the disk is full; returns its size.
  uint64_t FillUp();
  // Removes the filler file.
  void Free();
  uint64_t available_bytes() const;

 private:
  TempDir dir_;
  std::string skip_reason_;
};

}  // namespace relais::testing
