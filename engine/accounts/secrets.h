// Secrets of the accounts: random one-time values (tokens, session ids,
// invitation and sign-in links), their stored form (SHA-256), and password
// hashes (argon2id through libsodium's crypto_pwhash_str).
//
// A random value is 32 bytes from the operating system's generator, written
// as 43 base64url characters; only its SHA-256 (64 lower-case hex digits) is
// ever stored, so a copy of the store signs nobody in.
//
// Thread-safety: stateless functions; safe from any thread. Initialize()
// must have run once (AccountService::Open calls it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/util/status.h"

namespace relais::accounts {

// Initializes libsodium. Errors: kInternal when it cannot be (no entropy).
Status InitializeSecrets();

// 32 random bytes as base64url without padding; prefix is prepended
// ("rls_" for personal tokens, so a leaked one is recognisable).
std::string NewSecret(std::string_view prefix = "");

// The lower-case hex SHA-256 of secret: what the store keeps.
std::string SecretDigest(std::string_view secret);

// Whether two strings are equal, in time that depends only on their length.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// The argon2id hash of password as libsodium's self-describing string
// ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), with a fresh random salt.
// Errors: kResourceExhausted when the memory cannot be had.
StatusOr<std::string> HashPassword(std::string_view password, uint64_t ops_limit, uint64_t memory_bytes);

// Whether password matches hash (a string from HashPassword). An empty or
// malformed hash matches nothing.
bool VerifyPassword(std::string_view password, const std::string& hash);

// A hash of a random password with these costs: verifying against it takes
// as long as against a real one, so a wrong address costs the same time as
// a wrong password.
const std::string& DecoyHash(uint64_t ops_limit, uint64_t memory_bytes);

}  // namespace relais::accounts
