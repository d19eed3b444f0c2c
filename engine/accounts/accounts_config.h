// The accounts' options (section `accounts:` of the configuration file,
// docs/config.md and docs/accounts.md) and the parser of that section.
//
// Thread-safety: plain values; the parser is stateless.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/util/config_section.h"

namespace relais::accounts {

struct AccountsOptions {
  // An invitation link may be accepted this long after it was sent (7 days).
  std::chrono::milliseconds invitation_ttl{7ll * 24 * 3600 * 1000};
  // A sign-in link may be used this long after it was sent (15 minutes).
  std::chrono::milliseconds sign_in_link_ttl{15 * 60 * 1000};
  // A session ends after this long without a request (2 h), and this long
  // after it began whatever its use (12 h).
  std::chrono::milliseconds session_idle_timeout{2 * 3600 * 1000};
  std::chrono::milliseconds session_absolute_timeout{12 * 3600 * 1000};
  // Open sessions per account at most; a new one ends the oldest.
  size_t max_sessions_per_account = 10;
  // Personal API tokens per account at most (revoke one first).
  size_t max_tokens_per_account = 20;
  // A token's or session's "last used" time is written at most this often
  // (it is kept in memory in between).
  std::chrono::milliseconds last_used_resolution{60'000};
  // Sign-in attempts (password or link requests) per e-mail address and per
  // client address (IP) within sign_in_window; more get 429.
  size_t sign_in_attempts_per_address = 5;
  size_t sign_in_attempts_per_client = 30;
  std::chrono::milliseconds sign_in_window{15 * 60 * 1000};
  // Addresses and clients the sign-in rate limits remember at most.
  size_t sign_in_rate_keys = 100'000;
  // Passwords: length bounds (in bytes), and the argon2id cost (libsodium's
  // "interactive" level: 2 passes over 64 MiB).
  size_t password_min_bytes = 12;
  size_t password_max_bytes = 1024;
  uint64_t password_ops_limit = 2;
  uint64_t password_memory_bytes = 64ull << 20;

  // Not a key of the section: the public address of the server (the
  // composition root copies programmes.public_url), the base of the links in
  // e-mails; an https:// address makes the session cookie Secure.
  std::string public_url = "http://127.0.0.1:8080";
};

// Keys absent keep their value in *out.
Status ParseAccountsSection(const ConfigReader& r, const YAML::Node& node, AccountsOptions* out);

}  // namespace relais::accounts
