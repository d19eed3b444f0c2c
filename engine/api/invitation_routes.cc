// Invitations (docs/accounts.md), by coordinators (within their
// programmes, never the admin role) and admins:
//   POST   /v1/invitations      {email, roles, programmes, partner, civility?, first_name?, last_name?}
//   GET    /v1/invitations      the pending ones the caller may see
//   DELETE /v1/invitations/{id} revokes one
// Accepting one needs no credential (sign_in_routes.cc).
#include "engine/accounts/account_service.h"
#include "engine/api/account_scope.h"
#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/util/time_format.h"

namespace relais::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::ProblemKind;
using server::RouteParams;

Json InvitationJson(const accounts::Invitation& inv) {
  return {{"id", inv.id},
          {"email", inv.email},
          {"roles", inv.access.roles},
          {"programmes", inv.access.programmes},
          {"partner", inv.access.partner},
          {"civility", inv.names.civility},
          {"first_name", inv.names.first_name},
          {"last_name", inv.names.last_name},
          {"invited_by", inv.invited_by},
          {"created_at", FormatIso8601(inv.created_at)},
          {"expires_at", FormatIso8601(inv.expires_at)}};
}

class InvitationHandlers {
 public:
  explicit InvitationHandlers(Api& api) : api_(api) {}

  HttpResponse Create(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
    if (!accounts()) return Unavailable();
    Json body;
    if (auto problem = ReadJsonObject(req, api_.config().max_json_depth, &body)) return *problem;
    for (const auto& [key, value] : body.items()) {
      static const std::set<std::string> kKnown = {"email",    "roles",      "programmes", "partner",
                                                   "civility", "first_name", "last_name"};
      if (!kKnown.count(key))
        return server::MakeProblem(
            ProblemKind::kBadRequest,
            "unknown member '" + key + "'; known: email, roles, programmes, partner, civility, first_name, last_name");
    }
    if (!body.contains("email") || !body["email"].is_string())
      return BilingualProblem(ProblemKind::kBadRequest, req, "Saisissez l'adresse e-mail de la personne ('email').",
                              "Give the person's e-mail address ('email').");
    auto access = accounts::Access::FromJson(body);
    if (!access.ok()) return server::ProblemFromStatus(access.status());
    auto names = accounts::Names::FromJson(body);
    if (!names.ok()) return server::ProblemFromStatus(names.status());
    auto person = accounts::PersonOfEmail(body["email"].get<std::string>());
    if (!person.ok()) return server::ProblemFromStatus(person.status());
    auto resource = AccountResourceOf(api_, who, *person, nullptr, &*access);
    if (auto refused = Refusal(api_.authorizer().Decide(who, resource, access::Verb::kCreate),
                               [] { return server::MakeProblem(ProblemKind::kNotFound, "no invitations"); }))
      return *refused;
    auto made = accounts()->Invite(who.subject, *person, *access, *names);
    if (!made.ok()) {
      if (made.status().code() == StatusCode::kAlreadyExists)
        return BilingualProblem(ProblemKind::kAlreadyExists, req,
                                "Un compte existe déjà pour " + *person + " : changez plutôt ses droits.",
                                "An account already exists for " + *person + ": change its access instead.");
      return server::ProblemFromStatus(made.status());
    }
    Json j = InvitationJson(made->invitation);
    j["link"] = made->link;
    j["mailed"] = accounts()->mail_configured();
    HttpResponse r = server::JsonResponse(201, j);
    r.headers.Set("Cache-Control", "no-store");
    return r;
  }

  HttpResponse List(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
    if (!accounts()) return Unavailable();
    if (auto refused = Refusal(api_.authorizer().Decide(who, access::AccountResource{}, access::Verb::kRead),
                               [] { return server::MakeProblem(ProblemKind::kNotFound, "no invitations"); }))
      return *refused;
    auto limit = QueryUint(req, "limit", api_.config().default_page_size, api_.config().max_page_size);
    if (limit.problem) return *limit.problem;
    std::string after(req.Query("after").value_or(""));
    auto pending = accounts()->PendingInvitations(after, limit.value);
    if (!pending.ok()) return server::ProblemFromStatus(pending.status());
    Json items = Json::array();
    for (const accounts::Invitation& inv : *pending) {
      auto resource = AccountResourceOf(api_, who, inv.email, &inv.access, nullptr);
      if (api_.authorizer().Decide(who, resource, access::Verb::kRead).may_act()) items.push_back(InvitationJson(inv));
    }
    Json j = {{"items", items}};
    j["next_after"] = pending->size() < limit.value ? Json(nullptr) : Json(pending->back().id);
    return server::JsonResponse(200, j);
  }

  HttpResponse Revoke(const access::Principal& who, const HttpRequest&, const RouteParams& params) {
    if (!accounts()) return Unavailable();
    if (auto refused = Refusal(api_.authorizer().Decide(who, access::AccountResource{}, access::Verb::kManage),
                               [] { return server::MakeProblem(ProblemKind::kNotFound, "no invitations"); }))
      return *refused;
    const std::string id = params.Get("id");
    auto not_found = [&] { return server::MakeProblem(ProblemKind::kNotFound, "no pending invitation " + id); };
    auto inv = accounts()->FindInvitation(id);
    if (!inv.ok())
      return inv.status().code() == StatusCode::kNotFound ? not_found() : server::ProblemFromStatus(inv.status());
    auto resource = AccountResourceOf(api_, who, inv->email, &inv->access, nullptr);
    if (auto refused = Refusal(api_.authorizer().Decide(who, resource, access::Verb::kManage), not_found))
      return *refused;
    Status s = accounts()->RevokeInvitation(who.subject, id);
    if (!s.ok()) return server::ProblemFromStatus(s);
    HttpResponse r;
    r.status = 204;
    return r;
  }

 private:
  static HttpResponse Unavailable() {
    return server::UnavailableProblem("accounts are not enabled on this server: use a configured bearer token");
  }
  accounts::AccountService* accounts() { return api_.services().accounts; }
  Api& api_;
};

}  // namespace

void AddInvitationRoutes(RouteContext& ctx) {
  auto h = std::make_shared<InvitationHandlers>(ctx.api);
  ctx.router.AddRoute("POST", "/v1/invitations", ctx.guarded(Handle(h, &InvitationHandlers::Create)));
  ctx.router.AddRoute("GET", "/v1/invitations", ctx.guarded(Handle(h, &InvitationHandlers::List)));
  ctx.router.AddRoute("DELETE", "/v1/invitations/{id}", ctx.guarded(Handle(h, &InvitationHandlers::Revoke)));
}

}  // namespace relais::api
