#include "engine/server/request_id.h"

#include <algorithm>

#include "engine/util/uuid.h"

namespace relais::server {

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == ':' || c == '-';
  });
}

std::string RequestIdFor(std::optional<std::string_view> incoming) {
  if (incoming && IsValidRequestId(*incoming)) return std::string(*incoming);
  return NewUuid();
}

std::string ProblemInstance(std::string_view request_id) {
  return std::string(kProblemInstancePrefix) + std::string(request_id);
}

}  // namespace relais::server
