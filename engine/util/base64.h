// Base64url (RFC 4648 section 5) without padding: bytes as text that needs
// no escaping in URLs, header values or a PostgreSQL notification payload.
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace relais {

std::string Base64Url(std::string_view bytes);
// nullopt when text holds a character outside the base64url alphabet or
// cannot be decoded.
std::optional<std::string> FromBase64Url(std::string text);

}  // namespace relais
