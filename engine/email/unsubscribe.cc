#include "engine/email/unsubscribe.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "engine/util/base64.h"

namespace relais::email {

namespace {

constexpr std::string_view kSecretKey = "email/secret";
constexpr size_t kSecretBytes = 32;
constexpr size_t kMaxToken = 1024;

std::string Hex(const unsigned char* bytes, size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) (out += kHex[bytes[i] >> 4]) += kHex[bytes[i] & 15];
  return out;
}

}  // namespace

StatusOr<UnsubscribeLinks> UnsubscribeLinks::Load(EventStore& store) {
  RELAIS_ASSIGN_OR_RETURN(auto stored, store.KvGet(std::string(kSecretKey)));
  if (stored && !stored->empty()) return UnsubscribeLinks(*stored);
  unsigned char bytes[kSecretBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return Unavailable("e-mail: no random bytes for the unsubscribe secret");
  std::string secret = Hex(bytes, sizeof(bytes));
  KvWrites w;
  w.Put(std::string(kSecretKey), secret);
  RELAIS_RETURN_IF_ERROR(store.KvWrite(w));
  return UnsubscribeLinks(std::move(secret));
}

std::string UnsubscribeLinks::Mac(const std::string& payload) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &len);
  return Hex(mac, len);
}

std::string UnsubscribeLinks::Token(const UnsubscribeTarget& target) const {
  const std::string payload = target.person + "\n" + target.programme;
  return Base64Url(payload) + "." + Mac("unsubscribe\n" + payload);
}

std::string UnsubscribeLinks::Url(const std::string& base, const UnsubscribeTarget& target) const {
  return base + "/v1/unsubscribe?t=" + Token(target);
}

StatusOr<UnsubscribeTarget> UnsubscribeLinks::Verify(const std::string& token) const {
  const size_t dot = token.find('.');
  if (token.size() > kMaxToken || dot == std::string::npos)
    return InvalidArgument("unsubscribe: the link's token is malformed");
  auto payload = FromBase64Url(token.substr(0, dot));
  const size_t nl = payload ? payload->find('\n') : std::string::npos;
  if (!payload || nl == std::string::npos) return InvalidArgument("unsubscribe: the link's token is malformed");
  const std::string expected = Mac("unsubscribe\n" + *payload);
  const std::string given = token.substr(dot + 1);
  if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), given.size()) != 0)
    return PermissionDenied("unsubscribe: the link's signature does not match");
  return UnsubscribeTarget{payload->substr(0, nl), payload->substr(nl + 1)};
}

}  // namespace relais::email
