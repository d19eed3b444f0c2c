// Where notices wait for a person's daily digest:
// email/digest/<person>/<micros, 20 digits>-<event id> holds the Notice as
// JSON, written in the batch of the event's append; the digest e-mail and
// the removal of what it gathers are one batch (digest.h).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "engine/notify/webhook_keys.h"
#include "engine/util/clock.h"

namespace relais::email {

inline constexpr std::string_view kDigestPrefix = "email/digest/";

inline std::string DigestPersonPrefix(std::string_view person) {
  return std::string(kDigestPrefix) + std::string(person) + "/";
}
inline std::string DigestEntryKey(std::string_view person, TimePoint at, std::string_view source) {
  return DigestPersonPrefix(person) + notify::Padded(static_cast<uint64_t>(ToMicros(at))) + "-" + std::string(source);
}

}  // namespace relais::email
