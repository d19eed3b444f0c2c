#include "tests/testing/exchange_recorder.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "engine/util/json.h"

namespace relais::testing {

bool RecordingExchanges() {
  const char* file = std::getenv(kRecordExchangesVariable);
  return file != nullptr && *file != '\0';
}

void RecordExchange(const Exchange& exchange) {
  if (!RecordingExchanges()) return;
  const char* file = std::getenv(kRecordExchangesVariable);
  std::string test;
  if (const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info())
    test = std::string(info->test_suite_name()) + "." + info->name();
  Json headers = Json::array();
  for (const auto& [name, value] : exchange.headers) headers.push_back(Json::array({name, value}));
  Json line = {{"source", exchange.source},     {"test", test},
               {"method", exchange.method},     {"target", exchange.target},
               {"status", exchange.status},     {"content_type", exchange.content_type},
               {"headers", std::move(headers)}, {"body", exchange.body}};
  // Bodies are bytes; JSON needs UTF-8, so bad sequences become U+FFFD.
  std::string text = line.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  const int fd = ::open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    ADD_FAILURE() << "cannot open " << kRecordExchangesVariable << " file '" << file << "': " << std::strerror(errno);
    return;
  }
  // One write per line, so lines of concurrent writers never interleave.
  const ssize_t written = ::write(fd, text.data(), text.size());
  if (written != static_cast<ssize_t>(text.size()))
    ADD_FAILURE() << "cannot append an exchange to '" << file
                  << "': " << (written < 0 ? std::strerror(errno) : "short write");
  ::close(fd);
}

std::pair<std::string, std::string> RequestLineOf(const std::string& raw_request) {
  const size_t end = raw_request.find("\r\n");
  const std::string line = raw_request.substr(0, end);
  const size_t first = line.find(' ');
  const size_t second = first == std::string::npos ? std::string::npos : line.find(' ', first + 1);
  if (second == std::string::npos) return {};
  return {line.substr(0, first), line.substr(first + 1, second - first - 1)};
}

}  // namespace relais::testing
