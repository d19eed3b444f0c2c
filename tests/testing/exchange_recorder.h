// Records the HTTP exchanges a test makes, so that tests/openapi can check
// every response against docs/openapi.yaml (Ajv, JSON Schema 2020-12).
//
// When the environment variable RELAIS_RECORD_EXCHANGES names a file, each
// RecordExchange call appends one JSON line to it:
//   {"source", "test", "method", "target", "status", "content_type",
//    "headers": [[name, value]...], "body"}
// Without the variable it does nothing. Bodies that are not UTF-8 are kept
// with U+FFFD in place of the bad bytes.
//
// Thread-safety: safe from any thread and any process: each line is one
// write(2) on a file opened with O_APPEND. A file that cannot be written is
// a test failure (ADD_FAILURE), never a crash.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace relais::testing {

inline constexpr char kRecordExchangesVariable[] = "RELAIS_RECORD_EXCHANGES";

struct Exchange {
  // "router": answered in-process by the Router (no transport: the session's
  // own headers are absent); "socket": read from a real server's socket.
  std::string source;
  std::string method;
  std::string target;  // path and query, as sent
  int status = 0;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Whether RELAIS_RECORD_EXCHANGES is set (callers may skip building an Exchange).
bool RecordingExchanges();

// Appends the exchange (with the running gtest test's name) when recording.
void RecordExchange(const Exchange& exchange);

// The method and the target of a raw HTTP/1.1 request's first line; empty
// strings when the line is not "METHOD TARGET VERSION".
std::pair<std::string, std::string> RequestLineOf(const std::string& raw_request);

}  // namespace relais::testing
