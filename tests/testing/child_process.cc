#include "tests/testing/child_process.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

extern char** environ;

namespace relais::testing {

using SteadyClock = std::chrono::steady_clock;

namespace {

// environ with extra ("NAME=value") added, replacing inherited entries of the same NAME.
std::vector<std::string> EnvironmentWith(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const size_t eq = entry.find('=');
    const std::string name = entry.substr(0, eq == std::string::npos ? entry.size() : eq + 1);
    bool replaced = false;
    for (const std::string& x : extra) replaced = replaced || x.rfind(name, 0) == 0;
    if (!replaced) out.push_back(entry);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::vector<std::string> extra_env) {
  int out[2];
  if (pipe(out) != 0) return;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> env = EnvironmentWith(extra_env);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  if (argv.empty() || posix_spawnp(&pid_, argv[0].c_str(), &actions, nullptr, args.data(), envp.data()) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  out_ = out[0];
}

ChildProcess::~ChildProcess() {
  Kill(SIGTERM);
  if (out_ >= 0) close(out_);
}

std::optional<std::string> ChildProcess::WaitFor(const std::regex& pattern, std::chrono::milliseconds timeout) {
  for (auto deadline = SteadyClock::now() + timeout; out_ >= 0;) {
    std::smatch m;
    if (std::regex_search(seen_, m, pattern)) return m.size() > 1 ? m[1].str() : m[0].str();
    if (SteadyClock::now() >= deadline) break;
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = read(out_, buf, sizeof buf);
    if (n <= 0) break;
    seen_.append(buf, static_cast<size_t>(n));
  }
  return std::nullopt;
}

uint16_t ChildProcess::WaitForPort(const std::string& prefix, std::chrono::milliseconds timeout) {
  const std::regex pattern(std::regex_replace(prefix, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                           "([0-9]+)[^0-9]");
  auto port = WaitFor(pattern, timeout);
  return port ? static_cast<uint16_t>(std::stoi(*port)) : 0;
}

int ChildProcess::Kill(int sig) {
  if (pid_ <= 0) return exit_code_;
  kill(pid_, sig);
  int status = 0;
  for (auto deadline = SteadyClock::now() + kStopDeadline; SteadyClock::now() < deadline;) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return exit_code_ = -1;
}

}  // namespace relais::testing
