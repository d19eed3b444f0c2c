// RunProcess: runs a program to completion and captures its output, for
// tests that exercise real binaries (the relais CLI, crash children).
//
// Thread-safety: safe to call from several threads.
#pragma once

#include <string>
#include <vector>

namespace relais::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

// argv[0] is the program path. Standard input is /dev/null.
ProcessResult RunProcess(const std::vector<std::string>& argv);

}  // namespace relais::testing
