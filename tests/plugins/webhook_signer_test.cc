#include "plugins/webhook/signer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace relais::plugins::webhook {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(WebhookSignerTest, MatchesTheStandardWebhooksReferenceVector) {
  // The example of the Standard Webhooks specification and its libraries' tests.
  auto signature = Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                        R"({"test": 2432232314})");
  ASSERT_TRUE(signature.ok()) << signature.status().ToString();
  EXPECT_EQ(*signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignerTest, GeneratedSecretsAreValidAndDistinct) {
  auto a = GenerateSecret();
  auto b = GenerateSecret();
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_THAT(*a, StartsWith("whsec_"));
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(ValidateSecret(*a).ok());
  auto key = Base64Decode(a->substr(6));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->size(), kSecretBytes);
}

TEST(WebhookSignerTest, BadSecretsAreRefusedWithTheReason) {
  EXPECT_THAT(ValidateSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").message(), HasSubstr("starts with 'whsec_'"));
  EXPECT_THAT(ValidateSecret("whsec_not base64!").message(), HasSubstr("base64"));
  EXPECT_THAT(ValidateSecret("whsec_" + Base64Encode("short")).message(), HasSubstr("at least 24 bytes, got 5"));
  EXPECT_EQ(Sign("nope", "id", 1, "{}").status().code(), StatusCode::kInvalidArgument);
}

TEST(WebhookSignerTest, Base64RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    auto decoded = Base64Decode(Base64Encode(bytes));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, bytes);
    bytes.push_back(static_cast<char>(n * 37));
  }
  EXPECT_EQ(Base64Decode("abc").status().code(), StatusCode::kInvalidArgument);
}

TEST(WebhookSignerTest, RotationSendsOneSignaturePerSecret) {
  const std::string s1 = "whsec_" + Base64Encode(std::string(32, 'a'));
  const std::string s2 = "whsec_" + Base64Encode(std::string(32, 'b'));
  auto header = SignatureHeader({s2, s1}, "id-1", 1700000000, "{}");
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(*header, *Sign(s2, "id-1", 1700000000, "{}") + " " + *Sign(s1, "id-1", 1700000000, "{}"));
}

}  // namespace
}  // namespace relais::plugins::webhook
