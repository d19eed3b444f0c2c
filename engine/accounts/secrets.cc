#include "engine/accounts/secrets.h"

#include <sodium.h>

#include <map>
#include <mutex>
#include <utility>

namespace relais::accounts {

Status InitializeSecrets() {
  if (sodium_init() < 0) return Internal("libsodium could not be initialized (no entropy source?)");
  return Status::Ok();
}

std::string NewSecret(std::string_view prefix) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  return std::string(prefix) + text;
}

std::string SecretDigest(std::string_view secret) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

StatusOr<std::string> HashPassword(std::string_view password, uint64_t ops_limit, uint64_t memory_bytes) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops_limit, static_cast<size_t>(memory_bytes),
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return ResourceExhausted("the password could not be hashed (not enough memory); try again shortly");
  return std::string(out);
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

const std::string& DecoyHash(uint64_t ops_limit, uint64_t memory_bytes) {
  static std::mutex mu;
  static std::map<std::pair<uint64_t, uint64_t>, std::string> hashes;  // one per configured cost: tiny
  std::lock_guard lock(mu);
  std::string& h = hashes[{ops_limit, memory_bytes}];
  if (h.empty()) {
    auto hashed = HashPassword(NewSecret(), ops_limit, memory_bytes);
    if (hashed.ok()) h = *hashed;
  }
  return h;
}

}  // namespace relais::accounts
