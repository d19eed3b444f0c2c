// Who may do what: every role × every /v1 route × own and other project
// (or programme), against the expected status. A project the caller does
// not take part in answers 404 exactly like a missing one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "engine/server/response_stream.h"
#include "tests/api/api_fixture.h"

namespace relais::api {
namespace {

using testing::Harness;

enum class Scope { kNone, kOwn, kOther };

struct Role {
  std::string name;
  std::string token;
  bool sees_own, sees_other;  // project visibility
  bool manager;               // coordinator or admin
  bool records_indicators;    // the workflow lets it fire indicateur_enregistre
  bool creates_own, creates_other;
};

const std::vector<Role>& Roles() {
  static const std::vector<Role> kRoles = {
      {"admin", testing::kAdmin, true, true, true, false, true, true},
      {"coordinator", testing::kCoordinator, true, true, true, true, true, true},
      {"coordinator-scoped", testing::kScopedCoordinator, true, false, true, true, true, false},
      {"elu", testing::kElu, true, false, false, false, false, false},
      {"referent", testing::kReferent, true, false, false, true, false, false},
      {"partner", testing::kPartner, true, false, false, true, false, false},
      {"observer", testing::kObserver, true, true, false, false, false, false},
  };
  return kRoles;
}

struct Route {
  std::string method;
  std::string pattern;
  bool per_project;  // run against own and other
  // The request for this role and scope; returns {target, body, extra header}.
  std::function<std::pair<std::string, std::string>(const Role&, Scope)> request;
  std::function<int(const Role&, Scope)> expected;
};

std::string Id(Scope s) { return s == Scope::kOwn ? "own" : "other"; }

// Webhook endpoints, one per role name and scope (made by the test): "own"
// ones belong to ccas-fresnes, which acts only in the own programme (and is
// the partner token's partner); "other" ones to afpa, which acts only in the
// other programme.
std::map<std::string, std::string>& EndpointOf() {
  static std::map<std::string, std::string> ids;
  return ids;
}
std::string EndpointPartner(Scope s) { return s == Scope::kOwn ? "ccas-fresnes" : "afpa"; }
bool WebhookUser(const Role& r) { return r.manager || r.name == "partner"; }
std::pair<std::string, std::string> EndpointRequest(const Role& r, Scope s, const std::string& suffix) {
  return {"/v1/webhooks/endpoints/" + EndpointOf()[r.name + "/" + Id(s)] + suffix, ""};
}
// An endpoint route's status: admins and coordinators of every programme
// manage every endpoint; the limited coordinator and the partner only those
// of a partner acting in their scope; anyone else finds none.
int EndpointStatus(const Role& r, Scope s, int ok) {
  if (r.name == "admin" || r.name == "coordinator") return ok;
  if (r.name == "coordinator-scoped" || r.name == "partner") return s == Scope::kOwn ? ok : 404;
  return 404;
}

// People serving in each programme (assigned by the test), and feed tokens
// of theirs, one per role name and scope, for the revocation row.
std::string Person(Scope s) { return s == Scope::kOwn ? "person:lea.sud" : "person:zoe.nord"; }
std::map<std::string, std::string>& FeedTokenOf() {
  static std::map<std::string, std::string> tokens;
  return tokens;
}
int PersonFeedStatus(const Role& r, Scope s, int ok) {
  if (r.name == "admin" || r.name == "coordinator") return ok;
  if (r.name == "coordinator-scoped") return s == Scope::kOwn ? ok : 404;
  if (r.name == "observer") return 403;
  return 404;
}
bool Sees(const Role& r, Scope s) { return s == Scope::kOwn ? r.sees_own : r.sees_other; }

// Programmes: "own" is the scoped coordinator's programme; nobody else in the
// fixture is assigned in either, so élus, référents and partners see neither.
std::string Programme(Scope s) { return s == Scope::kOwn ? testing::kOwnProgramme : testing::kOtherProgramme; }
bool SeesProgramme(const Role& r, Scope s) {
  if (r.name == "admin" || r.name == "coordinator" || r.name == "observer") return true;
  return r.name == "coordinator-scoped" && s == Scope::kOwn;
}
using Request = std::pair<std::string, std::string>;

std::vector<Route> ProgrammeRoutes() {
  auto under = [](std::string pattern, std::string suffix, std::string method, std::string body,
                  std::function<int(const Role&, Scope)> expected) {
    return Route{method, "/v1/programmes/{id}" + pattern, true,
                 [suffix, body](const Role&, Scope s) {
                   return Request{"/v1/programmes/" + Programme(s) + suffix, body};
                 },
                 expected};
  };
  auto read = [](const Role& r, Scope s) { return SeesProgramme(r, s) ? 200 : 404; };
  auto write = [](int ok) {
    return [ok](const Role& r, Scope s) { return !SeesProgramme(r, s) ? 404 : r.manager ? ok : 403; };
  };
  return {
      {"GET", "/v1/programmes", false,
       [](const Role&, Scope) {
         return Request{"/v1/programmes", ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"GET", "/v1/network", false,
       [](const Role&, Scope) {
         return Request{"/v1/network", ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"GET", "/v1/network/exports/{file}", false,
       [](const Role&, Scope) {
         return Request{"/v1/network/exports/actions.csv", ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"POST", "/v1/programmes", false,
       [](const Role& r, Scope) {
         return Request{"/v1/programmes", Json{{"id", "new-" + r.name}}.dump()};
       },
       [](const Role& r, Scope) { return r.name == "admin" || r.name == "coordinator" ? 201 : 403; }},
      under("", "", "GET", "", read),
      under("", "", "PATCH", R"({"title": "Plate-forme renommée"})", write(200)),
      under("/assignments", "/assignments", "POST",
            Json{{"person", "person:x"}, {"role", "partner_contact"}, {"start", "2004-03-01"}, {"end", "2004-12-31"}}
                .dump(),
            write(201)),
      under("/assignments/{assignment}/end", "/assignments/nope/end", "POST", "", write(404)),
      under("/milestones", "/milestones", "GET", "", read),
      under("/milestones/{milestone}/held", "/milestones/nope/held", "POST", "{}", write(404)),
      under("/milestones/{milestone}/move", "/milestones/nope/move", "POST", R"({"date": "2004-06-01"})", write(404)),
      under("/indicators", "/indicators", "GET", "", read),
      under("/indicators", "/indicators", "POST", R"({"action": "aide", "indicator": "jobs_created", "value": 1})",
            write(201)),
      under("/calendar", "/calendar", "GET", "", read),
      under("/exports/{file}", "/exports/actions.csv", "GET", "", read),
      under("/feed-tokens", "/feed-tokens", "POST", "", write(201)),
      {"POST", "/v1/people/{person}/feed-tokens", true,
       [](const Role&, Scope s) {
         return Request{"/v1/people/" + Person(s) + "/feed-tokens", ""};
       },
       [](const Role& r, Scope s) { return PersonFeedStatus(r, s, 201); }},
      {"GET", "/v1/people/{person}/feed-tokens", true,
       [](const Role&, Scope s) {
         return Request{"/v1/people/" + Person(s) + "/feed-tokens", ""};
       },
       [](const Role& r, Scope s) { return PersonFeedStatus(r, s, 200); }},
      {"DELETE", "/v1/people/{person}/feed-tokens/{id}", true,
       [](const Role&, Scope s) {
         return Request{"/v1/people/" + Person(s) + "/feed-tokens/" + std::string(64, '0'), ""};
       },
       [](const Role& r, Scope s) { return PersonFeedStatus(r, s, 404); }},
      // The people directory: read by all; registered by managers; a person
      // changed by admins, coordinators of every programme, and a limited
      // coordinator while the person serves in their programmes only.
      {"GET", "/v1/people", false,
       [](const Role&, Scope) {
         return Request{"/v1/people", ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"POST", "/v1/people", false,
       [](const Role& r, Scope) {
         return Request{"/v1/people", Json{{"id", "new-" + r.name + "@x.example"}}.dump()};
       },
       [](const Role& r, Scope) { return r.manager ? 201 : 403; }},
      {"GET", "/v1/people/{person}", true,
       [](const Role&, Scope s) {
         return Request{"/v1/people/" + Person(s), ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"GET", "/v1/people/{person}/history", true,
       [](const Role&, Scope s) {
         return Request{"/v1/people/" + Person(s) + "/history", ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"PATCH", "/v1/people/{person}", true,
       [](const Role&, Scope s) {
         return Request{"/v1/people/" + Person(s), R"({"function": "x"})"};
       },
       [](const Role& r, Scope s) {
         if (r.name == "admin" || r.name == "coordinator") return 200;
         return r.name == "coordinator-scoped" && s == Scope::kOwn ? 200 : 403;
       }},
      // E-mail preferences: the person themself, and admins and coordinators
      // (not read-only); anyone else finds no person.
      {"GET", "/v1/people/{person}/email-preferences", true,
       [](const Role&, Scope s) {
         return Request{"/v1/people/" + Person(s) + "/email-preferences", ""};
       },
       [](const Role& r, Scope) { return r.manager ? 200 : 404; }},
      {"PUT", "/v1/people/{person}/email-preferences", true,
       [](const Role&, Scope s) {
         return Request{"/v1/people/" + Person(s) + "/email-preferences",
                        Json{{"programmes", {{testing::kOwnProgramme, "digest"}}}}.dump()};
       },
       [](const Role& r, Scope) { return r.manager ? 200 : 404; }},
      {"DELETE", "/v1/feed-tokens/{token}", true,
       [](const Role& r, Scope s) {
         return Request{"/v1/feed-tokens/" + FeedTokenOf()[r.name + "/" + Id(s)], ""};
       },
       [](const Role& r, Scope s) { return PersonFeedStatus(r, s, 204); }},
      {"GET", "/v1/feeds/{token}", false,
       [](const Role&, Scope) {
         return Request{"/v1/feeds/nope", ""};
       },
       [](const Role&, Scope) { return 404; }},
  };
}

std::vector<Route> Routes(const std::string& workflow_source) {
  const Json indicator = {{"type", "indicateur_enregistre"}, {"data", {{"indicateur", "autre"}, {"valeur", 1}}}};
  return {
      {"GET", "/v1/openapi.yaml", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/openapi.yaml", ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"GET", "/v1/me", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/me", ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"GET", "/v1/workflows", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/workflows", ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"GET", "/v1/workflows/{name}", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/workflows/cbe_action", ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"POST", "/v1/workflows/validate", false,
       [workflow_source](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/workflows/validate", Json{{"source", workflow_source}}.dump()};
       },
       [](const Role& r, Scope) { return r.manager ? 200 : 403; }},
      {"POST", "/v1/workflows", false,
       [workflow_source](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/workflows", Json{{"source", workflow_source}}.dump()};
       },
       [](const Role& r, Scope) { return r.manager ? 200 : 403; }},  // already deployed: 200
      {"POST", "/v1/workflows/{name}/migrations", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/workflows/cbe_action/migrations", R"({"dry_run": true})"};
       },
       [](const Role& r, Scope) { return r.manager ? 200 : 403; }},
      {"POST", "/v1/projects", true,
       [](const Role& r, Scope s) {
         Json body = {{"id", "new-" + r.name + "-" + Id(s)},
                      {"workflow", "cbe_action"},
                      {"programme", s == Scope::kOwn ? testing::kOwnProgramme : testing::kOtherProgramme}};
         return std::pair<std::string, std::string>{"/v1/projects", body.dump()};
       },
       [](const Role& r, Scope s) { return (s == Scope::kOwn ? r.creates_own : r.creates_other) ? 201 : 403; }},
      {"GET", "/v1/projects", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/projects", ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"GET", "/v1/projects/{id}", true,
       [](const Role&, Scope s) {
         return std::pair<std::string, std::string>{"/v1/projects/" + Id(s), ""};
       },
       [](const Role& r, Scope s) { return Sees(r, s) ? 200 : 404; }},
      {"GET", "/v1/projects/{id}/events", true,
       [](const Role&, Scope s) {
         return std::pair<std::string, std::string>{"/v1/projects/" + Id(s) + "/events", ""};
       },
       [](const Role& r, Scope s) { return Sees(r, s) ? 200 : 404; }},
      {"GET", "/v1/projects/{id}/children", true,
       [](const Role&, Scope s) {
         return std::pair<std::string, std::string>{"/v1/projects/" + Id(s) + "/children", ""};
       },
       [](const Role& r, Scope s) { return Sees(r, s) ? 200 : 404; }},
      {"GET", "/v1/projects/{id}/next-steps", true,
       [](const Role&, Scope s) {
         return std::pair<std::string, std::string>{"/v1/projects/" + Id(s) + "/next-steps", ""};
       },
       [](const Role& r, Scope s) { return Sees(r, s) ? 200 : 404; }},
      {"POST", "/v1/projects/{id}/events", true,
       [indicator](const Role&, Scope s) {
         return std::pair<std::string, std::string>{"/v1/projects/" + Id(s) + "/events", indicator.dump()};
       },
       [](const Role& r, Scope s) { return !Sees(r, s)            ? 404
                                           : r.records_indicators ? 201
                                                                  : 403; }},
      {"PUT", "/v1/projects/{id}/members", true,
       [](const Role&, Scope s) {
         // Keeps the fixture's members, so later rows see the same visibility.
         Json members = s == Scope::kOwn
                            ? Json::array({{{"subject", "person:marc.lefort"}, {"role", "elu_referent"}},
                                           {{"subject", "person:rene.tech"}, {"role", "referent_technique"}}})
                            : Json::array();
         return std::pair<std::string, std::string>{"/v1/projects/" + Id(s) + "/members",
                                                    Json{{"members", members}}.dump()};
       },
       [](const Role& r, Scope s) { return !Sees(r, s) ? 404
                                           : r.manager ? 201
                                                       : 403; }},
      {"PATCH", "/v1/projects/{id}", true,
       [](const Role&, Scope s) {
         return std::pair<std::string, std::string>{"/v1/projects/" + Id(s), R"({"title": "Action renommée"})"};
       },
       [](const Role& r, Scope s) { return !Sees(r, s) ? 404
                                           : r.manager ? 201
                                                       : 403; }},
      {"PUT", "/v1/projects/{id}/partners", true,
       [](const Role&, Scope s) {
         // Keeps the fixture's partners, so later rows see the same visibility.
         Json partners = s == Scope::kOwn ? Json::array({"ccas-fresnes", "anpe-orly"}) : Json::array({"afpa"});
         return std::pair<std::string, std::string>{"/v1/projects/" + Id(s) + "/partners",
                                                    Json{{"partners", partners}}.dump()};
       },
       [](const Role& r, Scope s) { return !Sees(r, s) ? 404
                                           : r.manager ? 201
                                                       : 403; }},
      {"GET", "/v1/stream", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/stream", ""};
       },
       [](const Role&, Scope) { return 200; }},  // filtered per caller: event_stream_test.cc
      {"GET", "/v1/partners", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/partners", ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"POST", "/v1/partners", false,
       [](const Role& r, Scope) {
         return std::pair<std::string, std::string>{"/v1/partners",
                                                    Json{{"id", "p-" + r.name}, {"name", "P " + r.name}}.dump()};
       },
       [](const Role& r, Scope) { return r.manager ? 201 : 403; }},
      {"GET", "/v1/partners/{id}", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/partners/shared", ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"GET", "/v1/partners/{id}/history", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/partners/shared/history", ""};
       },
       [](const Role&, Scope) { return 200; }},
      {"PATCH", "/v1/partners/{id}", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/partners/shared", R"({"kind": "ville"})"};
       },
       [](const Role& r, Scope) { return r.manager ? 200 : 403; }},
      {"DELETE", "/v1/partners/{id}", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/partners/shared", ""};
       },
       [](const Role& r, Scope) { return r.manager ? 200 : 403; }},
      // Webhooks: see EndpointStatus; the collections answer 403 to those
      // who use no webhooks, and list only what the caller manages.
      {"GET", "/v1/webhooks/endpoints", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/webhooks/endpoints", ""};
       },
       [](const Role& r, Scope) { return WebhookUser(r) ? 200 : 403; }},
      {"POST", "/v1/webhooks/endpoints", true,
       [](const Role&, Scope s) {
         return std::pair<std::string, std::string>{
             "/v1/webhooks/endpoints",
             Json{{"partner", EndpointPartner(s)}, {"url", "https://hooks." + EndpointPartner(s) + ".example/relais"}}
                 .dump()};
       },
       [](const Role& r, Scope s) {
         if (!WebhookUser(r)) return 403;
         return EndpointStatus(r, s, 201) == 404 ? 403 : 201;  // the partner is named, so nothing is hidden
       }},
      {"GET", "/v1/webhooks/endpoints/{id}", true, [](const Role& r, Scope s) { return EndpointRequest(r, s, ""); },
       [](const Role& r, Scope s) { return EndpointStatus(r, s, 200); }},
      {"PATCH", "/v1/webhooks/endpoints/{id}", true,
       [](const Role& r, Scope s) {
         auto req = EndpointRequest(r, s, "");
         req.second = R"({"url": "https://attacker.example/hook", "event_types": ["*"]})";
         return req;
       },
       [](const Role& r, Scope s) { return EndpointStatus(r, s, 200); }},
      {"POST", "/v1/webhooks/endpoints/{id}/rotate-secret", true,
       [](const Role& r, Scope s) { return EndpointRequest(r, s, "/rotate-secret"); },
       [](const Role& r, Scope s) { return EndpointStatus(r, s, 200); }},
      {"GET", "/v1/webhooks/endpoints/{id}/deliveries", true,
       [](const Role& r, Scope s) { return EndpointRequest(r, s, "/deliveries"); },
       [](const Role& r, Scope s) { return EndpointStatus(r, s, 200); }},
      {"GET", "/v1/webhooks/endpoints/{id}/attempts", true,
       [](const Role& r, Scope s) { return EndpointRequest(r, s, "/attempts"); },
       [](const Role& r, Scope s) { return EndpointStatus(r, s, 200); }},
      {"DELETE", "/v1/webhooks/endpoints/{id}", true, [](const Role& r, Scope s) { return EndpointRequest(r, s, ""); },
       [](const Role& r, Scope s) { return EndpointStatus(r, s, 200); }},
      {"GET", "/v1/webhooks/deliveries/{id}/attempts", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{
             "/v1/webhooks/deliveries/00000000-0000-4000-8000-000000000000/attempts", ""};
       },
       [](const Role&, Scope) { return 404; }},
      {"GET", "/v1/webhooks/dead-letters", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/webhooks/dead-letters", ""};
       },
       [](const Role& r, Scope) { return WebhookUser(r) ? 200 : 403; }},
      {"POST", "/v1/webhooks/dead-letters/{id}/replay", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{
             "/v1/webhooks/dead-letters/00000000-0000-4000-8000-000000000000/replay", ""};
       },
       [](const Role&, Scope) { return 404; }},
      {"POST", "/v1/webhooks/dead-letters/replay", false,
       [](const Role&, Scope) {
         return std::pair<std::string, std::string>{"/v1/webhooks/dead-letters/replay",
                                                    R"({"since": "2004-01-01T00:00:00Z"})"};
       },
       [](const Role& r, Scope) { return WebhookUser(r) ? 202 : 403; }},
  };
}

// Accounts (docs/accounts.md). The fixture's tokens come from the
// configuration: none has an account, so the caller's own-account routes
// answer 409 for each; the routes that need no credential answer the same
// to everyone.
bool ManagesAccounts(const Role& r) { return r.manager; }
std::vector<Route> AccountRoutes() {
  auto plain = [](std::string method, std::string pattern, std::string target, std::string body,
                  std::function<int(const Role&)> expected) {
    return Route{method, pattern, false,
                 [target, body](const Role&, Scope) {
                   return Request{target, body};
                 },
                 [expected](const Role& r, Scope) { return expected(r); }};
  };
  auto managers = [](int ok) { return [ok](const Role& r) { return ManagesAccounts(r) ? ok : 403; }; };
  auto all = [](int status) { return [status](const Role&) { return status; }; };
  return {
      {"POST", "/v1/sign-in/password", false,
       [](const Role& r, Scope) {
         return Request{"/v1/sign-in/password", Json{{"email", r.name + "@x.example"}, {"password", "p"}}.dump()};
       },
       [](const Role&, Scope) { return 401; }},
      {"POST", "/v1/sign-in/link", false,
       [](const Role& r, Scope) {
         return Request{"/v1/sign-in/link", Json{{"email", r.name + "@x.example"}}.dump()};
       },
       [](const Role&, Scope) { return 202; }},
      plain("POST", "/v1/sign-in/link/consume", "/v1/sign-in/link/consume", R"({"token": "nope"})", all(401)),
      plain("GET", "/v1/invitations/{token}/preview", "/v1/invitations/nope/preview", "", all(404)),
      plain("POST", "/v1/invitations/{token}/accept", "/v1/invitations/nope/accept", "{}", all(404)),
      plain("POST", "/v1/sign-out", "/v1/sign-out", "", all(204)),
      plain("GET", "/v1/me/tokens", "/v1/me/tokens", "", all(409)),
      plain("POST", "/v1/me/tokens", "/v1/me/tokens", R"({"name": "t"})", all(409)),
      plain("DELETE", "/v1/me/tokens/{id}", "/v1/me/tokens/nope", "", all(409)),
      plain("PUT", "/v1/me/password", "/v1/me/password", R"({"password": "un mot de passe long"})", all(409)),
      plain("GET", "/v1/accounts", "/v1/accounts", "", managers(200)),
      plain("PUT", "/v1/accounts/{person}/access", "/v1/accounts/nope@x.example/access", R"({"roles": ["elu"]})",
            managers(404)),
      {"POST", "/v1/invitations", false,
       [](const Role& r, Scope) {
         return Request{"/v1/invitations", Json{{"email", "new-" + r.name + "@x.example"},
                                                {"roles", {"elu"}},
                                                {"programmes", {testing::kOwnProgramme}}}
                                               .dump()};
       },
       [](const Role& r, Scope) { return ManagesAccounts(r) ? 201 : 403; }},
      plain("GET", "/v1/invitations", "/v1/invitations", "", managers(200)),
      plain("DELETE", "/v1/invitations/{id}", "/v1/invitations/nope", "", managers(404)),
      // Unsubscribe links: the link's signature is the credential (a bad one: 400).
      plain("GET", "/v1/unsubscribe", "/v1/unsubscribe?t=nope", "", all(400)),
      plain("POST", "/v1/unsubscribe", "/v1/unsubscribe?t=nope", "", all(400)),
      plain("GET", "/v1/audit", "/v1/audit", "", [](const Role& r) { return r.name == "admin" ? 200 : 403; }),
      // The e-mail outbox: admins only.
      plain("GET", "/v1/email/queue", "/v1/email/queue", "",
            [](const Role& r) { return r.name == "admin" ? 200 : 403; }),
      plain("GET", "/v1/email/dead-letters", "/v1/email/dead-letters", "",
            [](const Role& r) { return r.name == "admin" ? 200 : 403; }),
      plain("POST", "/v1/email/dead-letters/{id}/replay", "/v1/email/dead-letters/nope/replay", "",
            [](const Role& r) { return r.name == "admin" ? 404 : 403; }),
  };
}

TEST(AuthorizationMatrixTest, EveryRoleOnEveryRouteForOwnAndOtherProjects) {
  accounts::AccountsOptions accounts_options = testing::TestAccountsOptions();
  accounts_options.sign_in_attempts_per_client = 1000;  // every role calls from the same (empty) address
  Harness h(testing::TestApiConfig(), std::chrono::steady_clock::now, accounts_options);
  h.CreateOwnAndOther();
  ASSERT_EQ(h.Call("POST", "/v1/partners", testing::kAdmin, R"({"id": "shared", "name": "Ville de Thiais"})").status,
            201);
  ASSERT_EQ(h.Call("POST", "/v1/partners", testing::kAdmin, R"({"id": "ccas-fresnes", "name": "CCAS Fresnes"})").status,
            201);
  ASSERT_EQ(h.Call("POST", "/v1/partners", testing::kAdmin, R"({"id": "afpa", "name": "AFPA"})").status, 201);
  ASSERT_TRUE(h.index.CatchUp().ok());  // the authorizer learns which programmes each partner acts in
  for (const Role& role : Roles()) {
    for (Scope scope : {Scope::kOwn, Scope::kOther}) {
      auto e = h.Call("POST", "/v1/webhooks/endpoints", testing::kAdmin,
                      Json{{"partner", EndpointPartner(scope)},
                           {"url", "https://hooks." + EndpointPartner(scope) + ".example/" + role.name}}
                          .dump());
      ASSERT_EQ(e.status, 201) << e.body;
      EndpointOf()[role.name + "/" + Id(scope)] = Harness::Body(e)["id"];
    }
  }
  const std::string source = h.registry.SourceOf(h.registry.Current("cbe_action")->content_hash);
  for (const std::string& id : {testing::kOwnProgramme, testing::kOtherProgramme}) {
    auto def = programme::ProgrammeDefinition::FromJson(
        {{"id", id}, {"axes", {{{"id", "1"}}}}, {"actions", {{{"id", "aide"}, {"axis", "1"}}}}});
    ASSERT_TRUE(def.ok()) << def.status();
    ASSERT_TRUE(h.programmes.Define(*def, "person:alice.admin").ok());
  }
  for (Scope scope : {Scope::kOwn, Scope::kOther}) {
    const Json person = {{"id", Person(scope)}, {"email", Person(scope).substr(7) + "@x.example"}};
    ASSERT_EQ(h.Call("POST", "/v1/people", testing::kAdmin, person.dump()).status, 201);
    const Json assign = {
        {"person", Person(scope)}, {"role", "partner_contact"}, {"start", "2004-01-01"}, {"end", "2006-12-31"}};
    auto a = h.Call("POST", "/v1/programmes/" + Programme(scope) + "/assignments", testing::kAdmin, assign.dump());
    ASSERT_EQ(a.status, 201) << a.body;
    for (const Role& role : Roles()) {
      auto token = h.programmes.IssueFeedToken("person:" + Person(scope));
      ASSERT_TRUE(token.ok()) << token.status();
      FeedTokenOf()[role.name + "/" + Id(scope)] = *token;
    }
  }
  std::set<std::pair<std::string, std::string>> covered;
  size_t checks = 0;
  std::vector<Route> routes = Routes(source);
  for (Route& r : ProgrammeRoutes()) routes.push_back(std::move(r));
  for (Route& r : AccountRoutes()) routes.push_back(std::move(r));
  for (const Route& route : routes) {
    covered.insert({route.method, route.pattern});
    for (const Role& role : Roles()) {
      for (Scope scope :
           route.per_project ? std::vector<Scope>{Scope::kOwn, Scope::kOther} : std::vector<Scope>{Scope::kNone}) {
        auto [target, body] = route.request(role, scope);
        auto r = h.Call(route.method, target, role.token, body);
        int expected = route.expected(role, scope);
        if (r.stream) r.stream->Stop();
        EXPECT_EQ(r.status, expected) << role.name << " " << route.method << " " << target
                                      << (scope == Scope::kNone ? "" : " (" + Id(scope) + ")") << ": " << r.body;
        if (expected == 404 && target.rfind("/v1/projects/", 0) == 0) {
          // Indistinguishable from a project that does not exist.
          const std::string prefix = "/v1/projects/" + Id(scope);
          auto missing =
              h.Call(route.method, "/v1/projects/does-not-exist" + target.substr(prefix.size()), role.token, body);
          EXPECT_EQ(missing.status, 404);
          EXPECT_EQ(Harness::Body(missing)["type"], Harness::Body(r)["type"]);
          EXPECT_EQ(Harness::Body(r)["detail"], "project 'other' does not exist");
        }
        if (expected == 404 && target.rfind("/v1/webhooks/endpoints/", 0) == 0) {
          const std::string id = target.substr(
              23, target.find('/', 23) == std::string::npos ? std::string::npos : target.find('/', 23) - 23);
          EXPECT_EQ(Harness::Body(r)["detail"], "no webhook endpoint '" + id + "'") << role.name << " " << target;
        }
        ++checks;
      }
    }
  }
  // A calendar feed token is the credential of its feed and nothing else:
  // as a bearer token it opens no route.
  auto feed = h.programmes.IssueFeedToken("programme:" + testing::kOwnProgramme);
  ASSERT_TRUE(feed.ok()) << feed.status();
  const std::set<std::string> public_routes = {"/v1/openapi.yaml",
                                               "/v1/feeds/{token}",
                                               "/v1/sign-in/password",
                                               "/v1/sign-in/link",
                                               "/v1/sign-in/link/consume",
                                               "/v1/invitations/{token}/preview",
                                               "/v1/invitations/{token}/accept",
                                               "/v1/unsubscribe"};
  for (const Route& route : routes) {
    if (public_routes.count(route.pattern)) continue;
    for (Scope scope :
         route.per_project ? std::vector<Scope>{Scope::kOwn, Scope::kOther} : std::vector<Scope>{Scope::kNone}) {
      auto [target, body] = route.request(Roles().front(), scope);
      auto r = h.Call(route.method, target, *feed, body);
      if (r.stream) r.stream->Stop();
      EXPECT_EQ(r.status, 401) << "feed-token " << route.method << " " << target << ": " << r.body;
      ++checks;
    }
  }
  EXPECT_EQ(h.Call("GET", "/v1/feeds/" + *feed, "").status, 200);

  // The matrix covers every route the router serves under /v1.
  for (const server::RouteInfo& info : h.router.ListRoutes())
    if (info.pattern.rfind("/v1/", 0) == 0) {
      EXPECT_TRUE(covered.count({info.method, info.pattern})) << info.method << " " << info.pattern;
    }
  EXPECT_GE(checks, 100u);
}

// A programme with a yearly forum, so that a person's feed shows whether it
// covers the programme.
void DefineWithForum(Harness& h, const std::string& id, const std::string& forum) {
  auto def = programme::ProgrammeDefinition::FromJson(
      {{"id", id},
       {"plan_years", {2004, 2005}},
       {"axes", {{{"id", "1"}}}},
       {"actions", {{{"id", "aide"}, {"axis", "1"}}}},
       {"yearly", {{{"kind", "annual_event"}, {"title_fr", forum}, {"month", 6}, {"day", 15}}}}});
  ASSERT_TRUE(def.ok()) << def.status();
  ASSERT_TRUE(h.programmes.Define(*def, "person:alice.admin").ok());
}

void AssignContact(Harness& h, const std::string& programme, const std::string& person) {
  const Json assign = {{"person", person}, {"role", "partner_contact"}, {"start", "2004-01-01"}, {"end", "2006-12-31"}};
  auto a = h.Call("POST", "/v1/programmes/" + programme + "/assignments", testing::kAdmin, assign.dump());
  ASSERT_EQ(a.status, 201) << a.body;
}

TEST(AuthorizationMatrixTest, AFeedIssuedByALimitedCoordinatorNeverShowsAnotherProgramme) {
  Harness h;
  DefineWithForum(h, testing::kOwnProgramme, "Forum Sud");
  DefineWithForum(h, testing::kOtherProgramme, "Forum Nord");
  AssignContact(h, testing::kOwnProgramme, "person:lea.sud");
  auto limited = h.Call("POST", "/v1/people/person:lea.sud/feed-tokens", testing::kScopedCoordinator);
  ASSERT_EQ(limited.status, 201) << limited.body;
  auto full = h.Call("POST", "/v1/people/person:lea.sud/feed-tokens", testing::kAdmin);
  ASSERT_EQ(full.status, 201) << full.body;
  // Léa later serves in the other programme too.
  AssignContact(h, testing::kOtherProgramme, "person:lea.sud");
  // The limited coordinator may no longer issue her feed (it would show the
  // other programme), and its earlier token still shows only its programme.
  EXPECT_EQ(h.Call("POST", "/v1/people/person:lea.sud/feed-tokens", testing::kScopedCoordinator).status, 403);
  auto through_limited = h.Call("GET", Harness::Body(limited)["url"].get<std::string>(), "");
  ASSERT_EQ(through_limited.status, 200);
  EXPECT_NE(through_limited.body.find("Forum Sud"), std::string::npos);
  EXPECT_EQ(through_limited.body.find("Forum Nord"), std::string::npos);
  auto through_full = h.Call("GET", Harness::Body(full)["url"].get<std::string>(), "");
  ASSERT_EQ(through_full.status, 200);
  EXPECT_NE(through_full.body.find("Forum Nord"), std::string::npos);
  // Nor may it revoke the admin's token, which shows the other programme.
  EXPECT_EQ(h.Call("DELETE", "/v1/feed-tokens/" + Harness::Body(full)["token"].get<std::string>(),
                   testing::kScopedCoordinator)
                .status,
            403);
}

// Calendar links are listed for whoever may issue them, never with their
// tokens, and revoked by id from the list: the revoked link's feed is gone,
// the other still answers.
TEST(AuthorizationMatrixTest, APersonsCalendarLinksAreListedWithoutTheirTokensAndRevokedById) {
  Harness h;
  DefineWithForum(h, testing::kOwnProgramme, "Forum Sud");
  AssignContact(h, testing::kOwnProgramme, "person:lea.sud");
  auto first = h.Call("POST", "/v1/people/person:lea.sud/feed-tokens", testing::kScopedCoordinator);
  ASSERT_EQ(first.status, 201) << first.body;
  auto second = h.Call("POST", "/v1/people/person:lea.sud/feed-tokens", testing::kAdmin);
  ASSERT_EQ(second.status, 201) << second.body;
  auto listed = h.Call("GET", "/v1/people/person:lea.sud/feed-tokens", testing::kAdmin);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const Json links = Harness::Body(listed)["feed_tokens"];
  ASSERT_EQ(links.size(), 2u) << links;
  for (const std::string& token :
       {Harness::Body(first)["token"].get<std::string>(), Harness::Body(second)["token"].get<std::string>()})
    EXPECT_EQ(listed.body.find(token), std::string::npos) << "a token is never shown again";
  // The scoped coordinator's link is limited to its programme; the admin's is not.
  std::set<size_t> sizes = {links[0]["programmes"].size(), links[1]["programmes"].size()};
  EXPECT_EQ(sizes, (std::set<size_t>{0u, 1u})) << links;
  EXPECT_EQ(h.Call("GET", "/v1/people/person:lea.sud/feed-tokens", testing::kObserver).status, 403);

  // Revoke the scoped coordinator's link by its id.
  const Json& scoped = links[0]["programmes"].empty() ? links[1] : links[0];
  const std::string target = "/v1/people/person:lea.sud/feed-tokens/" + scoped["id"].get<std::string>();
  EXPECT_EQ(h.Call("DELETE", target, testing::kScopedCoordinator).status, 204);
  EXPECT_EQ(h.Call("DELETE", target, testing::kScopedCoordinator).status, 404) << "once";
  EXPECT_EQ(h.Call("GET", Harness::Body(first)["url"].get<std::string>(), "").status, 404);
  EXPECT_EQ(h.Call("GET", Harness::Body(second)["url"].get<std::string>(), "").status, 200);
  EXPECT_EQ(
      Harness::Body(h.Call("GET", "/v1/people/person:lea.sud/feed-tokens", testing::kAdmin))["feed_tokens"].size(), 1u);
  EXPECT_EQ(h.Call("DELETE", "/v1/people/person:lea.sud/feed-tokens/not-an-id", testing::kAdmin).status, 404);
}

TEST(AuthorizationMatrixTest, ALimitedCoordinatorListsOnlyTheEndpointsItManages) {
  Harness h;
  h.CreateOwnAndOther();
  ASSERT_TRUE(h.index.CatchUp().ok());
  ASSERT_EQ(h.Call("POST", "/v1/partners", testing::kAdmin, R"({"id": "ccas-fresnes", "name": "CCAS Fresnes"})").status,
            201);
  ASSERT_EQ(h.Call("POST", "/v1/partners", testing::kAdmin, R"({"id": "afpa", "name": "AFPA"})").status, 201);
  std::map<std::string, std::string> partner_of;
  for (const std::string partner : {"ccas-fresnes", "afpa"}) {
    auto e = h.Call("POST", "/v1/webhooks/endpoints", testing::kAdmin,
                    Json{{"partner", partner}, {"url", "https://hooks." + partner + ".example/relais"}}.dump());
    ASSERT_EQ(e.status, 201) << e.body;
    partner_of[Harness::Body(e)["id"]] = partner;
  }
  auto scoped = Harness::Body(h.Call("GET", "/v1/webhooks/endpoints", testing::kScopedCoordinator));
  ASSERT_EQ(scoped["endpoints"].size(), 1u) << scoped.dump();
  EXPECT_EQ(scoped["endpoints"][0]["partner"], "ccas-fresnes");
  EXPECT_EQ(Harness::Body(h.Call("GET", "/v1/webhooks/endpoints", testing::kCoordinator))["endpoints"].size(), 2u);
  // Once ccas-fresnes also acts in the other programme, its endpoints leave
  // the limited coordinator's hands: they would carry that programme's events.
  h.CreateProject("other-2", testing::kOtherProgramme, {"ccas-fresnes"});
  ASSERT_TRUE(h.index.CatchUp().ok());
  EXPECT_EQ(Harness::Body(h.Call("GET", "/v1/webhooks/endpoints", testing::kScopedCoordinator))["endpoints"].size(),
            0u);
  for (const auto& [id, partner] : partner_of) {
    auto rotate = h.Call("POST", "/v1/webhooks/endpoints/" + id + "/rotate-secret", testing::kScopedCoordinator);
    EXPECT_EQ(rotate.status, partner == "ccas-fresnes" ? 403 : 404) << partner << ": " << rotate.body;
  }
}

TEST(AuthorizationMatrixTest, ListsCountOnlyVisibleProjects) {
  Harness h;
  h.CreateOwnAndOther();
  ASSERT_TRUE(h.index.CatchUp().ok());
  for (const Role& role : Roles()) {
    auto r = h.Call("GET", "/v1/projects", role.token);
    ASSERT_EQ(r.status, 200);
    std::set<std::string> ids;
    const Json body = Harness::Body(r);
    for (const Json& p : body["projects"]) ids.insert(p["info"]["id"]);
    std::set<std::string> expected;
    if (role.sees_own) expected.insert("own");
    if (role.sees_other) expected.insert("other");
    EXPECT_EQ(ids, expected) << role.name;
    EXPECT_EQ(Harness::Body(r)["total"], expected.size()) << role.name;
  }
}

TEST(AuthorizationMatrixTest, ObserversNeverWrite) {
  Harness h;
  h.CreateOwnAndOther();
  uint64_t position = h.store.LastPosition();
  EXPECT_EQ(h.Call("POST", "/v1/projects/own/events", testing::kObserver, R"({"type": "suspendre"})").status, 403);
  EXPECT_EQ(h.Call("POST", "/v1/projects", testing::kObserver, R"({"workflow": "cbe_action"})").status, 403);
  EXPECT_EQ(h.store.LastPosition(), position);
}

}  // namespace
}  // namespace relais::api
