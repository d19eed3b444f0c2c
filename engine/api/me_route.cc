// GET /v1/me: who the caller is (subject, roles, partner, programmes), so a
// client such as the dashboard shows what its caller may do and names "my"
// reviews; with an account, its names and whether it has a password; with
// a session cookie, the CSRF token its writes must carry (docs/accounts.md)
// and how it authenticated. Answered on the I/O thread: it reads only the
// principal and the accounts in memory.
#include "engine/accounts/account_service.h"
#include "engine/api/api.h"
#include "engine/api/session_cookie.h"

namespace relais::api {

void AddMeRoute(RouteContext& ctx) {
  accounts::AccountService* accounts = ctx.api.services().accounts;
  auto me = [accounts](const access::Principal& who, const server::HttpRequest& req) {
    Json j{{"subject", who.subject}, {"roles", who.roles}, {"partner", who.partner}, {"programmes", who.programmes}};
    j["authenticated_by"] = "token";
    j["account"] = nullptr;
    if (accounts) {
      if (auto account = accounts->Find(who.subject)) j["account"] = account->ToPublicJson();
      if (auto session = SessionCookieOf(req); session && !req.Header("Authorization")) {
        j["authenticated_by"] = "session";
        j["csrf_token"] = accounts::AccountService::CsrfTokenOf(*session);
      }
    }
    server::HttpResponse r = server::JsonResponse(200, j);
    r.headers.Set("Cache-Control", "no-store");
    return r;
  };
  ctx.router.AddRoute(
      "GET", "/v1/me",
      ctx.guarded_read([me](const access::Principal& who, const server::HttpRequest& req,
                            const server::RouteParams&) -> std::optional<server::HttpResponse> { return me(who, req); },
                       [me](const access::Principal& who, const server::HttpRequest& req, const server::RouteParams&) {
                         return me(who, req);
                       }));
}

}  // namespace relais::api
