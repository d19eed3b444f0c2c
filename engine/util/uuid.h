// Random (version 4) UUIDs in their canonical 36-character text form.
//
// Thread-safety: NewUuid() is safe from any thread (one generator per thread).
#pragma once

#include <string>
#include <string_view>

namespace relais {

std::string NewUuid();

// True if text is a canonical lower- or upper-case 8-4-4-4-12 hex UUID.
bool IsUuid(std::string_view text);

}  // namespace relais
