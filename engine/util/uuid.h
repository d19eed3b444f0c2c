// Random (version 4) UUIDs in their canonical 36-character text form.
//
// Thread-safety: NewUuid() is safe from any thread (one generator per thread).
#pragma once

#include <string>
#include <string_view>

namespace relais {

std::string NewUuid();

// A UUID derived from `name` (SHA-256, RFC 9562 version 8 layout): the same
// name always gives the same id. Used where a retry must produce the same
// event ids (idempotency keys, timer firings) so the store deduplicates it.
std::string NameUuid(std::string_view name);

// True if text is a canonical lower- or upper-case 8-4-4-4-12 hex UUID.
bool IsUuid(std::string_view text);

}  // namespace relais
