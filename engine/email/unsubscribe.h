// UnsubscribeLinks: the signed token of an e-mail's unsubscribe link. It
// names a person and a programme and carries an HMAC-SHA256 of them under
// a server secret (kept in the store under email/secret, made at the first
// start), so the link works without signing in and cannot be forged for
// somebody else. Opening it shows a confirmation; a POST (the page's button,
// or a mail client's RFC 8058 one-click) sets "none" for that programme.
//
// Thread-safety: immutable after Load; safe from any thread.
#pragma once

#include <string>

#include "engine/store/event_store.h"

namespace relais::email {

struct UnsubscribeTarget {
  std::string person;
  std::string programme;  // "" for projects outside any programme
};

class UnsubscribeLinks {
 public:
  // Reads the secret, or makes and stores one. Errors: the store's;
  // kUnavailable when no random bytes could be drawn.
  static StatusOr<UnsubscribeLinks> Load(EventStore& store);
  explicit UnsubscribeLinks(std::string secret) : secret_(std::move(secret)) {}

  // "<base64url(person \n programme)>.<hex HMAC>", URL-safe.
  std::string Token(const UnsubscribeTarget& target) const;
  // The link: <base>/v1/unsubscribe?t=<token>.
  std::string Url(const std::string& base, const UnsubscribeTarget& target) const;
  // What a token names. Errors: kInvalidArgument (malformed), kPermissionDenied (bad signature).
  StatusOr<UnsubscribeTarget> Verify(const std::string& token) const;

 private:
  std::string Mac(const std::string& payload) const;
  std::string secret_;
};

}  // namespace relais::email
