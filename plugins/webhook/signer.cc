#include "plugins/webhook/signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace relais::plugins::webhook {

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

StatusOr<std::string> Base64Decode(std::string_view text) {
  if (text.empty()) return std::string();
  if (text.size() % 4 != 0) return InvalidArgument("base64 text length must be a multiple of 4");
  for (char c : text) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    if (!ok) return InvalidArgument("base64 text holds a character outside A-Z a-z 0-9 + / =");
  }
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return InvalidArgument("base64 text does not decode");
  size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

StatusOr<std::string> GenerateSecret() {
  unsigned char bytes[kSecretBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return Unavailable("the random generator failed");
  return std::string(kSecretPrefix) + Base64Encode(std::string_view(reinterpret_cast<char*>(bytes), sizeof(bytes)));
}

namespace {
StatusOr<std::string> SecretKey(std::string_view secret) {
  if (secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
    return InvalidArgument("a webhook secret starts with 'whsec_'");
  }
  auto key = Base64Decode(secret.substr(kSecretPrefix.size()));
  if (!key.ok()) return InvalidArgument("a webhook secret is 'whsec_' + base64: " + key.status().message());
  if (key->size() < kMinSecretBytes) {
    return InvalidArgument("a webhook secret holds at least " + std::to_string(kMinSecretBytes) + " bytes, got " +
                           std::to_string(key->size()));
  }
  return key;
}
}  // namespace

Status ValidateSecret(std::string_view secret) { return SecretKey(secret).status(); }

StatusOr<std::string> Sign(std::string_view secret, std::string_view id, int64_t timestamp_seconds,
                           std::string_view body) {
  RELAIS_ASSIGN_OR_RETURN(std::string key, SecretKey(secret));
  std::string message;
  message.reserve(id.size() + body.size() + 24);
  message.append(id).append(".").append(std::to_string(timestamp_seconds)).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_len) == nullptr) {
    return Internal("HMAC-SHA256 failed");
  }
  return "v1," + Base64Encode(std::string_view(reinterpret_cast<char*>(mac), mac_len));
}

StatusOr<std::string> SignatureHeader(const std::vector<std::string>& secrets, std::string_view id,
                                      int64_t timestamp_seconds, std::string_view body) {
  std::string header;
  for (const std::string& secret : secrets) {
    RELAIS_ASSIGN_OR_RETURN(std::string signature, Sign(secret, id, timestamp_seconds, body));
    if (!header.empty()) header += ' ';
    header += signature;
  }
  return header;
}

}  // namespace relais::plugins::webhook
