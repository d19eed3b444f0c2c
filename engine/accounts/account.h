// Account: one person's access to Relais (docs/accounts.md): who they are
// (the lower-cased e-mail address is the person id and the subject of
// their events), what they may do (roles, programmes, partner), whether
// they may sign in (status), how (a password hash, personal tokens), and
// the records kept beside it (sessions, invitations, sign-in links), with
// their JSON form in the store's key-value space.
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/access/principal.h"
#include "engine/util/clock.h"
#include "engine/util/json.h"
#include "engine/util/status.h"

namespace relais::accounts {

inline constexpr std::string_view kStatusActive = "active";
inline constexpr std::string_view kStatusDisabled = "disabled";

// What an account may do: its roles and scope.
struct Access {
  std::vector<std::string> roles;
  std::vector<std::string> programmes;  // coordinators: their programmes (empty: all)
  std::string partner;                  // partner accounts: the partner they act for

  Json ToJson() const;
  // Reads {roles, programmes, partner}; roles must be known (principal.h)
  // and non-empty, ids valid. kInvalidArgument naming the member otherwise.
  static StatusOr<Access> FromJson(const Json& body);
};

// The words a person gives of themselves (docs/accounts.md); optional.
struct Names {
  std::string civility;  // "M.", "Mme" or empty
  std::string first_name;
  std::string last_name;

  Json ToJson() const;
  // Reads {civility, first_name, last_name} strings (each at most 200 bytes;
  // civility one of "M.", "Mme", ""). Other members are left to the caller.
  static StatusOr<Names> FromJson(const Json& body);
};

// A personal API token as stored: never the token, only its SHA-256.
struct PersonalToken {
  std::string id;      // a UUID, names it in the API
  std::string name;    // given by its owner ("script de suivi")
  std::string digest;  // SHA-256 hex of the token
  TimePoint created_at{};

  Json ToJson() const;                                          // with digest (the store's form)
  Json ToPublicJson(std::optional<TimePoint> last_used) const;  // without digest
  static StatusOr<PersonalToken> FromJson(const Json& j);
};

struct Account {
  std::string person;  // lower-cased e-mail address
  std::string status = std::string(kStatusActive);
  Access access;
  Names names;
  std::string password_hash;  // argon2id string; empty: no password set
  TimePoint created_at{};
  std::vector<PersonalToken> tokens;

  bool active() const { return status == kStatusActive; }
  access::Principal ToPrincipal() const;
  Json ToJson() const;        // the stored form (with hashes)
  Json ToPublicJson() const;  // for the API: no hash, has_password instead
  static StatusOr<Account> FromJson(const Json& j);
};

// A session as stored under its id's digest.
struct Session {
  std::string person;
  TimePoint created_at{};
  TimePoint last_seen{};

  Json ToJson() const;
  static StatusOr<Session> FromJson(const Json& j);
};

// An invitation as stored under its link's digest.
struct Invitation {
  std::string id;  // the digest of its link: names it for listing and revocation
  std::string email;
  Access access;
  Names names;
  std::string invited_by;
  TimePoint created_at{};
  TimePoint expires_at{};

  Json ToJson() const;
  static StatusOr<Invitation> FromJson(const Json& j);
};

// A pending sign-in link as stored under its digest.
struct SignInLink {
  std::string person;
  TimePoint expires_at{};

  Json ToJson() const;
  static StatusOr<SignInLink> FromJson(const Json& j);
};

// The person id of an e-mail address: trimmed and lower-cased. Errors:
// kInvalidArgument when it is not one address (local@domain, no spaces,
// at most 254 bytes, a valid person id).
StatusOr<std::string> PersonOfEmail(std::string_view email);

}  // namespace relais::accounts
