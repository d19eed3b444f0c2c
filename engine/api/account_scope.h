// The scope pre-step of the account and invitation routes: an account (or
// invitation) as the Authorizer sees it.
//
// Thread-safety: as Scopes (scope.h).
#pragma once

#include <string>

#include "engine/access/authorizer.h"
#include "engine/accounts/account.h"

namespace relais::api {

class Api;

// The resource of person's account with access now and, for a change,
// next (either may be null): the union of both, and for a coordinator
// limited to programmes the programmes of the partners they name.
access::AccountResource AccountResourceOf(Api& api, const access::Principal& who, const std::string& person,
                                          const accounts::Access* now, const accounts::Access* next);

}  // namespace relais::api
