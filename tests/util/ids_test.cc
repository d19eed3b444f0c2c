// The one id pattern (util/ids.h): what passes, what is refused and how the
// refusal reads.
#include "engine/util/ids.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

TEST(IdsTest, ResourceIdsFollowOnePattern) {
  for (const std::string& good :
       std::vector<std::string>{"own", "ccas-fresnes", "sud-val-de-marnais", "2A", "1-pressing", "a", "A.b_c-9",
                                "0f8fad5b-d9cb-469f-a165-70867728950e", std::string(kMaxIdBytes, 'x')})
    EXPECT_TRUE(IsValidId(good)) << good;
  for (const std::string& bad : std::vector<std::string>{
           "", ".", "..", "./x", "a/b", "-rf", "_x", ".hidden", "a b", "a\\b", "a:b", "a@b", std::string("a\0b", 3),
           std::string("a\x7f"), std::string("\xc3\xa9t\xc3\xa9"), std::string(kMaxIdBytes + 1, 'x')})
    EXPECT_FALSE(IsValidId(bad)) << bad;
}

TEST(IdsTest, PersonIdsAlsoTakeAtColonAndPlus) {
  for (const std::string& good :
       std::vector<std::string>{"person:claire.dumas", "claire.vasseur@cbe-sud-val-de-marnais.example",
                                "partner:ccas-fresnes", "a+b@x.example", std::string(kMaxPersonIdBytes, 'p')})
    EXPECT_TRUE(IsValidPersonId(good)) << good;
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", "person:a/b", ":x", "a b", std::string("a\nb"),
                                                         std::string(kMaxPersonIdBytes + 1, 'p')})
    EXPECT_FALSE(IsValidPersonId(bad)) << bad;
}

TEST(IdsTest, RefusalsSayWhichIdWhatItWasAndWhatIsExpected) {
  EXPECT_THAT(ValidateId("project id", ".."),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("project id '..': expected 1 to 128 letters, digits or '.', '_', '-', starting with "
                                 "a letter or a digit ([A-Za-z0-9][A-Za-z0-9._-]{0,127})")));
  EXPECT_THAT(ValidateId("partner id", ""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("partner id is empty: expected")));
  EXPECT_THAT(ValidateId("project id", std::string("a\x01z", 3)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("'a\\x01z'")));
  EXPECT_THAT(ValidateId("project id", std::string(200, 'x')),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("(200 bytes)")));
  EXPECT_THAT(ValidatePersonId("person", "a/b"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("person 'a/b'")));
  EXPECT_THAT(ValidateId("programme.id", "sud"), IsOk());
  EXPECT_EQ(QuoteId(std::string(70, 'q')), "'" + std::string(64, 'q') + "'...");
}

}  // namespace
}  // namespace relais
