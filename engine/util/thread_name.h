// SetThreadName: names the calling thread for the operator's tools (top -H,
// ps -L, perf, gdb): "pg-commit", "http-io", ... Linux keeps 15 bytes of it;
// a longer name is cut there.
//
// Thread-safety: names only the calling thread.
#pragma once

#include <pthread.h>

#include <string>

namespace relais {

inline void SetThreadName(const std::string& name) {
  (void)pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace relais
