// E-mail preferences and unsubscribe links.
//   GET/PUT /v1/people/{person}/email-preferences: what a person gets by
//     e-mail per programme (immediate, digest, none); the person themself,
//     coordinators (not read-only) and admins; anyone else finds no person
//     (404), as if it did not exist.
//   GET /v1/unsubscribe?t=TOKEN: a page that asks to confirm (no token
//     needed: the link's signature is the credential; a mail client's
//     prefetch changes nothing).
//   POST /v1/unsubscribe?t=TOKEN: sets "none" for the link's programme, from
//     the page's button or a mail client's RFC 8058 one-click POST
//     (List-Unsubscribe=One-Click).
//   GET /v1/email/queue, GET /v1/email/dead-letters,
//   POST /v1/email/dead-letters/{id}/replay: the outbox's messages waiting,
//     its dead letters and their replay (same id, same Message-ID); admins
//     only (403 for the others).
#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/api/scope.h"
#include "engine/email/email_keys.h"
#include "engine/email/email_service.h"
#include "engine/email/templates.h"
#include "engine/util/ids.h"

namespace relais::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::JsonResponse;
using server::MakeProblem;
using server::ProblemKind;
using server::RouteParams;

constexpr size_t kMaxProgrammesPerPut = 1'000;

bool MaySetFor(const access::Principal& who, const std::string& person) {
  if (who.subject == person || who.subject == "person:" + person) return true;
  if (who.IsReadOnly()) return false;
  return who.HasRole(access::kRoleAdmin) || who.HasRole(access::kRoleCoordinator);
}

Json PreferencesJson(const std::string& person, const std::map<std::string, email::Delivery>& all) {
  Json programmes = Json::object();
  for (const auto& [programme, choice] : all) programmes[programme] = std::string(email::ToString(choice));
  return {{"person", person}, {"default", "immediate"}, {"programmes", programmes}};
}

HttpResponse Html(int status, const std::string& title, const std::string& body_html) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.headers.Set("Cache-Control", "no-store");
  r.headers.Set("Referrer-Policy", "no-referrer");
  r.body = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\"><title>" +
           email::EscapeHtml(title) +
           "</title></head><body style=\"font-family:sans-serif;max-width:40em;margin:2em auto\">" + body_html +
           "</body></html>";
  return r;
}

class EmailHandlers {
 public:
  explicit EmailHandlers(Api& api)
      : email_(api.services().email), config_(api.config()), authorizer_(api.authorizer()) {}

  HttpResponse GetPreferences(const access::Principal& who, const HttpRequest&, const RouteParams& params) {
    if (!email_) return MakeProblem(ProblemKind::kUnavailable, "e-mail is not served by this server");
    const std::string person = params.Get("person");
    if (!MaySetFor(who, person)) return MakeProblem(ProblemKind::kNotFound, "no person '" + person + "'");
    auto all = email_->preferences().All(person);
    if (!all.ok()) return server::ProblemFromStatus(all.status());
    return JsonResponse(200, PreferencesJson(person, *all));
  }

  HttpResponse PutPreferences(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
    if (!email_) return MakeProblem(ProblemKind::kUnavailable, "e-mail is not served by this server");
    const std::string person = params.Get("person");
    if (!MaySetFor(who, person)) return MakeProblem(ProblemKind::kNotFound, "no person '" + person + "'");
    Json body;
    if (auto p = ReadJsonObject(req, config_.max_json_depth, &body)) return *p;
    auto programmes = body.find("programmes");
    if (programmes == body.end() || !programmes->is_object())
      return MakeProblem(ProblemKind::kBadRequest,
                         "programmes: expected an object of programme id -> \"immediate\", \"digest\" or \"none\"");
    if (programmes->size() > kMaxProgrammesPerPut)
      return MakeProblem(ProblemKind::kBadRequest,
                         "programmes: at most " + std::to_string(kMaxProgrammesPerPut) + " programmes at once");
    for (const auto& [key, _] : body.items())
      if (key != "programmes")
        return MakeProblem(ProblemKind::kBadRequest, "unknown member '" + key + "'; expected only programmes");
    KvWrites writes;
    for (const auto& [programme, choice] : programmes->items()) {
      if (programme != "-")
        if (Status s = ValidateId("programmes: programme id", programme); !s.ok())
          return MakeProblem(ProblemKind::kBadRequest, s.message());
      auto parsed = choice.is_string() ? email::ParseDelivery(choice.get<std::string>()) : std::nullopt;
      if (!parsed)
        return MakeProblem(
            ProblemKind::kBadRequest,
            "programmes." + programme + ": expected \"immediate\", \"digest\" or \"none\", got " + choice.dump());
      email::EmailPreferences::Put(person, programme == "-" ? "" : programme, *parsed, writes);
    }
    if (Status s = email_->store().KvWrite(writes); !s.ok()) return server::ProblemFromStatus(s);
    return GetPreferences(who, req, params);
  }

  HttpResponse Queue(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
    if (auto refused = Outbox(who)) return *refused;
    auto limit = QueryUint(req, "limit", config_.default_page_size, config_.max_page_size);
    if (limit.problem) return *limit.problem;
    auto page = email_->admin().Pending(std::string(email::kRelayEndpoint),
                                        std::string(req.Query("after").value_or("")), limit.value);
    if (!page.ok()) return server::ProblemFromStatus(page.status());
    return JsonResponse(200, Page("messages", *page));
  }

  HttpResponse DeadLetters(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
    if (auto refused = Outbox(who)) return *refused;
    auto limit = QueryUint(req, "limit", config_.default_page_size, config_.max_page_size);
    if (limit.problem) return *limit.problem;
    auto page = email_->admin().DeadLetters(std::nullopt, std::string(req.Query("after").value_or("")), limit.value);
    if (!page.ok()) return server::ProblemFromStatus(page.status());
    return JsonResponse(200, Page("dead_letters", *page));
  }

  HttpResponse Replay(const access::Principal& who, const HttpRequest&, const RouteParams& params) {
    if (auto refused = Outbox(who)) return *refused;
    const std::string id = params.Get("id");
    Status s = email_->admin().Replay(id);
    if (s.code() == StatusCode::kNotFound) return MakeProblem(ProblemKind::kNotFound, "no dead letter '" + id + "'");
    if (!s.ok()) return server::ProblemFromStatus(s);
    return JsonResponse(202, Json{{"replayed", 1}, {"ids", {id}}});
  }

  HttpResponse AskUnsubscribe(const HttpRequest& req) {
    auto target = Target(req);
    if (!target.ok()) return Refused(target.status());
    const std::string action = "/v1/unsubscribe?t=" + std::string(req.Query("t").value_or(""));
    const std::string programme = target->programme.empty() ? "-" : target->programme;
    return Html(
        200, "Relais – désinscription / unsubscribe",
        "<h1>Ne plus recevoir ces messages ?</h1><p>Vous ne recevrez plus d'e-mail de Relais pour le programme <b>" +
            email::EscapeHtml(programme) + "</b>.</p><p lang=\"en\">Stop Relais's e-mails for programme <b>" +
            email::EscapeHtml(programme) + "</b>?</p><form method=\"post\" action=\"" + email::EscapeHtml(action) +
            "\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\"><button "
            "type=\"submit\">Confirmer / Confirm</button></form>");
  }

  HttpResponse Unsubscribe(const HttpRequest& req) {
    auto target = Target(req);
    if (!target.ok()) return Refused(target.status());
    if (Status s = email_->preferences().Set(target->person, target->programme, email::Delivery::kNone); !s.ok())
      return Html(503, "Relais", "<p>Réessayez plus tard. / Please try again later.</p>");
    return Html(200, "Relais – désinscription / unsubscribed",
                "<h1>C'est fait.</h1><p>Vous ne recevrez plus d'e-mail de Relais pour ce programme.</p><p "
                "lang=\"en\">Done: no more e-mail from Relais for this programme.</p>");
  }

 private:
  // Admins only (the outbox is readable with e-mail off: it is then empty,
  // or holds what waited when it was turned off).
  std::optional<HttpResponse> Outbox(const access::Principal& who) {
    if (auto refused = Refusal(authorizer_.Decide(who, access::EmailQueueResource{}, access::Verb::kManage),
                               [] { return MakeProblem(ProblemKind::kNotFound, "no e-mail outbox"); }))
      return refused;
    if (!email_) return MakeProblem(ProblemKind::kUnavailable, "e-mail is not served by this server");
    return std::nullopt;
  }
  static Json Page(const char* member, const notify::JsonPage& page) {
    Json body = {{member, page.items}};
    if (!page.next_after.empty()) body["next_after"] = page.next_after;
    return body;
  }
  StatusOr<email::UnsubscribeTarget> Target(const HttpRequest& req) {
    if (!email_) return Unavailable("e-mail is not served by this server");
    auto token = req.Query("t");
    if (!token) return InvalidArgument("t: the link's token is missing");
    return email_->unsubscribe_links().Verify(std::string(*token));
  }
  static HttpResponse Refused(const Status& s) {
    const int status = s.code() == StatusCode::kPermissionDenied ? 403
                       : s.code() == StatusCode::kUnavailable    ? 503
                                                                 : 400;
    return Html(status, "Relais",
                "<p>Ce lien de désinscription n'est pas valable. / This unsubscribe link is not valid.</p>");
  }

  email::EmailService* const email_;
  const ApiOptions& config_;
  const access::Authorizer& authorizer_;
};

}  // namespace

void AddEmailRoutes(RouteContext& ctx) {
  auto h = std::make_shared<EmailHandlers>(ctx.api);
  using H = EmailHandlers;
  server::Router& r = ctx.router;
  r.AddRoute("GET", "/v1/people/{person}/email-preferences", ctx.guarded(Handle(h, &H::GetPreferences)));
  r.AddRoute("PUT", "/v1/people/{person}/email-preferences", ctx.guarded(Handle(h, &H::PutPreferences)));
  r.AddRoute("GET", "/v1/email/queue", ctx.guarded(Handle(h, &H::Queue)));
  r.AddRoute("GET", "/v1/email/dead-letters", ctx.guarded(Handle(h, &H::DeadLetters)));
  r.AddRoute("POST", "/v1/email/dead-letters/{id}/replay", ctx.guarded(Handle(h, &H::Replay)));
  // No token: the signed link is the credential. The token stays out of the access log.
  r.AddRoute("GET", "/v1/unsubscribe", [h](HttpRequest req, RouteParams, server::Respond respond) {
    HttpResponse res = h->AskUnsubscribe(req);
    res.log_target = "/v1/unsubscribe";
    respond(std::move(res));
  });
  r.AddRoute("POST", "/v1/unsubscribe", [h](HttpRequest req, RouteParams, server::Respond respond) {
    HttpResponse res = h->Unsubscribe(req);
    res.log_target = "/v1/unsubscribe";
    respond(std::move(res));
  });
}

}  // namespace relais::api
