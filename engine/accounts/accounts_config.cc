#include "engine/accounts/accounts_config.h"

#include "engine/util/config_reader.h"

namespace relais::accounts {

namespace {
constexpr uint64_t kMaxTtlMillis = 90ull * 24 * 3600 * 1000;  // 90 days
}

Status ParseAccountsSection(const ConfigReader& r, const YAML::Node& node, AccountsOptions* out) {
  AccountsOptions& c = *out;
  RELAIS_RETURN_IF_ERROR(
      r.Map(node, "accounts",
            {
                r.MillisField("invitation_ttl_ms", &c.invitation_ttl, 60'000, kMaxTtlMillis),
                r.MillisField("sign_in_link_ttl_ms", &c.sign_in_link_ttl, 60'000, kConfigMaxMillis),
                r.MillisField("session_idle_timeout_ms", &c.session_idle_timeout, 60'000, kMaxTtlMillis),
                r.MillisField("session_absolute_timeout_ms", &c.session_absolute_timeout, 60'000, kMaxTtlMillis),
                r.UnsignedField("max_sessions_per_account", &c.max_sessions_per_account, 1, 1000),
                r.UnsignedField("max_tokens_per_account", &c.max_tokens_per_account, 1, 1000),
                r.MillisField("last_used_resolution_ms", &c.last_used_resolution, 1000, kConfigMaxMillis),
                r.UnsignedField("sign_in_attempts_per_address", &c.sign_in_attempts_per_address, 1, 1'000'000),
                r.UnsignedField("sign_in_attempts_per_client", &c.sign_in_attempts_per_client, 1, 1'000'000),
                r.MillisField("sign_in_window_ms", &c.sign_in_window, 1000, kConfigMaxMillis),
                r.UnsignedField("sign_in_rate_keys", &c.sign_in_rate_keys, 100, 100'000'000),
                r.UnsignedField("password_min_bytes", &c.password_min_bytes, 8, 1024),
                r.UnsignedField("password_max_bytes", &c.password_max_bytes, 8, 4096),
                r.UnsignedField("password_ops_limit", &c.password_ops_limit, 1, 100),
                r.UnsignedField("password_memory_bytes", &c.password_memory_bytes, 8ull << 10, 4ull << 30),
            }));
  if (c.password_min_bytes > c.password_max_bytes)
    return r.Error(node.Mark(), "accounts: password_min_bytes must not exceed password_max_bytes");
  if (c.session_idle_timeout > c.session_absolute_timeout)
    return r.Error(node.Mark(), "accounts: session_idle_timeout_ms must not exceed session_absolute_timeout_ms");
  return Status::Ok();
}

}  // namespace relais::accounts
