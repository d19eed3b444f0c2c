#include "engine/workflow/render_svg.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/workflow/render.h"

extern char** environ;

namespace relais::workflow {
namespace {

constexpr std::string_view kInstallHint = "install Graphviz (Debian package graphviz)";

// Closes what it holds on every path out.
struct Fd {
  int fd = -1;
  ~Fd() { Close(); }
  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

struct ChildOutput {
  std::string out, err;
  bool timed_out = false;
  bool too_big = false;
};

// Feeds `input` to the child's stdin and reads its stdout and stderr until
// both close or the deadline passes. Stdin is a socket so that a child that
// exits early gives EPIPE (MSG_NOSIGNAL), not SIGPIPE.
ChildOutput Exchange(int in, int out, int err, const std::string& input, const SvgOptions& options) {
  ChildOutput result;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  size_t written = 0;
  if (input.empty()) ::shutdown(in, SHUT_WR);
  bool in_open = !input.empty(), out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd fds[3] = {
        {in_open ? in : -1, POLLOUT, 0}, {out_open ? out : -1, POLLIN, 0}, {err_open ? err : -1, POLLIN, 0}};
    int n = ::poll(fds, 3, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (in_open && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = ::send(in, input.data() + written, input.size() - written, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) written += static_cast<size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
        ::shutdown(in, SHUT_WR);
        in_open = false;
      }
    }
    auto drain = [&](pollfd& p, bool& open, std::string& into) {
      if (!open || !(p.revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t r = ::read(p.fd, buf, sizeof buf);
      if (r > 0)
        into.append(buf, static_cast<size_t>(r));
      else if (r == 0 || (errno != EAGAIN && errno != EINTR))
        open = false;
    };
    drain(fds[1], out_open, result.out);
    drain(fds[2], err_open, result.err);
    if (result.out.size() + result.err.size() > options.max_output_bytes) {
      result.too_big = true;
      break;
    }
  }
  return result;
}

std::string FirstLine(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  return line.empty() ? "(no message)" : line;
}

}  // namespace

StatusOr<std::string> RenderSvg(const Drawing& drawing, const SvgOptions& options) {
  const std::string dot = RenderDot(drawing);
  int in_pair[2], out_pipe[2], err_pipe[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0)
    return Unavailable(std::string("svg: cannot make a socket for Graphviz: ") + std::strerror(errno));
  Fd in_parent{in_pair[0]}, in_child{in_pair[1]};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    return Unavailable(std::string("svg: cannot make a pipe for Graphviz: ") + std::strerror(errno));
  Fd out_read{out_pipe[0]}, out_write{out_pipe[1]};
  if (::pipe2(err_pipe, O_CLOEXEC) != 0)
    return Unavailable(std::string("svg: cannot make a pipe for Graphviz: ") + std::strerror(errno));
  Fd err_read{err_pipe[0]}, err_write{err_pipe[1]};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_child.fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_write.fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_write.fd, STDERR_FILENO);
  std::string program = options.dot_program;
  std::string format = "-Tsvg";
  char* argv[] = {program.data(), format.data(), nullptr};
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc == ENOENT)
    return NotFound("svg: Graphviz's '" + program + "' program was not found; " + std::string(kInstallHint) +
                    ", or use --format dot or mermaid");
  if (rc != 0) return Unavailable("svg: cannot run '" + program + "': " + std::strerror(rc));
  in_child.Close();
  out_write.Close();
  err_write.Close();

  ChildOutput result = Exchange(in_parent.fd, out_read.fd, err_read.fd, dot, options);
  if (result.timed_out || result.too_big) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (result.timed_out)
    return Unavailable("svg: Graphviz did not finish within " + std::to_string(options.timeout.count()) +
                       " ms and was stopped");
  if (result.too_big)
    return Unavailable("svg: Graphviz wrote more than " + std::to_string(options.max_output_bytes) +
                       " bytes and was stopped");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Unavailable("svg: Graphviz failed (" +
                       (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                          : "signal " + std::to_string(WTERMSIG(status))) +
                       "): " + FirstLine(result.err));
  return result.out;
}

}  // namespace relais::workflow
