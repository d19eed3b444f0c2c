#include "engine/server/request_id.h"

#include <gtest/gtest.h>

#include "engine/util/uuid.h"

namespace relais::server {
namespace {

TEST(RequestIdTest, SaneIdsAreShortAndOfSafeCharacters) {
  for (std::string_view ok : {"a", "abc-123", "proxy.1:2_3", "550e8400-e29b-41d4-a716-446655440000"}) {
    EXPECT_TRUE(IsValidRequestId(ok)) << ok;
  }
  EXPECT_TRUE(IsValidRequestId(std::string(kMaxRequestIdLength, 'x')));
  EXPECT_FALSE(IsValidRequestId(std::string(kMaxRequestIdLength + 1, 'x')));
  for (std::string_view bad : {"", "a b", "a/b", "a\"b", "é", "a\r\nb", "<script>", "a,b"}) {
    EXPECT_FALSE(IsValidRequestId(bad)) << bad;
  }
}

TEST(RequestIdTest, AnIncomingIdIsKeptOnlyWhenSane) {
  EXPECT_EQ(RequestIdFor(std::string_view("abc-1")), "abc-1");
  EXPECT_TRUE(IsUuid(RequestIdFor(std::string_view("a b"))));
  EXPECT_TRUE(IsUuid(RequestIdFor(std::nullopt)));
  EXPECT_NE(RequestIdFor(std::nullopt), RequestIdFor(std::nullopt));
}

TEST(RequestIdTest, ProblemInstanceIsAUrn) { EXPECT_EQ(ProblemInstance("abc-1"), "urn:relais:request:abc-1"); }

}  // namespace
}  // namespace relais::server
