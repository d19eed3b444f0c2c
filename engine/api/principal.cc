#include "engine/api/principal.h"

#include <algorithm>

namespace relais::api {

bool Principal::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Principal::IsReadOnly() const {
  return std::all_of(roles.begin(), roles.end(), [](const std::string& r) { return r == kRoleObserver; });
}

bool Principal::CoversProgramme(std::string_view programme) const {
  if (HasRole(kRoleAdmin)) return true;
  if (!HasRole(kRoleCoordinator)) return false;
  return programmes.empty() || std::find(programmes.begin(), programmes.end(), programme) != programmes.end();
}

bool Principal::CanSee(const runtime::ProjectInfo& project) const {
  if (HasRole(kRoleAdmin) || HasRole(kRoleObserver)) return true;
  if (HasRole(kRoleCoordinator) && CoversProgramme(project.programme)) return true;
  if (HasRole(kRolePartner) && !partner.empty() &&
      std::find(project.partners.begin(), project.partners.end(), partner) != project.partners.end())
    return true;
  return project.HasMember(subject);
}

}  // namespace relais::api
