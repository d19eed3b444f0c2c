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

// ParseJson for input from outside (request bodies, import files): an object
// that names a member twice is refused (kInvalidArgument naming the key and
// where it is: "duplicate key 'montant' at $.data.montant"), where ParseJson
// keeps the last. Stored data, written by us, goes through ParseJson.
StatusOr<Json> ParseJsonStrict(std::string_view text, size_t max_depth = 256);

// Where a member sits, in the JSONPath form of error messages: $.data.montant,
// $.items[3], $["a b"]. parent is "$" at the top.
std::string JsonMemberPath(const std::string& parent, const std::string& key);

// Serializes compactly; invalid UTF-8 in strings is replaced, never thrown.
// Byte for byte what value.dump(-1, ' ', false, Json::error_handler_t::replace)
// writes (events, snapshots and fingerprints keep their exact text).
std::string DumpJson(const Json& value);
// The same, appended to out (for writers that assemble a text without
// building a Json tree first); AppendJsonString writes one string value.
void AppendJson(const Json& value, std::string& out);
void AppendJsonString(const std::string& text, std::string& out);

}  // namespace relais
