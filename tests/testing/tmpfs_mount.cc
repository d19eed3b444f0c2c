#include "tests/testing/tmpfs_mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace relais::testing {
namespace {

constexpr const char* kFiller = "filler";
// A filler bigger than any tmpfs this helper mounts: the loop ends at ENOSPC.
constexpr uint64_t kMaxFillerBytes = 1ull << 30;

}  // namespace

TmpfsMount::TmpfsMount(uint64_t size_bytes) {
  if (::geteuid() != 0) {
    skip_reason_ = "needs root to mount a tmpfs (mount -t tmpfs) that fills; run the test as root";
    return;
  }
  const std::string options = "size=" + std::to_string(size_bytes);
  if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) != 0)
    skip_reason_ = "mounting a tmpfs on " + dir_.path().string() + " failed: " + std::strerror(errno);
}

TmpfsMount::~TmpfsMount() {
  if (!mounted()) return;
  // Lazy: a child process still holding a file must not keep it mounted.
  ::umount2(dir_.path().c_str(), MNT_DETACH);
}

uint64_t TmpfsMount::FillUp() {
  const std::string path = Sub(kFiller);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return 0;
  std::vector<char> block(64 << 10, 'f');
  uint64_t written = 0;
  while (written < kMaxFillerBytes) {
    ssize_t n = ::write(fd, block.data(), block.size());
    if (n <= 0) {
      // The last blocks of the file system: fill them one small write at a time.
      if (block.size() > 512) {
        block.resize(512);
        continue;
      }
      break;
    }
    written += static_cast<uint64_t>(n);
  }
  ::close(fd);
  return written;
}

void TmpfsMount::Free() {
  std::error_code ec;
  std::filesystem::remove(Sub(kFiller), ec);
}

uint64_t TmpfsMount::available_bytes() const {
  struct statvfs st {};
  if (::statvfs(dir_.path().c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

}  // namespace relais::testing
