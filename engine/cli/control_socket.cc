#include "engine/cli/control_socket.h"
#include "engine/util/thread_name.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace relais::cli {
namespace {

constexpr size_t kMaxLineBytes = 64 * 1024;         // a request or an answer
constexpr int kPollMillis = 200;                    // how soon Stop is seen
constexpr std::chrono::seconds kRequestTimeout{5};  // to read a request once connected

StatusOr<sockaddr_un> AddressOf(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path))
    return InvalidArgument("the control socket path " + path + " is longer than a Unix socket allows (" +
                           std::to_string(sizeof(addr.sun_path) - 1) + " bytes): use a shorter data_dir");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

// Reads up to the first newline (or the end), within deadline.
StatusOr<std::string> ReadLine(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string line;
  char buf[4096];
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Internal("no answer in time");
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return Internal("no answer in time");
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Unavailable(std::string("read: ") + std::strerror(errno));
    if (n == 0) break;
    line.append(buf, static_cast<size_t>(n));
    if (line.size() > kMaxLineBytes) return InvalidArgument("a line longer than 64 KiB");
  }
  if (auto at = line.find('\n'); at != std::string::npos) line.resize(at);
  return line;
}

void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

std::string ControlSocketPath(const std::string& data_dir) { return data_dir + "/control.sock"; }

StatusOr<std::unique_ptr<ControlSocket>> ControlSocket::Start(const std::string& path, Handler handler) {
  RELAIS_ASSIGN_OR_RETURN(sockaddr_un addr, AddressOf(path));
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unavailable(std::string("control socket: ") + std::strerror(errno));
  ::unlink(path.c_str());  // left by a killed server
  // Created with no access for others, then listening.
  const mode_t old_mask = ::umask(0177);
  int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  ::umask(old_mask);
  if (bound < 0 || ::listen(fd, 4) < 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return Unavailable("cannot listen on the control socket " + path + ": " + why);
  }
  return std::unique_ptr<ControlSocket>(new ControlSocket(path, fd, std::move(handler)));
}

ControlSocket::ControlSocket(std::string path, int fd, Handler handler)
    : path_(std::move(path)), fd_(fd), handler_(std::move(handler)), thread_([this] {
        SetThreadName("control");
        Run();
      }) {}

ControlSocket::~ControlSocket() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
  ::unlink(path_.c_str());
}

void ControlSocket::Run() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMillis) <= 0) continue;
    int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    Json answer;
    auto line = ReadLine(client, std::chrono::steady_clock::now() + kRequestTimeout);
    if (!line.ok()) {
      answer = {{"ok", false}, {"error", line.status().message()}};
    } else if (auto request = ParseJson(*line); !request.ok() || !request->is_object()) {
      answer = {{"ok", false}, {"error", "a request is one JSON object on one line"}};
    } else {
      try {
        answer = handler_(*request);
      } catch (const std::exception& e) {
        answer = {{"ok", false}, {"error", std::string("the request failed: ") + e.what()}};
      }
    }
    WriteAll(client, answer.dump() + "\n");
    ::close(client);
  }
}

StatusOr<Json> AskControlSocket(const std::string& path, const Json& request, std::chrono::milliseconds timeout) {
  RELAIS_ASSIGN_OR_RETURN(sockaddr_un addr, AddressOf(path));
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unavailable(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) < 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return Unavailable("no server listens on " + path + " (" + why + ")");
  }
  WriteAll(fd, request.dump() + "\n");
  auto line = ReadLine(fd, std::chrono::steady_clock::now() + timeout);
  ::close(fd);
  if (!line.ok()) return Internal("the server did not answer on " + path + ": " + line.status().message());
  auto answer = ParseJson(*line);
  if (!answer.ok()) return Internal("the server's answer on " + path + " is not JSON");
  return *answer;
}

}  // namespace relais::cli
