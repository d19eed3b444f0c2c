// Secrets: random values, their digests, and argon2id through libsodium.
#include "engine/accounts/secrets.h"

#include <gtest/gtest.h>

#include <set>

namespace relais::accounts {
namespace {

constexpr uint64_t kOps = 1;
constexpr uint64_t kMemory = 64 << 10;  // small, so the suite stays fast

TEST(SecretsTest, RandomSecretsAreDistinctAndUrlSafe) {
  ASSERT_TRUE(InitializeSecrets().ok());
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string s = NewSecret("rls_");
    ASSERT_EQ(s.size(), 4u + 43u) << s;
    EXPECT_EQ(s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4),
              std::string::npos)
        << s;
    EXPECT_TRUE(seen.insert(s).second);
  }
}

TEST(SecretsTest, DigestIsTheSha256InHex) {
  // printf %s abc | sha256sum
  EXPECT_EQ(SecretDigest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(SecretDigest("abd"), SecretDigest("abc"));
}

TEST(SecretsTest, Argon2idHashVerifiesOnlyItsPassword) {
  ASSERT_TRUE(InitializeSecrets().ok());
  auto hash = HashPassword("correct horse battery", kOps, kMemory);
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_EQ(hash->rfind("$argon2id$v=19$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse batterY", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
  // A fresh salt each time.
  auto again = HashPassword("correct horse battery", kOps, kMemory);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*hash, *again);
  EXPECT_TRUE(VerifyPassword("correct horse battery", *again));
}

TEST(SecretsTest, MalformedOrEmptyHashMatchesNothing) {
  ASSERT_TRUE(InitializeSecrets().ok());
  EXPECT_FALSE(VerifyPassword("x", ""));
  EXPECT_FALSE(VerifyPassword("x", "$argon2id$garbage"));
  EXPECT_FALSE(VerifyPassword("", "not a hash"));
  EXPECT_FALSE(DecoyHash(kOps, kMemory).empty());
  EXPECT_FALSE(VerifyPassword("", DecoyHash(kOps, kMemory)));
}

TEST(SecretsTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace relais::accounts
