// SmtpSink: a real SMTP server (tests/testing/smtp_sink.py, aiosmtpd) on
// 127.0.0.1 for the test's life, writing each message it accepts to a
// folder; Messages() parses them with Python's `email` package
// (tests/testing/mail_to_json.py), an independent parser.
//
// Thread-safety: one thread uses an instance.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/util/json.h"
#include "tests/testing/child_process.h"

namespace relais::testing {

class SmtpSink {
 public:
  // Starts the sink writing to dir; extra_args go to smtp_sink.py
  // ("--reject", "x@y", "--tempfail", "2"). port() is 0 when it did not start.
  explicit SmtpSink(std::string dir, std::vector<std::string> extra_args = {});

  uint16_t port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  const std::string& dir() const { return dir_; }

  // The messages written so far.
  size_t Count() const;
  // Waits (bounded by timeout) until at least n messages were written.
  bool WaitForCount(size_t n, std::chrono::milliseconds timeout) const;
  // Every message, parsed by mail_to_json.py, in arrival order.
  Json Messages() const;

  // The Python with aiosmtpd (the system's, not a pyenv shim).
  static std::string Python();
  static std::string Script(const std::string& name);

 private:
  std::string dir_;
  std::unique_ptr<ChildProcess> child_;
  uint16_t port_ = 0;
};

}  // namespace relais::testing
