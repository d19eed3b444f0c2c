#include "engine/api/authenticator.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "engine/server/http_types.h"

namespace relais::api {
namespace {

std::string RawSha256(std::string_view text) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

std::string HexToRaw(const std::string& hex) {
  std::string raw;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    raw.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return raw;
}

}  // namespace

Authenticator::Authenticator(const std::vector<TokenConfig>& tokens) {
  for (const TokenConfig& t : tokens)
    entries_.push_back({HexToRaw(t.sha256), access::Principal{t.subject, t.roles, t.partner, t.programmes}});
}

std::string Authenticator::Sha256Hex(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : RawSha256(text)) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::optional<std::string_view> Authenticator::BearerToken(std::string_view value) {
  constexpr std::string_view kScheme = "Bearer ";
  if (value.size() <= kScheme.size() || !server::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme))
    return std::nullopt;
  std::string_view token = value.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

std::optional<access::Principal> Authenticator::Authenticate(std::optional<std::string_view> header) const {
  if (!header) return std::nullopt;
  std::optional<std::string_view> token = BearerToken(*header);
  if (!token) return std::nullopt;
  const std::string digest = RawSha256(*token);
  // Every entry is compared, matched or not, so the time taken does not
  // depend on which token matched.
  const Entry* found = nullptr;
  for (const Entry& e : entries_) {
    bool same = e.digest.size() == digest.size() && CRYPTO_memcmp(e.digest.data(), digest.data(), digest.size()) == 0;
    if (same && !found) found = &e;
  }
  if (!found) return std::nullopt;
  return found->principal;
}

}  // namespace relais::api
