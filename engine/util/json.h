// The one place where nlohmann/json's exceptions become a Status.
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/util/status.h"

namespace relais {

using Json = nlohmann::json;

// Parses text as one JSON value. On malformed input returns kInvalidArgument
// with the byte offset and what the parser expected. Nesting deeper than
// max_depth is refused (kInvalidArgument) before it can exhaust the stack.
StatusOr<Json> ParseJson(std::string_view text, size_t max_depth = 256);

// Serializes compactly; invalid UTF-8 in strings is replaced, never thrown.
std::string DumpJson(const Json& value);

}  // namespace relais
