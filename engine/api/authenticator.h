// Authenticator: turns an `Authorization: Bearer <token>` header into a
// Principal, using the tokens of the configuration. Tokens are stored only as
// their SHA-256; the presented token is hashed and compared with every
// configured hash in constant time, so timing reveals nothing about them.
//
// Thread-safety: immutable after construction; safe for concurrent access
// from multiple threads without any external synchronization.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/access/principal.h"
#include "engine/api/api_config.h"

namespace relais::api {

class Authenticator {
 public:
  explicit Authenticator(const std::vector<TokenConfig>& tokens);

  // The principal of a valid bearer token; nullopt when the header is
  // missing, not a Bearer credential, or names no configured token.
  std::optional<access::Principal> Authenticate(std::optional<std::string_view> authorization_header) const;

  // The token of an `Authorization: Bearer <token>` value, trimmed; nullopt
  // for another scheme or an empty token.
  static std::optional<std::string_view> BearerToken(std::string_view header);

  // The lower-case hex SHA-256 of text (what the configuration stores).
  static std::string Sha256Hex(std::string_view text);

 private:
  struct Entry {
    std::string digest;  // 32 raw bytes
    access::Principal principal;
  };
  std::vector<Entry> entries_;
};

}  // namespace relais::api
