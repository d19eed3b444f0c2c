// GET /v1/me: who the bearer token is (subject, roles, partner, programmes),
// so a client such as the dashboard shows what its caller may do and names
// "my" reviews. Answered on the I/O thread: it reads only the principal.
#include "engine/api/api.h"

namespace relais::api {

void AddMeRoute(RouteContext& ctx) {
  auto me = [](const access::Principal& who) {
    return server::JsonResponse(
        200,
        Json{{"subject", who.subject}, {"roles", who.roles}, {"partner", who.partner}, {"programmes", who.programmes}});
  };
  ctx.router.AddRoute(
      "GET", "/v1/me",
      ctx.guarded_read([me](const access::Principal& who, const server::HttpRequest&,
                            const server::RouteParams&) -> std::optional<server::HttpResponse> { return me(who); },
                       [me](const access::Principal& who, const server::HttpRequest&, const server::RouteParams&) {
                         return me(who);
                       }));
}

}  // namespace relais::api
