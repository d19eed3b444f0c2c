#include "tests/testing/smtp_sink.h"

#include <filesystem>
#include <thread>

#include "tests/testing/subprocess.h"

namespace relais::testing {

std::string SmtpSink::Python() {
  // Debian's python3-aiosmtpd is installed for /usr/bin/python3.
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

std::string SmtpSink::Script(const std::string& name) {
  return std::string(RELAIS_SOURCE_DIR) + "/tests/testing/" + name;
}

SmtpSink::SmtpSink(std::string dir, std::vector<std::string> extra_args) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  std::vector<std::string> argv = {Python(), Script("smtp_sink.py"), "--dir", dir_};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  child_ = std::make_unique<ChildProcess>(argv);
  if (child_->started()) port_ = child_->WaitForPort("listening on port ", std::chrono::seconds(20));
}

size_t SmtpSink::Count() const {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_))
    if (entry.path().extension() == ".eml") ++n;
  return n;
}

bool SmtpSink::WaitForCount(size_t n, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Count() >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Count() >= n;
}

Json SmtpSink::Messages() const {
  ProcessResult r = RunProcess({Python(), Script("mail_to_json.py"), dir_});
  if (r.exit_code != 0) return Json{{"error", r.err}};
  auto parsed = ParseJson(r.out);
  return parsed.ok() ? *parsed : Json{{"error", parsed.status().ToString()}};
}

}  // namespace relais::testing
