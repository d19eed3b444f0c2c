#include "engine/api/scope.h"

#include <limits>

#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/notify/webhook_service.h"

namespace relais::api {
namespace {

using server::HttpResponse;
using server::MakeProblem;
using server::ProblemKind;

HttpResponse ProgrammeNotFound(const std::string& id) {
  return MakeProblem(ProblemKind::kNotFound, "no programme '" + id + "'");
}
HttpResponse EndpointNotFound(const std::string& id) {
  return MakeProblem(ProblemKind::kNotFound, "no webhook endpoint '" + id + "'");
}
HttpResponse PersonNotFound(const std::string& person) {
  return MakeProblem(ProblemKind::kNotFound, "no person '" + person + "' serves in a programme");
}
HttpResponse FeedTokenNotFound() { return MakeProblem(ProblemKind::kNotFound, "no such feed token"); }
HttpResponse WebhooksOff() { return server::UnavailableProblem("webhooks are not running in this process"); }

}  // namespace

std::string PersonFeed::ToSpec() const {
  std::string spec = "person:" + person;
  if (only) {
    spec += '#';
    bool first = true;
    for (const std::string& p : *only) {
      if (!first) spec += ',';
      spec += p;
      first = false;
    }
  }
  return spec;
}

std::optional<PersonFeed> PersonFeed::FromSpec(const std::string& spec) {
  if (spec.rfind("person:", 0) != 0) return std::nullopt;
  PersonFeed feed;
  const size_t hash = spec.find('#');
  feed.person = spec.substr(7, hash == std::string::npos ? std::string::npos : hash - 7);
  if (hash != std::string::npos) {
    feed.only.emplace();
    size_t start = hash + 1;
    while (start <= spec.size()) {
      size_t comma = spec.find(',', start);
      if (comma == std::string::npos) comma = spec.size();
      if (comma > start) feed.only->insert(spec.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return feed;
}

Scoped<uint64_t> Scopes::ProjectVersion(const access::Principal& who, const std::string& id, access::Verb verb) {
  std::optional<HttpResponse> problem;
  uint64_t version = 0;
  Status read = s_.projects.Read(id, [&](const runtime::Project& p) {
    problem = CheckProject(who, p.info, verb);
    version = p.version;
  });
  if (!read.ok()) {
    const StatusCode code = read.code();
    if (code == StatusCode::kNotFound || code == StatusCode::kInvalidArgument) return ProjectNotFound(id);
    return server::ProblemFromStatus(read);
  }
  if (problem) return std::move(*problem);
  return version;
}

std::optional<Scoped<uint64_t>> Scopes::TryProjectVersion(const access::Principal& who, const std::string& id,
                                                          access::Verb verb) {
  if (!runtime::ValidateProjectId(id).ok()) return Scoped<uint64_t>(ProjectNotFound(id));
  std::optional<HttpResponse> problem;
  uint64_t version = 0;
  if (!s_.projects.TryRead(id, [&](const runtime::Project& p) {
        problem = CheckProject(who, p.info, verb);
        version = p.version;
      }))
    return std::nullopt;
  if (problem) return Scoped<uint64_t>(std::move(*problem));
  return Scoped<uint64_t>(version);
}

std::optional<HttpResponse> Scopes::CheckProject(const access::Principal& who, const runtime::ProjectInfo& info,
                                                 access::Verb verb) const {
  std::optional<runtime::ProjectInfo> parent;
  if (info.inherit_visibility && !info.parent.empty() &&
      !authorizer_.Decide(who, {access::ProjectResource{info}}, verb).may_act())
    parent = s_.projects.VisibilityParent(info);
  return Refusal(authorizer_.Decide(who, access::ProjectResource{info, parent ? &*parent : nullptr}, verb),
                 [&] { return ProjectNotFound(info.id); });
}

std::optional<HttpResponse> Scopes::CheckNewProject(const access::Principal& who, const std::string& programme) const {
  return Refusal(authorizer_.Decide(who, access::NewProjectResource{programme}, access::Verb::kCreate),
                 [] { return ProjectNotFound(""); });
}

std::set<std::string> Scopes::PeopleOf(const programme::ProgrammeState& state) const {
  std::set<std::string> people;
  for (const auto& [id, a] : state.assignments) people.insert(a.person);
  return people;
}

bool Scopes::SeesProgramme(const access::Principal& who, const programme::ProgrammeState& state) const {
  return authorizer_.Decide(who, access::ProgrammeResource{state.definition.id, PeopleOf(state)}, access::Verb::kRead)
      .may_act();
}

Scoped<std::vector<programme::StatePtr>> Scopes::SeenProgrammes(const access::Principal& who) {
  if (!s_.programmes) return ProgrammesOff();
  auto ids = s_.programmes->List();
  if (!ids.ok()) return server::ProblemFromStatus(ids.status());
  std::vector<programme::StatePtr> seen;
  for (const std::string& id : *ids) {
    auto state = s_.programmes->Get(id);
    if (state.ok() && SeesProgramme(who, **state)) seen.push_back(*state);
  }
  return seen;
}

std::vector<runtime::Project> Scopes::SeenProjectsOf(const access::Principal& who, const std::string& programme,
                                                     TimePoint now) const {
  runtime::ProjectFilter filter;
  filter.programme = programme;
  std::vector<runtime::Project> seen;
  for (runtime::Project& p :
       s_.index.Query(filter, runtime::ProjectSort::kId, 0, std::numeric_limits<size_t>::max(), now).projects)
    if (!CheckProject(who, p.info, access::Verb::kRead)) seen.push_back(std::move(p));
  return seen;
}

Scoped<programme::StatePtr> Scopes::Programme(const access::Principal& who, const std::string& id, access::Verb verb) {
  if (!s_.programmes) return ProgrammesOff();
  auto state = s_.programmes->Get(id);
  if (!state.ok()) {
    if (state.status().code() == StatusCode::kNotFound) return ProgrammeNotFound(id);
    return server::ProblemFromStatus(state.status());
  }
  if (auto refused = Refusal(authorizer_.Decide(who, access::ProgrammeResource{id, PeopleOf(**state)}, verb),
                             [&] { return ProgrammeNotFound(id); }))
    return std::move(*refused);
  return std::move(*state);
}

std::optional<HttpResponse> Scopes::CheckPartner(const access::Principal& who, const std::string& id,
                                                 access::Verb verb) const {
  access::PartnerResource partner{id, {}};
  if (!id.empty() && verb == access::Verb::kManage && access::Authorizer::ReadsProgrammesOf(who))
    partner.programmes = s_.index.ProgrammesOfPartner(id);
  return Refusal(authorizer_.Decide(who, partner, verb),
                 [&] { return MakeProblem(ProblemKind::kNotFound, "no partner '" + id + "'"); });
}

std::optional<HttpResponse> Scopes::CheckPerson(const access::Principal& who, const std::string& id,
                                                access::Verb verb) const {
  access::PersonResource person{id, {}};
  if (!id.empty() && verb == access::Verb::kManage && access::Authorizer::ReadsProgrammesOf(who) && s_.programmes) {
    auto ids = s_.programmes->ProgrammesOf(id);
    if (!ids.ok()) return server::ProblemFromStatus(ids.status());
    person.programmes = {ids->begin(), ids->end()};
  }
  return Refusal(authorizer_.Decide(who, person, verb),
                 [&] { return MakeProblem(ProblemKind::kNotFound, "no person '" + id + "' in the directory"); });
}

std::optional<HttpResponse> Scopes::CheckWebhooks(const access::Principal& who) const {
  if (!s_.webhooks) return WebhooksOff();
  return Refusal(authorizer_.Decide(who, access::EndpointResource{}, access::Verb::kRead),
                 [] { return EndpointNotFound(""); });
}

access::Decision Scopes::DecideEndpoints(const access::Principal& who, const std::string& partner) const {
  access::EndpointResource endpoints{partner, {}};
  // The partner's programmes cost a scan of the read model: only a limited
  // coordinator's answer depends on them.
  if (access::Authorizer::ReadsProgrammesOf(who)) endpoints.programmes = s_.index.ProgrammesOfPartner(partner);
  return authorizer_.Decide(who, endpoints, access::Verb::kManage);
}

Scoped<notify::Endpoint> Scopes::Endpoint(const access::Principal& who, const std::string& id) {
  if (!s_.webhooks) return WebhooksOff();
  auto endpoint = s_.webhooks->endpoints().Get(id);
  if (!endpoint.ok()) {
    if (endpoint.status().code() == StatusCode::kNotFound || endpoint.status().code() == StatusCode::kInvalidArgument)
      return EndpointNotFound(id);
    return server::ProblemFromStatus(endpoint.status());
  }
  if (auto refused = Refusal(DecideEndpoints(who, endpoint->partner), [&] { return EndpointNotFound(id); }))
    return std::move(*refused);
  return std::move(*endpoint);
}

Scoped<PersonFeed> Scopes::PersonFeedOf(const access::Principal& who, const std::string& person) {
  if (!s_.programmes) return ProgrammesOff();
  auto ids = s_.programmes->ProgrammesOf(person);
  if (!ids.ok()) return server::ProblemFromStatus(ids.status());
  access::PersonFeedResource resource{person, {ids->begin(), ids->end()}};
  if (auto refused =
          Refusal(authorizer_.Decide(who, resource, access::Verb::kManage), [&] { return PersonNotFound(person); }))
    return std::move(*refused);
  PersonFeed feed{person, std::nullopt};
  // A coordinator limited to programmes gets a feed limited to them, so that
  // a later term elsewhere does not show through the token it holds.
  if (who.subject != person && !who.HasRole(access::kRoleAdmin) && !who.programmes.empty())
    feed.only = std::set<std::string>(who.programmes.begin(), who.programmes.end());
  return feed;
}

Scoped<std::string> Scopes::FeedToken(const access::Principal& who, const std::string& token) {
  if (!s_.programmes) return ProgrammesOff();
  auto feed = s_.programmes->FeedOfToken(token);
  if (!feed.ok()) return server::ProblemFromStatus(feed.status());
  if (!*feed) return FeedTokenNotFound();
  const std::string& spec = **feed;
  if (auto person = PersonFeed::FromSpec(spec)) {
    if (person->person == who.subject) return spec;
    auto scoped = PersonFeedOf(who, person->person);
    if (!scoped.ok()) return scoped.problem().status == 404 ? FeedTokenNotFound() : std::move(scoped.problem());
    return spec;
  }
  if (spec.rfind("programme:", 0) == 0) {
    auto programme = Programme(who, spec.substr(10), access::Verb::kManage);
    if (!programme.ok())
      return programme.problem().status == 404 ? FeedTokenNotFound() : std::move(programme.problem());
    return spec;
  }
  return FeedTokenNotFound();
}

}  // namespace relais::api
