// ChildProcess: a program run beside the test (relais serve, a node webhook
// receiver) whose standard output the test reads, e.g. for the port it
// listens on. The destructor stops it with SIGTERM (SIGKILL after
// kStopDeadline) and reaps it.
//
// Thread-safety: one thread uses an instance.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace relais::testing {

class ChildProcess {
 public:
  // A stop or a start on a loaded 2-core machine.
  static constexpr std::chrono::seconds kStopDeadline{20};

  // argv[0] is found on PATH when it has no '/'. extra_env ("NAME=value")
  // is added to this process's environment for the child (a NAME given
  // there replaces the inherited one). started() is false when it could
  // not be spawned.
  explicit ChildProcess(std::vector<std::string> argv, std::vector<std::string> extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }

  // Reads the output until pattern matches in it (its first group, or the
  // whole match), the output ends or timeout passes (nullopt).
  std::optional<std::string> WaitFor(const std::regex& pattern, std::chrono::milliseconds timeout);
  // The port of the first "<prefix><digits>" in the output; 0 if none came.
  uint16_t WaitForPort(const std::string& prefix, std::chrono::milliseconds timeout);
  // What the output has shown so far.
  const std::string& output() const { return seen_; }

  // Sends sig and reaps the process (SIGKILL after kStopDeadline); returns
  // its exit code, or -1 when a signal ended it. Once reaped, returns that
  // same result again.
  int Kill(int sig);

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  int out_ = -1;
  std::string seen_;
};

}  // namespace relais::testing
