#include "engine/access/principal.h"

#include <algorithm>

namespace relais::access {

bool Principal::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Principal::IsReadOnly() const {
  return std::all_of(roles.begin(), roles.end(), [](const std::string& r) { return r == kRoleObserver; });
}

}  // namespace relais::access
