// Scope pre-steps: every /v1 handler that acts on one resource starts with
// one of these. Each loads the facts the Authorizer needs (a project's info,
// a programme's people, the programmes of an endpoint's partner or of a
// person), asks it, and yields either the resource or the problem to answer:
// 404 worded exactly as for a missing resource when the caller may not know
// it exists, 403 with the reason when they see it but may not do the verb.
//
// Thread-safety: safe for concurrent use; each call reads the services it
// was built over (which must outlive it).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <variant>

#include "engine/access/authorizer.h"
#include "engine/api/api_problems.h"
#include "engine/notify/endpoint_registry.h"
#include "engine/programme/programme_service.h"
#include "engine/server/http_types.h"

namespace relais::api {

struct ApiServices;

// A resource, or the problem to answer instead.
template <typename T>
class Scoped {
 public:
  Scoped(T value) : v_(std::move(value)) {}                         // NOLINT(google-explicit-constructor)
  Scoped(server::HttpResponse problem) : v_(std::move(problem)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  // REQUIRES: ok().
  T& operator*() { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  // REQUIRES: !ok().
  server::HttpResponse& problem() { return std::get<1>(v_); }

 private:
  std::variant<T, server::HttpResponse> v_;
};

// The answer to a decision that does not allow the verb: not_found() for
// kNeither, 403 with the reason for kVisible; nullopt for kMayAct. The 404
// is built only when it is sent (reads and lists ask on every item).
template <typename NotFound>
std::optional<server::HttpResponse> Refusal(const access::Decision& decision, NotFound&& not_found) {
  if (decision.access == access::Access::kMayAct) return std::nullopt;
  if (decision.access == access::Access::kVisible) return Forbidden(decision.reason);
  return not_found();
}

// A person's calendar feed as a feed token names it: "person:<subject>",
// limited to some programmes when it was issued by a coordinator of those
// only ("person:<subject>#p1,p2"); ids never hold '#' or ','.
struct PersonFeed {
  std::string person;
  std::optional<std::set<std::string>> only;  // nullopt: every programme the person serves in

  std::string ToSpec() const;
  static std::optional<PersonFeed> FromSpec(const std::string& spec);
};

class Scopes {
 public:
  Scopes(ApiServices& services, const access::Authorizer& authorizer) : s_(services), authorizer_(authorizer) {}

  const access::Authorizer& authorizer() const { return authorizer_; }

  // The project's version, if who may do verb on it.
  Scoped<uint64_t> ProjectVersion(const access::Principal& who, const std::string& id, access::Verb verb);
  // The same from memory only, for an I/O thread: nullopt when the project
  // is not cached or a command is folding into it (ProjectService::TryRead).
  std::optional<Scoped<uint64_t>> TryProjectVersion(const access::Principal& who, const std::string& id,
                                                    access::Verb verb);
  // The decision's problem for a project already read (nullopt: go on).
  std::optional<server::HttpResponse> CheckProject(const access::Principal& who, const runtime::ProjectInfo& info,
                                                   access::Verb verb) const;
  // A new project of programme.
  std::optional<server::HttpResponse> CheckNewProject(const access::Principal& who, const std::string& programme) const;

  // The programme, if who may do verb on it (kCreate: defining it anew).
  Scoped<programme::StatePtr> Programme(const access::Principal& who, const std::string& id, access::Verb verb);
  // Whether who may read the programme (lists skip the others).
  bool SeesProgramme(const access::Principal& who, const programme::ProgrammeState& state) const;
  // Every programme who may read, by id. Errors: the store's; 503 when
  // programmes are off (as a problem).
  Scoped<std::vector<programme::StatePtr>> SeenProgrammes(const access::Principal& who);
  // The projects of programme who may read, by id, from the read model.
  std::vector<runtime::Project> SeenProjectsOf(const access::Principal& who, const std::string& programme,
                                               TimePoint now) const;

  // The directory (id empty) or one partner, for verb.
  std::optional<server::HttpResponse> CheckPartner(const access::Principal& who, const std::string& id,
                                                   access::Verb verb) const;

  // The people directory (id empty) or one person, for verb.
  std::optional<server::HttpResponse> CheckPerson(const access::Principal& who, const std::string& id,
                                                  access::Verb verb) const;

  // Webhooks as a whole (lists, registration, bulk replay).
  std::optional<server::HttpResponse> CheckWebhooks(const access::Principal& who) const;
  // The endpoints of partner: may who manage them? (registration names the partner.)
  access::Decision DecideEndpoints(const access::Principal& who, const std::string& partner) const;
  // One endpoint, if who may manage it.
  Scoped<notify::Endpoint> Endpoint(const access::Principal& who, const std::string& id);

  // A person's feed, if who may issue or revoke its tokens; the feed it may
  // have (limited to who's programmes when who is a limited coordinator).
  Scoped<PersonFeed> PersonFeedOf(const access::Principal& who, const std::string& person);
  // A feed token's feed spec, if who may revoke it.
  Scoped<std::string> FeedToken(const access::Principal& who, const std::string& token);

 private:
  std::set<std::string> PeopleOf(const programme::ProgrammeState& state) const;

  ApiServices& s_;
  const access::Authorizer& authorizer_;
};

}  // namespace relais::api
