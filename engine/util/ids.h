// The ids that enter Relais from outside (request bodies, import files), and
// the one pattern each kind must match (docs/api.md, "Ids"):
//
//   resource ids (projects, programmes, axes, actions, partners, webhook
//   endpoints): [A-Za-z0-9][A-Za-z0-9._-]{0,127}
//   person ids (the subject of a token: "person:claire.dumas", an e-mail
//   address): [A-Za-z0-9][A-Za-z0-9._@:+-]{0,255}
//
// The first character is a letter or a digit, so "." and ".." (which a URL
// path resolves away), "-x" (an option to a shell tool) and "" are not ids;
// nothing outside printable ASCII (no '/', no space, no control character)
// can get into a store key, a URL path or a log line through an id. Ids are
// checked where they enter (creation); a path parameter that does not match
// simply names nothing (404).
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "engine/util/status.h"

namespace relais {

inline constexpr size_t kMaxIdBytes = 128;
inline constexpr std::string_view kIdPattern = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";
inline constexpr size_t kMaxPersonIdBytes = 256;
inline constexpr std::string_view kPersonIdPattern = "[A-Za-z0-9][A-Za-z0-9._@:+-]{0,255}";

// True if id matches kIdPattern.
bool IsValidId(std::string_view id);
// True if id matches kPersonIdPattern.
bool IsValidPersonId(std::string_view id);

// OK when id matches kIdPattern; else kInvalidArgument saying which id, what
// it was and what was expected: "project id '..': expected 1 to 128 letters,
// digits, '.', '_' or '-', starting with a letter or a digit
// ([A-Za-z0-9][A-Za-z0-9._-]{0,127})". what: "project id", "partner id"...
Status ValidateId(std::string_view what, std::string_view id);
// The same for person ids (kPersonIdPattern).
Status ValidatePersonId(std::string_view what, std::string_view id);

// id as shown in an error message: quoted, non-printable bytes as \xNN,
// cut after 64 bytes.
std::string QuoteId(std::string_view id);

}  // namespace relais
