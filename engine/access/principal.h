// Principal: who is calling, as established by their bearer token: the
// subject recorded as the actor of every event they cause, their roles, and
// their scope (partner id, programmes). What a principal may see and do is
// decided by the Authorizer (authorizer.h), nowhere else.
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/runtime/project.h"

namespace relais::access {

// The roles a token may carry (workflow files may name others; they are
// passed through to the workflow but give no visibility beyond membership).
inline constexpr std::string_view kRoleCoordinator = "coordinator";
inline constexpr std::string_view kRoleElu = "elu";
inline constexpr std::string_view kRoleReferent = "referent";
inline constexpr std::string_view kRolePartner = "partner";
inline constexpr std::string_view kRoleObserver = "observer";
inline constexpr std::string_view kRoleAdmin = "admin";

struct Principal {
  std::string subject;
  std::vector<std::string> roles;
  std::string partner;                  // partner tokens: the partner they act for
  std::vector<std::string> programmes;  // coordinators: their programmes (empty: all)

  bool HasRole(std::string_view role) const;
  // True when every role is observer: such a caller may only read.
  bool IsReadOnly() const;
  runtime::Actor ToActor() const { return {subject, roles, partner}; }
};

}  // namespace relais::access
