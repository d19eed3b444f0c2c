// The caller's own account and everyone's access (docs/accounts.md):
//   GET    /v1/me/tokens             the caller's personal tokens (name, created, last used)
//   POST   /v1/me/tokens             {name} -> the token, shown once
//   DELETE /v1/me/tokens/{id}
//   PUT    /v1/me/password           {password}
//   GET    /v1/accounts              the accounts the caller manages
//   PUT    /v1/accounts/{person}/access {roles, programmes, partner, status?}
//   GET    /v1/audit                 the audit stream (admins), paged by ?after=&limit=
#include <algorithm>

#include "engine/accounts/account_service.h"
#include "engine/api/account_scope.h"
#include "engine/api/api.h"
#include "engine/api/api_problems.h"

namespace relais::api {

using server::HttpRequest;
using server::HttpResponse;
using server::ProblemKind;
using server::RouteParams;

// The account resource for the Authorizer: what it has and what it gets.
access::AccountResource AccountResourceOf(Api& api, const access::Principal& who, const std::string& person,
                                          const accounts::Access* now, const accounts::Access* next) {
  access::AccountResource r;
  r.person = person;
  for (const accounts::Access* a : {now, next}) {
    if (!a) continue;
    r.roles.insert(a->roles.begin(), a->roles.end());
    r.programmes.insert(a->programmes.begin(), a->programmes.end());
    if (!a->partner.empty() && access::Authorizer::ReadsProgrammesOf(who)) {
      auto of = api.services().index.ProgrammesOfPartner(a->partner);
      r.partner_programmes.insert(of.begin(), of.end());
    }
  }
  return r;
}

namespace {

HttpResponse NoAccounts() {
  return server::UnavailableProblem("accounts are not enabled on this server: use a configured bearer token");
}

HttpResponse NoAccountOfYours(const HttpRequest& req) {
  return BilingualProblem(ProblemKind::kStateConflict, req,
                          "Votre accès vient du fichier de configuration, sans compte : jetons personnels et mot de "
                          "passe appartiennent aux comptes.",
                          "Your access comes from the configuration file, which has no account: personal tokens and "
                          "passwords belong to accounts.");
}

class AccountHandlers {
 public:
  explicit AccountHandlers(Api& api) : api_(api) {}

  HttpResponse ListTokens(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
    if (!accounts()) return NoAccounts();
    if (!accounts()->Find(who.subject)) return NoAccountOfYours(req);
    Json items = Json::array();
    for (const auto& use : accounts()->Tokens(who.subject)) items.push_back(use.token.ToPublicJson(use.last_used));
    return server::JsonResponse(200, Json{{"items", items}});
  }

  HttpResponse CreateToken(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
    if (!accounts()) return NoAccounts();
    if (!accounts()->Find(who.subject)) return NoAccountOfYours(req);
    Json body;
    if (auto problem = ReadJsonObject(req, api_.config().max_json_depth, &body)) return *problem;
    if (!body.contains("name") || !body["name"].is_string())
      return BilingualProblem(ProblemKind::kBadRequest, req, "Nommez le jeton ('name'), par exemple « tableur ».",
                              "Name the token ('name'), for example \"spreadsheet\".");
    auto made = accounts()->CreateToken(who.subject, body["name"].get<std::string>());
    if (!made.ok()) {
      if (made.status().code() == StatusCode::kFailedPrecondition)
        return BilingualProblem(ProblemKind::kStateConflict, req,
                                "Vous avez déjà le nombre maximal de jetons : révoquez-en un d'abord.",
                                "You already have the most tokens allowed: revoke one first.");
      return server::ProblemFromStatus(made.status());
    }
    Json j = made->token.ToPublicJson(std::nullopt);
    j["token"] = made->secret;
    HttpResponse r = server::JsonResponse(201, j);
    r.headers.Set("Cache-Control", "no-store");
    return r;
  }

  HttpResponse RevokeToken(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
    if (!accounts()) return NoAccounts();
    if (!accounts()->Find(who.subject)) return NoAccountOfYours(req);
    Status s = accounts()->RevokeToken(who.subject, who.subject, params.Get("id"));
    if (!s.ok()) return server::ProblemFromStatus(s);
    HttpResponse r;
    r.status = 204;
    return r;
  }

  HttpResponse SetPassword(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
    if (!accounts()) return NoAccounts();
    if (!accounts()->Find(who.subject)) return NoAccountOfYours(req);
    Json body;
    if (auto problem = ReadJsonObject(req, api_.config().max_json_depth, &body)) return *problem;
    if (!body.contains("password") || !body["password"].is_string())
      return BilingualProblem(ProblemKind::kBadRequest, req, "Saisissez le nouveau mot de passe ('password').",
                              "Give the new password ('password').");
    Status s = accounts()->SetPassword(who.subject, body["password"].get<std::string>());
    if (s.code() == StatusCode::kInvalidArgument) {
      const auto& o = accounts()->options();
      return BilingualProblem(ProblemKind::kBadRequest, req,
                              "Le mot de passe doit compter de " + std::to_string(o.password_min_bytes) + " à " +
                                  std::to_string(o.password_max_bytes) + " octets.",
                              "The password must be " + std::to_string(o.password_min_bytes) + " to " +
                                  std::to_string(o.password_max_bytes) + " bytes long.");
    }
    if (!s.ok()) return server::ProblemFromStatus(s);
    HttpResponse r;
    r.status = 204;
    return r;
  }

  HttpResponse ListAccounts(const access::Principal& who, const HttpRequest&, const RouteParams&) {
    if (!accounts()) return NoAccounts();
    const auto& authorizer = api_.authorizer();
    if (auto refused = Refusal(authorizer.Decide(who, access::AccountResource{}, access::Verb::kRead),
                               [] { return server::MakeProblem(ProblemKind::kNotFound, "no accounts"); }))
      return *refused;
    Json items = Json::array();
    for (const accounts::Account& a : accounts()->List()) {
      auto resource = AccountResourceOf(api_, who, a.person, &a.access, nullptr);
      if (authorizer.Decide(who, resource, access::Verb::kRead).may_act()) items.push_back(a.ToPublicJson());
    }
    return server::JsonResponse(200, Json{{"items", items}});
  }

  HttpResponse ChangeAccess(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
    if (!accounts()) return NoAccounts();
    if (auto refused = Refusal(api_.authorizer().Decide(who, access::AccountResource{}, access::Verb::kManage),
                               [] { return server::MakeProblem(ProblemKind::kNotFound, "no accounts"); }))
      return *refused;
    const std::string person = params.Get("person");
    std::optional<accounts::Account> account = accounts()->Find(person);
    auto not_found = [&] { return server::MakeProblem(ProblemKind::kNotFound, "no account " + person); };
    if (!account) return not_found();
    Json body;
    if (auto problem = ReadJsonObject(req, api_.config().max_json_depth, &body)) return *problem;
    auto next = accounts::Access::FromJson(body);
    if (!next.ok()) return server::ProblemFromStatus(next.status());
    std::optional<std::string> status;
    if (body.contains("status")) {
      if (!body["status"].is_string())
        return server::MakeProblem(ProblemKind::kBadRequest, "'status' must be a string");
      status = body["status"].get<std::string>();
    }
    if (person == who.subject && status && *status != accounts::kStatusActive)
      return BilingualProblem(ProblemKind::kStateConflict, req, "Vous ne pouvez pas désactiver votre propre compte.",
                              "You cannot disable your own account.");
    // Seen with its current access (a coordinator may not know accounts
    // outside their programmes), changed with both.
    auto seen = AccountResourceOf(api_, who, person, &account->access, nullptr);
    if (auto refused = Refusal(api_.authorizer().Decide(who, seen, access::Verb::kRead), not_found)) return *refused;
    auto both = AccountResourceOf(api_, who, person, &account->access, &*next);
    if (auto refused = Refusal(api_.authorizer().Decide(who, both, access::Verb::kManage), not_found)) return *refused;
    auto changed = accounts()->ChangeAccess(who.subject, person, *next, status);
    if (!changed.ok()) return server::ProblemFromStatus(changed.status());
    return server::JsonResponse(200, changed->ToPublicJson());
  }

  HttpResponse Audit(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
    if (!accounts()) return NoAccounts();
    if (auto refused = Refusal(api_.authorizer().Decide(who, access::AuditResource{}, access::Verb::kRead),
                               [] { return server::MakeProblem(ProblemKind::kNotFound, "no audit"); }))
      return *refused;
    auto after = QueryUint(req, "after", 0, UINT64_MAX - 1);
    if (after.problem) return *after.problem;
    auto limit = QueryUint(req, "limit", api_.config().default_page_size, api_.config().max_page_size);
    if (limit.problem) return *limit.problem;
    auto events = accounts()->ReadAudit(after.value + 1, limit.value);
    if (!events.ok()) return server::ProblemFromStatus(events.status());
    Json items = Json::array();
    for (const RecordedEvent& e : *events) items.push_back(e.ToJson());
    Json j = {{"items", items}};
    j["next_after"] = events->size() < limit.value ? Json(nullptr) : Json(events->back().version);
    return server::JsonResponse(200, j);
  }

 private:
  accounts::AccountService* accounts() { return api_.services().accounts; }
  Api& api_;
};

}  // namespace

void AddAccountRoutes(RouteContext& ctx) {
  auto h = std::make_shared<AccountHandlers>(ctx.api);
  ctx.router.AddRoute("GET", "/v1/me/tokens", ctx.guarded(Handle(h, &AccountHandlers::ListTokens)));
  ctx.router.AddRoute("POST", "/v1/me/tokens", ctx.guarded(Handle(h, &AccountHandlers::CreateToken)));
  ctx.router.AddRoute("DELETE", "/v1/me/tokens/{id}", ctx.guarded(Handle(h, &AccountHandlers::RevokeToken)));
  ctx.router.AddRoute("PUT", "/v1/me/password", ctx.guarded(Handle(h, &AccountHandlers::SetPassword)));
  ctx.router.AddRoute("GET", "/v1/accounts", ctx.guarded(Handle(h, &AccountHandlers::ListAccounts)));
  ctx.router.AddRoute("PUT", "/v1/accounts/{person}/access", ctx.guarded(Handle(h, &AccountHandlers::ChangeAccess)));
  ctx.router.AddRoute("GET", "/v1/audit", ctx.guarded(Handle(h, &AccountHandlers::Audit)));
}

}  // namespace relais::api
