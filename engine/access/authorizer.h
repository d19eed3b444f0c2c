// Authorizer: the one place that decides what a caller may see and do. Every
// /v1 route (through the scope pre-steps of scope.h), the live stream, the
// calendar feeds and the webhook routes ask it; nothing else looks at roles
// or scopes to decide access.
//
// It answers, for (principal, resource, verb), one of three words:
//   kNeither  the caller may not know the resource exists: answer exactly as
//             for one that does not exist (404);
//   kVisible  the caller sees it but may not do this verb (403, with reason);
//   kMayAct   go on (the workflow may still refuse a command, 403/422).
// The resource carries the facts the decision needs (a project's programme,
// partners and members; the programmes a partner or a person takes part
// in), gathered by the caller; the Authorizer itself reads nothing.
//
// The rules, in words, are in docs/api.md ("Authorization") and the table of
// tests/api/authorization_matrix_test.cc (the rules alone: tests/access/authorizer_test.cc).
//
// Thread-safety: stateless; safe for concurrent access from multiple threads
// without any external synchronization.
#pragma once

#include <set>
#include <string>
#include <variant>
#include <vector>

#include "engine/access/principal.h"
#include "engine/runtime/project.h"

namespace relais::access {

enum class Access { kNeither, kVisible, kMayAct };

enum class Verb {
  kRead,    // see it: GET, the live stream, a feed
  kRecord,  // record an event on a project
  kCreate,  // create it (a project in a programme, a partner, an endpoint)
  kManage,  // change it: members, terms, milestones, secrets, feed tokens...
};

// A project (its info as folded); creating one names only its programme.
// parent: for a sub-item whose visibility follows its parent's
// (ProjectInfo::inherit_visibility), the parent's info: the parent's
// partners and members see the sub-item too.
struct ProjectResource {
  const runtime::ProjectInfo& info;
  const runtime::ProjectInfo* parent = nullptr;
};
// A project to be created in programme (empty: no programme).
struct NewProjectResource {
  std::string programme;
};
// A programme, by id, with the people ever assigned in it (who may read it).
struct ProgrammeResource {
  std::string id;
  std::set<std::string> people;
};
// The directory of partners, or one partner of it.
// programmes: those of the actions the partner takes part in (for changes).
struct PartnerResource {
  std::string id;  // empty: the directory as a whole
  std::set<std::string> programmes;
};
// A partner's webhook endpoints (and their deliveries, attempts, dead
// letters); programmes: those of the actions the partner takes part in.
struct EndpointResource {
  std::string partner;
  std::set<std::string> programmes;
};
// A person's calendar feed and its tokens; programmes: those they serve in.
struct PersonFeedResource {
  std::string person;
  std::set<std::string> programmes;
};
// The directory of people, or one person of it (people/person_directory.h).
// programmes: those the person serves in (for changes by a limited coordinator).
struct PersonResource {
  std::string id;  // empty: the directory as a whole
  std::set<std::string> programmes;
};
// The workflow definitions.
struct WorkflowResource {};
// A person's account or invitation (docs/accounts.md). roles and
// programmes: the union of what it has and what the request gives it (an
// empty person: the collection, e.g. the accounts list as a whole);
// partner_programmes: those of the actions of the partner it acts for
// (gathered for a coordinator limited to programmes).
struct AccountResource {
  std::string person;
  std::set<std::string> roles;
  std::set<std::string> programmes;
  std::set<std::string> partner_programmes;
};
// The audit stream of access changes.
struct AuditResource {};
// The e-mail outbox: messages waiting, dead letters, replay (admins only:
// it names every person's address and what they were told).
struct EmailQueueResource {};

using Resource = std::variant<ProjectResource, NewProjectResource, ProgrammeResource, PartnerResource, EndpointResource,
                              PersonFeedResource, PersonResource, WorkflowResource, AccountResource, AuditResource,
                              EmailQueueResource>;

struct Decision {
  Access access = Access::kNeither;
  std::string reason;  // with kVisible: why the verb is refused, for the 403's detail

  bool may_act() const { return access == Access::kMayAct; }
};

class Authorizer {
 public:
  Decision Decide(const Principal& who, const Resource& resource, Verb verb) const;

  // Whether who's programme scope covers programme (admins, and coordinators
  // without a programme list, cover every programme).
  static bool Covers(const Principal& who, std::string_view programme);
  // Whether an answer for who can depend on the programmes a partner or a
  // person takes part in (a coordinator limited to programmes); for anyone
  // else those facts need not be gathered.
  static bool ReadsProgrammesOf(const Principal& who);
  // Whether who's scope covers every programme of programmes.
  static bool CoversAll(const Principal& who, const std::set<std::string>& programmes);
};

}  // namespace relais::access
