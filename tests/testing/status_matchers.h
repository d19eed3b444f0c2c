// GoogleTest matchers for Status and StatusOr (after absl's):
//   EXPECT_THAT(s, IsOk());  EXPECT_THAT(s, StatusIs(StatusCode::kNotFound));
// There is no NotOk() matcher: check for the specific expected error.
#pragma once

#include <gmock/gmock.h>

#include "engine/util/status.h"

namespace relais {
template <typename T>
void PrintTo(const StatusOr<T>& s, std::ostream* os) {
  *os << (s.ok() ? std::string("OK value") : s.status().ToString());
}
}  // namespace relais

namespace relais::testing {

inline const Status& GetStatus(const Status& s) { return s; }
template <typename T>
const Status& GetStatus(const StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const Status& s = GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s.ToString();
  return s.ok();
}

MATCHER_P(StatusIs, code, "has status code " + std::string(StatusCodeName(code))) {
  const Status& s = GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher, "has status code " + std::string(StatusCodeName(code))) {
  const Status& s = GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code && ::testing::ExplainMatchResult(message_matcher, s.message(), result_listener);
}

}  // namespace relais::testing
