#include "engine/util/ids.h"

#include <cstdio>

namespace relais {
namespace {

bool IsAlnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// 1..max bytes, the first a letter or digit, the rest letters, digits or one of `more`.
bool Matches(std::string_view id, size_t max, std::string_view more) {
  if (id.empty() || id.size() > max || !IsAlnum(id[0])) return false;
  for (char c : id)
    if (!IsAlnum(c) && more.find(c) == std::string_view::npos) return false;
  return true;
}

constexpr std::string_view kIdMore = "._-";
constexpr std::string_view kPersonIdMore = "._@:+-";

Status Refused(std::string_view what, std::string_view id, size_t max, std::string_view chars,
               std::string_view pattern) {
  std::string found = id.empty() ? "is empty" : QuoteId(id);
  if (id.size() > max) found += " (" + std::to_string(id.size()) + " bytes)";
  return InvalidArgument(std::string(what) + " " + found + ": expected 1 to " + std::to_string(max) +
                         " letters, digits or " + std::string(chars) + ", starting with a letter or a digit (" +
                         std::string(pattern) + ")");
}

}  // namespace

bool IsValidId(std::string_view id) { return Matches(id, kMaxIdBytes, kIdMore); }
bool IsValidPersonId(std::string_view id) { return Matches(id, kMaxPersonIdBytes, kPersonIdMore); }

Status ValidateId(std::string_view what, std::string_view id) {
  if (IsValidId(id)) return Status::Ok();
  return Refused(what, id, kMaxIdBytes, "'.', '_', '-'", kIdPattern);
}

Status ValidatePersonId(std::string_view what, std::string_view id) {
  if (IsValidPersonId(id)) return Status::Ok();
  return Refused(what, id, kMaxPersonIdBytes, "'.', '_', '@', ':', '+', '-'", kPersonIdPattern);
}

std::string QuoteId(std::string_view id) {
  constexpr size_t kShown = 64;
  std::string out = "'";
  for (size_t i = 0; i < id.size() && i < kShown; ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += id.size() > kShown ? "'..." : "'";
  return out;
}

}  // namespace relais
