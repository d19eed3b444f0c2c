// Signing in and out (docs/accounts.md), the routes that need no
// credential, each rate-limited by client address and, where an address is
// given, by that address:
//   POST /v1/sign-in/password            {email, password} -> session cookie
//   POST /v1/sign-in/link                {email} -> 202, the same answer whatever the address
//   POST /v1/sign-in/link/consume        {token} -> session cookie (a GET never consumes)
//   GET  /v1/invitations/{token}/preview -> what the invitation gives
//   POST /v1/invitations/{token}/accept  {civility, first_name, last_name, password?} -> account + session
// and POST /v1/sign-out (with a credential) ending the cookie's session.
#include "engine/accounts/account_service.h"
#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/api/session_cookie.h"
#include "engine/util/time_format.h"

namespace relais::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::ProblemKind;
using server::RouteParams;

bool SecureCookies(const accounts::AccountService& a) { return a.options().public_url.rfind("https://", 0) == 0; }

HttpResponse NoAccounts() {
  return server::UnavailableProblem("accounts are not enabled on this server: use a configured bearer token");
}

HttpResponse TooMany(const HttpRequest& req, int retry_after, bool by_address) {
  const std::string n = std::to_string(retry_after);
  HttpResponse r =
      by_address
          ? BilingualProblem(
                ProblemKind::kTooManyRequests, req,
                "Trop de tentatives de connexion pour cette adresse e-mail ; réessayez dans " + n + " secondes.",
                "Too many sign-in attempts for this e-mail address; try again in " + n + " seconds.")
          : BilingualProblem(
                ProblemKind::kTooManyRequests, req,
                "Trop de tentatives de connexion depuis cette adresse réseau ; réessayez dans " + n + " secondes.",
                "Too many sign-in attempts from this network address; try again in " + n + " seconds.");
  r.headers.Set("Retry-After", n);
  return r;
}

// The problem of a failed service call on these paths: known refusals in
// both languages, the rest as usual.
HttpResponse AccountProblem(const HttpRequest& req, const Status& s) {
  switch (s.code()) {
    case StatusCode::kPermissionDenied:
      return BilingualProblem(ProblemKind::kUnauthorized, req, s.message(), s.message());
    default: return server::ProblemFromStatus(s);
  }
}

class SignInHandlers {
 public:
  explicit SignInHandlers(Api& api) : api_(api) {}

  void Password(const HttpRequest& req, const RouteParams&, const server::Respond& respond) {
    Json body;
    std::string email, password;
    if (auto problem = Start(req, &body, &email)) return respond(std::move(*problem));
    if (!body.contains("password") || !body["password"].is_string())
      return respond(BilingualProblem(ProblemKind::kBadRequest, req, "Saisissez votre mot de passe ('password').",
                                      "Give your password ('password')."));
    password = body["password"].get<std::string>();
    auto in = accounts()->SignInWithPassword(email, password);
    if (!in.ok()) {
      if (in.status().code() != StatusCode::kPermissionDenied) return respond(server::ProblemFromStatus(in.status()));
      return respond(BilingualProblem(ProblemKind::kUnauthorized, req,
                                      "L'adresse e-mail ou le mot de passe ne convient pas.",
                                      "The e-mail address or the password is not right."));
    }
    respond(SignedInResponse(*in, 200));
  }

  void RequestLink(const HttpRequest& req, const RouteParams&, const server::Respond& respond) {
    Json body;
    std::string email;
    if (auto problem = Start(req, &body, &email)) return respond(std::move(*problem));
    if (!accounts()->mail_configured())
      return respond(BilingualProblem(
          ProblemKind::kUnavailable, req,
          "L'envoi d'e-mails n'est pas configuré sur ce serveur : connectez-vous avec votre mot de passe.",
          "E-mail is not configured on this server: sign in with your password."));
    // The answer goes first, the same for every address; the work follows.
    respond(server::JsonResponse(
        202, Json{{"messages",
                   {{"fr", "Si un compte existe pour cette adresse, un lien de connexion vient d'y être envoyé."},
                    {"en", "If an account exists for this address, a sign-in link has just been sent to it."}}}}));
    (void)accounts()->SendSignInLink(email);
  }

  void ConsumeLink(const HttpRequest& req, const RouteParams&, const server::Respond& respond) {
    if (!accounts()) return respond(NoAccounts());
    if (int wait = api_.AcquireSignInClient(ClientAddressOf(req))) return respond(TooMany(req, wait, false));
    Json body;
    if (auto problem = ReadJsonObject(req, api_.config().max_json_depth, &body)) return respond(std::move(*problem));
    if (!body.contains("token") || !body["token"].is_string())
      return respond(server::MakeProblem(ProblemKind::kBadRequest, "'token' (the link's token) is required"));
    auto in = accounts()->SignInWithLink(body["token"].get<std::string>());
    if (!in.ok()) {
      if (in.status().code() != StatusCode::kPermissionDenied) return respond(server::ProblemFromStatus(in.status()));
      return respond(BilingualProblem(
          ProblemKind::kUnauthorized, req,
          "Ce lien de connexion ne sert plus : il a déjà servi, a été remplacé ou a expiré. Demandez-en un nouveau.",
          "This sign-in link no longer works: it was already used, replaced or has expired. Ask for a new one."));
    }
    respond(SignedInResponse(*in, 200));
  }

  void PreviewInvitation(const HttpRequest& req, const RouteParams& params, const server::Respond& respond) {
    if (!accounts()) return respond(NoAccounts());
    if (int wait = api_.AcquireSignInClient(ClientAddressOf(req))) return respond(TooMany(req, wait, false));
    auto inv = accounts()->PeekInvitation(params.Get("token"));
    if (!inv.ok()) return respond(InvitationProblem(req, inv.status()));
    Json j = {{"email", inv->email},
              {"roles", inv->access.roles},
              {"programmes", inv->access.programmes},
              {"partner", inv->access.partner},
              {"civility", inv->names.civility},
              {"first_name", inv->names.first_name},
              {"last_name", inv->names.last_name},
              {"invited_by", inv->invited_by},
              {"expires_at", FormatIso8601(inv->expires_at)}};
    respond(server::JsonResponse(200, j));
  }

  void AcceptInvitation(const HttpRequest& req, const RouteParams& params, const server::Respond& respond) {
    if (!accounts()) return respond(NoAccounts());
    if (int wait = api_.AcquireSignInClient(ClientAddressOf(req))) return respond(TooMany(req, wait, false));
    Json body;
    if (auto problem = ReadJsonObject(req, api_.config().max_json_depth, &body)) return respond(std::move(*problem));
    auto names = accounts::Names::FromJson(body);
    if (!names.ok()) return respond(server::ProblemFromStatus(names.status()));
    std::optional<std::string> password;
    if (body.contains("password") && !body["password"].is_null()) {
      if (!body["password"].is_string())
        return respond(server::MakeProblem(ProblemKind::kBadRequest, "'password' must be a string"));
      if (!body["password"].get_ref<const std::string&>().empty()) password = body["password"].get<std::string>();
    }
    auto in = accounts()->AcceptInvitation(params.Get("token"), *names, password);
    if (!in.ok()) {
      const auto& o = accounts()->options();
      // Other refusals (a name the people directory refuses) keep their own words.
      const bool bad_length =
          password && (password->size() < o.password_min_bytes || password->size() > o.password_max_bytes);
      if (in.status().code() == StatusCode::kInvalidArgument && bad_length) {
        const std::string range = std::to_string(o.password_min_bytes) + " à " + std::to_string(o.password_max_bytes);
        return respond(BilingualProblem(ProblemKind::kBadRequest, req,
                                        "Le mot de passe doit compter de " + range + " octets.",
                                        "The password must be " + std::to_string(o.password_min_bytes) + " to " +
                                            std::to_string(o.password_max_bytes) + " bytes long."));
      }
      return respond(InvitationProblem(req, in.status()));
    }
    respond(SignedInResponse(*in, 201));
  }

  HttpResponse SignOut(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
    if (!accounts()) return NoAccounts();
    if (auto session = SessionCookieOf(req); session && !req.Header("Authorization")) {
      Status s = accounts()->SignOut(*session, who.subject);
      if (!s.ok()) return server::ProblemFromStatus(s);
    }
    HttpResponse r;
    r.status = 204;
    r.headers.Set("Set-Cookie", ClearedSessionCookieValue(SecureCookies(*accounts())));
    return r;
  }

 private:
  accounts::AccountService* accounts() { return api_.services().accounts; }

  // The steps every sign-in with an address starts with: accounts on, the
  // client's limit, the body, its email, the address's limit.
  std::optional<HttpResponse> Start(const HttpRequest& req, Json* body, std::string* email) {
    if (!accounts()) return NoAccounts();
    if (int wait = api_.AcquireSignInClient(ClientAddressOf(req))) return TooMany(req, wait, false);
    if (auto problem = ReadJsonObject(req, api_.config().max_json_depth, body)) return problem;
    if (!body->contains("email") || !(*body)["email"].is_string() ||
        (*body)["email"].get_ref<const std::string&>().empty())
      return BilingualProblem(ProblemKind::kBadRequest, req, "Saisissez votre adresse e-mail ('email').",
                              "Give your e-mail address ('email').");
    *email = (*body)["email"].get<std::string>();
    auto person = accounts::PersonOfEmail(*email);
    // Counted per address as typed when it is not one: the same limit, no hint.
    if (int wait = api_.AcquireSignInAddress(person.ok() ? *person : *email)) return TooMany(req, wait, true);
    return std::nullopt;
  }

  HttpResponse InvitationProblem(const HttpRequest& req, const Status& s) {
    if (s.code() == StatusCode::kNotFound)
      return BilingualProblem(ProblemKind::kNotFound, req,
                              "Cette invitation ne sert plus : elle a déjà servi, a été révoquée ou a expiré. "
                              "Demandez-en une nouvelle à qui vous a invité.",
                              "This invitation no longer works: it was already used, revoked or has expired. "
                              "Ask whoever invited you for a new one.");
    if (s.code() == StatusCode::kAlreadyExists)
      return BilingualProblem(ProblemKind::kAlreadyExists, req,
                              "Un compte existe déjà pour cette adresse : connectez-vous.",
                              "An account already exists for this address: sign in.");
    return AccountProblem(req, s);
  }

  HttpResponse SignedInResponse(const accounts::AccountService::SignedIn& in, int status) {
    const auto& o = accounts()->options();
    Json j = in.account.ToPublicJson();
    j["csrf_token"] = accounts::AccountService::CsrfTokenOf(in.session_id);
    j["expires_at"] = FormatIso8601(in.expires_at);
    HttpResponse r = server::JsonResponse(status, j);
    r.headers.Set(
        "Set-Cookie",
        SessionCookieValue(in.session_id, std::chrono::duration_cast<std::chrono::seconds>(o.session_absolute_timeout),
                           SecureCookies(*accounts())));
    r.headers.Set("Cache-Control", "no-store");
    return r;
  }

  Api& api_;
};

}  // namespace

void AddSignInRoutes(RouteContext& ctx) {
  auto h = std::make_shared<SignInHandlers>(ctx.api);
  // log_target: what the access log writes instead of a path that holds
  // a secret (empty: the path).
  auto open = [&](auto method, std::string log_target = "") {
    return ctx.open(
        [h, method, log_target](const HttpRequest& req, const RouteParams& params, const server::Respond& respond) {
          if (log_target.empty()) return ((*h).*method)(req, params, respond);
          ((*h).*method)(req, params, [&respond, &log_target](HttpResponse r) {
            r.log_target = log_target;
            respond(std::move(r));
          });
        });
  };
  ctx.router.AddRoute("POST", "/v1/sign-in/password", open(&SignInHandlers::Password));
  ctx.router.AddRoute("POST", "/v1/sign-in/link", open(&SignInHandlers::RequestLink));
  ctx.router.AddRoute("POST", "/v1/sign-in/link/consume", open(&SignInHandlers::ConsumeLink));
  ctx.router.AddRoute("GET", "/v1/invitations/{token}/preview",
                      open(&SignInHandlers::PreviewInvitation, "/v1/invitations/{token}/preview"));
  ctx.router.AddRoute("POST", "/v1/invitations/{token}/accept",
                      open(&SignInHandlers::AcceptInvitation, "/v1/invitations/{token}/accept"));
  ctx.router.AddRoute("POST", "/v1/sign-out", ctx.guarded(Handle(h, &SignInHandlers::SignOut)));
}

}  // namespace relais::api
