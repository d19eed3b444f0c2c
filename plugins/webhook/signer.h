// Standard Webhooks signing (https://www.standardwebhooks.com): secrets
// "whsec_" + base64 of random bytes, and signatures "v1," + base64 of
// HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>") with key the
// base64-decoded part after "whsec_". OpenSSL does the cryptography.
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace relais::plugins::webhook {

inline constexpr std::string_view kSecretPrefix = "whsec_";
inline constexpr size_t kSecretBytes = 32;     // generated secrets
inline constexpr size_t kMinSecretBytes = 24;  // accepted secrets

std::string Base64Encode(std::string_view bytes);
// Errors: kInvalidArgument when text is not padded standard base64.
StatusOr<std::string> Base64Decode(std::string_view text);

// A fresh secret from OpenSSL RAND_bytes. Errors: kUnavailable when the
// random generator fails.
StatusOr<std::string> GenerateSecret();

// OK when secret is "whsec_" + base64 of at least kMinSecretBytes bytes;
// kInvalidArgument saying what is wrong otherwise.
Status ValidateSecret(std::string_view secret);

// "v1,<base64 signature>". Errors: kInvalidArgument for a malformed secret.
StatusOr<std::string> Sign(std::string_view secret, std::string_view id, int64_t timestamp_seconds,
                           std::string_view body);

// The webhook-signature header: every secret's signature, space-separated.
StatusOr<std::string> SignatureHeader(const std::vector<std::string>& secrets, std::string_view id,
                                      int64_t timestamp_seconds, std::string_view body);

}  // namespace relais::plugins::webhook
