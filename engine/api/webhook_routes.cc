// /v1/webhooks: partners' endpoints (CRUD, secret rotation), their pending
// deliveries and attempts, dead letters and replay. Who manages which
// endpoints is the Authorizer's rule (a partner its own; admins and
// coordinators of every programme all; a coordinator limited to programmes
// those of partners acting only in their programmes); anyone else finds no
// endpoint (404), exactly as if it did not exist.
#include <map>

#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/notify/webhook_service.h"
#include "engine/util/time_format.h"

namespace relais::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::JsonResponse;
using server::MakeProblem;
using server::ProblemKind;
using server::RouteParams;

// Endpoints a listing reads at most to filter a limited coordinator's view.
constexpr size_t kMaxEndpointsScanned = 100'000;

Json PageJson(const char* member, const notify::JsonPage& page) {
  Json body = {{member, page.items}};
  if (!page.next_after.empty()) body["next_after"] = page.next_after;
  return body;
}

// Whether who sees every endpoint (no filtering needed).
bool SeesAllEndpoints(const access::Principal& who) {
  return who.HasRole(access::kRoleAdmin) ||
         (who.HasRole(access::kRoleCoordinator) && who.programmes.empty() && !who.IsReadOnly());
}

// The handlers of /v1/webhooks, one per route.
class WebhookHandlers {
 public:
  explicit WebhookHandlers(Api& api)
      : webhooks_(api.services().webhooks), partners_(api.partners()), scopes_(api.scopes()), config_(api.config()) {}

  HttpResponse ListEndpoints(const access::Principal& who, const HttpRequest& req, const RouteParams&);
  HttpResponse CreateEndpoint(const access::Principal& who, const HttpRequest& req, const RouteParams&);
  HttpResponse GetEndpoint(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse UpdateEndpoint(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse DeleteEndpoint(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse RotateSecret(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse PendingDeliveries(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse EndpointAttempts(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse DeliveryAttempts(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse DeadLetters(const access::Principal& who, const HttpRequest& req, const RouteParams&);
  HttpResponse ReplayOne(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse ReplaySince(const access::Principal& who, const HttpRequest& req, const RouteParams&);

 private:
  using Listing = StatusOr<notify::JsonPage> (notify::WebhookService::*)(const std::string&, const std::string&,
                                                                         size_t);
  HttpResponse EndpointPage(const access::Principal& who, const HttpRequest& req, const RouteParams& params,
                            Listing list, const char* member);
  // The endpoints who may manage, of partner (empty: all), from after, at most limit.
  std::vector<notify::Endpoint> Managed(const access::Principal& who, const std::string& partner,
                                        const std::string& after, size_t limit);
  // The ids of the endpoints who may manage; nullopt: every endpoint.
  std::optional<std::vector<std::string>> ManagedIds(const access::Principal& who);

  notify::WebhookService* const webhooks_;
  PartnerDirectory& partners_;
  Scopes& scopes_;
  const ApiOptions& config_;
};

std::vector<notify::Endpoint> WebhookHandlers::Managed(const access::Principal& who, const std::string& partner,
                                                       const std::string& after, size_t limit) {
  if (SeesAllEndpoints(who)) return webhooks_->endpoints().List(partner, after, limit);
  std::string only = partner;
  if (!who.IsReadOnly() && who.HasRole(access::kRolePartner) && !who.HasRole(access::kRoleCoordinator)) {
    if (!partner.empty() && partner != who.partner) return {};
    only = who.partner;
  }
  std::vector<notify::Endpoint> out;
  std::map<std::string, bool> manages;  // per partner
  for (auto& e : webhooks_->endpoints().List(only, after, kMaxEndpointsScanned)) {
    auto [it, fresh] = manages.try_emplace(e.partner, false);
    if (fresh) it->second = scopes_.DecideEndpoints(who, e.partner).may_act();
    if (!it->second) continue;
    out.push_back(std::move(e));
    if (out.size() == limit) break;
  }
  return out;
}

std::optional<std::vector<std::string>> WebhookHandlers::ManagedIds(const access::Principal& who) {
  if (SeesAllEndpoints(who)) return std::nullopt;
  std::vector<std::string> ids;
  for (const auto& e : Managed(who, "", "", kMaxEndpointsScanned)) ids.push_back(e.id);
  return ids;
}

HttpResponse WebhookHandlers::ListEndpoints(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
  if (auto refused = scopes_.CheckWebhooks(who)) return *refused;
  auto limit = QueryUint(req, "limit", config_.default_page_size, config_.max_page_size);
  if (limit.problem) return *limit.problem;
  auto list = Managed(who, std::string(req.Query("partner").value_or("")), std::string(req.Query("after").value_or("")),
                      limit.value);
  Json items = Json::array();
  for (const auto& e : list) items.push_back(e.ToPublicJson());
  Json body = {{"endpoints", items}};
  if (list.size() == limit.value && !list.empty()) body["next_after"] = list.back().id;
  return JsonResponse(200, body);
}

HttpResponse WebhookHandlers::CreateEndpoint(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
  if (auto refused = scopes_.CheckWebhooks(who)) return *refused;
  Json body;
  if (auto p = ReadJsonObject(req, config_.max_json_depth, &body)) return *p;
  std::string partner = who.partner;
  if (auto member = body.find("partner"); member != body.end()) {
    if (!member->is_string())
      return MakeProblem(ProblemKind::kBadRequest,
                         "partner: expected a string (the partner id the endpoint belongs to)");
    partner = member->get<std::string>();
  }
  if (partner.empty())
    return MakeProblem(ProblemKind::kBadRequest, "partner: required (the partner id the endpoint belongs to)");
  // A partner token acts for its own partner, registered in the directory or not.
  if (partner != who.partner && !partners_.Get(partner).ok())
    return MakeProblem(ProblemKind::kBadRequest, "partner: no registered partner '" + partner + "'");
  const access::Decision decision = scopes_.DecideEndpoints(who, partner);
  if (!decision.may_act())
    return Forbidden(decision.access == access::Access::kVisible
                         ? decision.reason
                         : "you may not register endpoints for partner '" + partner + "'");
  auto fields = notify::EndpointFields::FromJson(body);
  if (!fields.ok()) return server::ProblemFromStatus(fields.status());
  if (!fields->url) return MakeProblem(ProblemKind::kBadRequest, "url: required (an http:// or https:// URL)");
  if (Status s = webhooks_->CheckTarget(*fields->url); !s.ok())
    return MakeProblem(ProblemKind::kBadRequest, "url: " + s.message());
  auto created = webhooks_->endpoints().Create(partner, *fields);
  if (!created.ok()) return server::ProblemFromStatus(created.status());
  Json out = created->ToPublicJson();
  out["secret"] = created->secrets.front().secret;
  HttpResponse res = JsonResponse(201, out);
  res.headers.Set("Location", "/v1/webhooks/endpoints/" + created->id);
  return res;
}

HttpResponse WebhookHandlers::GetEndpoint(const access::Principal& who, const HttpRequest&, const RouteParams& params) {
  auto endpoint = scopes_.Endpoint(who, params.Get("id"));
  if (!endpoint.ok()) return endpoint.problem();
  return JsonResponse(200, endpoint->ToPublicJson());
}

HttpResponse WebhookHandlers::UpdateEndpoint(const access::Principal& who, const HttpRequest& req,
                                             const RouteParams& params) {
  const std::string id = params.Get("id");
  auto endpoint = scopes_.Endpoint(who, id);
  if (!endpoint.ok()) return endpoint.problem();
  Json body;
  if (auto p = ReadJsonObject(req, config_.max_json_depth, &body)) return *p;
  if (auto m = body.find("id"); m != body.end() && *m != id)
    return MakeProblem(ProblemKind::kBadRequest, "an endpoint's id can not change");
  if (auto m = body.find("partner"); m != body.end() && *m != endpoint->partner)
    return MakeProblem(ProblemKind::kBadRequest, "an endpoint's partner can not change");
  auto fields = notify::EndpointFields::FromJson(body);
  if (!fields.ok()) return server::ProblemFromStatus(fields.status());
  if (fields->url) {
    if (Status s = webhooks_->CheckTarget(*fields->url); !s.ok())
      return MakeProblem(ProblemKind::kBadRequest, "url: " + s.message());
  }
  auto updated = webhooks_->UpdateEndpoint(id, *fields);
  if (!updated.ok()) return server::ProblemFromStatus(updated.status());
  return JsonResponse(200, updated->ToPublicJson());
}

HttpResponse WebhookHandlers::DeleteEndpoint(const access::Principal& who, const HttpRequest&,
                                             const RouteParams& params) {
  const std::string id = params.Get("id");
  auto endpoint = scopes_.Endpoint(who, id);
  if (!endpoint.ok()) return endpoint.problem();
  if (Status s = webhooks_->endpoints().Delete(id); !s.ok()) return server::ProblemFromStatus(s);
  webhooks_->dispatcher().Rescan();  // its lanes find no endpoint and drop their deliveries
  return JsonResponse(200, Json{{"id", id}, {"deleted", true}});
}

HttpResponse WebhookHandlers::RotateSecret(const access::Principal& who, const HttpRequest& req,
                                           const RouteParams& params) {
  const std::string id = params.Get("id");
  auto endpoint = scopes_.Endpoint(who, id);
  if (!endpoint.ok()) return endpoint.problem();
  std::optional<std::string> secret;
  if (!req.body.empty()) {
    Json body;
    if (auto p = ReadJsonObject(req, config_.max_json_depth, &body)) return *p;
    for (auto it = body.begin(); it != body.end(); ++it) {
      if (it.key() != "secret")
        return MakeProblem(ProblemKind::kBadRequest, "unknown member '" + it.key() + "'; known: secret");
      if (!it->is_string()) return MakeProblem(ProblemKind::kBadRequest, "secret: expected a string 'whsec_' + base64");
      secret = it->get<std::string>();
    }
  }
  auto rotated = webhooks_->endpoints().RotateSecret(id, secret, webhooks_->options().secret_overlap);
  if (!rotated.ok()) return server::ProblemFromStatus(rotated.status());
  Json out = rotated->ToPublicJson();
  out["secret"] = rotated->secrets.front().secret;
  return JsonResponse(200, out);
}

// An endpoint's pending deliveries, or its attempts: the same paging over
// another listing of the service.
HttpResponse WebhookHandlers::EndpointPage(const access::Principal& who, const HttpRequest& req,
                                           const RouteParams& params, Listing list, const char* member) {
  const std::string id = params.Get("id");
  auto endpoint = scopes_.Endpoint(who, id);
  if (!endpoint.ok()) return endpoint.problem();
  auto limit = QueryUint(req, "limit", config_.default_page_size, config_.max_page_size);
  if (limit.problem) return *limit.problem;
  auto page = (webhooks_->*list)(id, std::string(req.Query("after").value_or("")), limit.value);
  if (!page.ok()) return server::ProblemFromStatus(page.status());
  return JsonResponse(200, PageJson(member, *page));
}

HttpResponse WebhookHandlers::PendingDeliveries(const access::Principal& who, const HttpRequest& req,
                                                const RouteParams& params) {
  return EndpointPage(who, req, params, &notify::WebhookService::Pending, "deliveries");
}

// An endpoint's attempts, oldest first, filtered by ?outcome= and the period
// ?since= / ?until= (RFC 3339), paged by ?after=.
HttpResponse WebhookHandlers::EndpointAttempts(const access::Principal& who, const HttpRequest& req,
                                               const RouteParams& params) {
  const std::string id = params.Get("id");
  auto endpoint = scopes_.Endpoint(who, id);
  if (!endpoint.ok()) return endpoint.problem();
  auto limit = QueryUint(req, "limit", config_.default_page_size, config_.max_page_size);
  if (limit.problem) return *limit.problem;
  notify::AttemptQuery query;
  query.after = std::string(req.Query("after").value_or(""));
  query.limit = limit.value;
  for (const char* name : {"since", "until"}) {
    auto value = req.Query(name);
    if (!value) continue;
    auto t = ParseIso8601(*value);
    if (!t.ok())
      return MakeProblem(ProblemKind::kBadRequest, std::string("query parameter '") + name +
                                                       "' must be an RFC 3339 date-time, e.g. 2026-11-23T00:00:00Z");
    (std::string_view(name) == "since" ? query.since : query.until) = *t;
  }
  if (auto outcome = req.Query("outcome")) {
    if (*outcome != "delivered" && *outcome != "failed" && *outcome != "gone" && *outcome != "refused")
      return MakeProblem(ProblemKind::kBadRequest,
                         "query parameter 'outcome' must be delivered, failed, gone or refused");
    query.outcome = std::string(*outcome);
  }
  auto page = webhooks_->EndpointAttempts(id, query);
  if (!page.ok()) return server::ProblemFromStatus(page.status());
  return JsonResponse(200, PageJson("attempts", *page));
}

HttpResponse WebhookHandlers::DeliveryAttempts(const access::Principal& who, const HttpRequest&,
                                               const RouteParams& params) {
  const std::string id = params.Get("id");
  auto not_found = MakeProblem(ProblemKind::kNotFound, "no attempt of delivery '" + id + "'");
  if (auto refused = scopes_.CheckWebhooks(who)) return refused->status == 403 ? not_found : *refused;
  auto attempts = webhooks_->Attempts(id);
  if (!attempts.ok()) return server::ProblemFromStatus(attempts.status());
  if (attempts->empty()) return not_found;
  if (!scopes_.Endpoint(who, attempts->front().value("endpoint", "")).ok()) return not_found;
  return JsonResponse(200, Json{{"delivery", id}, {"attempts", *attempts}});
}

HttpResponse WebhookHandlers::DeadLetters(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
  if (auto refused = scopes_.CheckWebhooks(who)) return *refused;
  auto limit = QueryUint(req, "limit", config_.default_page_size, config_.max_page_size);
  if (limit.problem) return *limit.problem;
  auto endpoints = ManagedIds(who);
  if (auto only = req.Query("endpoint")) {
    std::string e(*only);
    if (endpoints && std::find(endpoints->begin(), endpoints->end(), e) == endpoints->end()) {
      endpoints = std::vector<std::string>{};
    } else {
      endpoints = std::vector<std::string>{e};
    }
  }
  auto page = webhooks_->DeadLetters(endpoints, std::string(req.Query("after").value_or("")), limit.value);
  if (!page.ok()) return server::ProblemFromStatus(page.status());
  return JsonResponse(200, PageJson("dead_letters", *page));
}

HttpResponse WebhookHandlers::ReplayOne(const access::Principal& who, const HttpRequest&, const RouteParams& params) {
  const std::string id = params.Get("id");
  auto not_found = MakeProblem(ProblemKind::kNotFound, "no dead letter '" + id + "'");
  if (auto refused = scopes_.CheckWebhooks(who)) return refused->status == 403 ? not_found : *refused;
  auto dead = webhooks_->DeadLetter(id);
  if (!dead.ok())
    return dead.status().code() == StatusCode::kNotFound ? not_found : server::ProblemFromStatus(dead.status());
  if (!scopes_.Endpoint(who, dead->value("endpoint", "")).ok()) return not_found;
  if (Status s = webhooks_->Replay(id); !s.ok()) return server::ProblemFromStatus(s);
  return JsonResponse(202, Json{{"replayed", 1}, {"ids", {id}}});
}

HttpResponse WebhookHandlers::ReplaySince(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
  if (auto refused = scopes_.CheckWebhooks(who)) return *refused;
  Json body;
  if (auto p = ReadJsonObject(req, config_.max_json_depth, &body)) return *p;
  std::optional<TimePoint> since;
  std::optional<std::string> endpoint;
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() == "since" && it->is_string()) {
      auto t = ParseIso8601(it->get<std::string>());
      if (!t.ok()) return MakeProblem(ProblemKind::kBadRequest, "since: " + t.status().message());
      since = *t;
    } else if (it.key() == "endpoint" && it->is_string()) {
      endpoint = it->get<std::string>();
    } else {
      return MakeProblem(ProblemKind::kBadRequest,
                         "member '" + it.key() + "': expected since (RFC 3339 date-time) and optionally endpoint (id)");
    }
  }
  if (!since) return MakeProblem(ProblemKind::kBadRequest, "since: required, e.g. \"2026-11-23T00:00:00Z\"");
  auto endpoints = ManagedIds(who);
  if (endpoint) {
    auto scoped = scopes_.Endpoint(who, *endpoint);
    if (!scoped.ok()) return scoped.problem();
    endpoints = std::vector<std::string>{*endpoint};
  }
  auto count = webhooks_->ReplaySince(*since, endpoints);
  if (!count.ok()) return server::ProblemFromStatus(count.status());
  return JsonResponse(202, Json{{"replayed", *count}});
}

}  // namespace

void AddWebhookRoutes(RouteContext& ctx) {
  using H = WebhookHandlers;
  auto h = std::make_shared<H>(ctx.api);
  auto& r = ctx.router;
  r.AddRoute("GET", "/v1/webhooks/endpoints", ctx.guarded(Handle(h, &H::ListEndpoints)));
  r.AddRoute("POST", "/v1/webhooks/endpoints", ctx.guarded(Handle(h, &H::CreateEndpoint)));
  r.AddRoute("GET", "/v1/webhooks/endpoints/{id}", ctx.guarded(Handle(h, &H::GetEndpoint)));
  r.AddRoute("PATCH", "/v1/webhooks/endpoints/{id}", ctx.guarded(Handle(h, &H::UpdateEndpoint)));
  r.AddRoute("DELETE", "/v1/webhooks/endpoints/{id}", ctx.guarded(Handle(h, &H::DeleteEndpoint)));
  r.AddRoute("POST", "/v1/webhooks/endpoints/{id}/rotate-secret", ctx.guarded(Handle(h, &H::RotateSecret)));
  r.AddRoute("GET", "/v1/webhooks/endpoints/{id}/deliveries", ctx.guarded(Handle(h, &H::PendingDeliveries)));
  r.AddRoute("GET", "/v1/webhooks/endpoints/{id}/attempts", ctx.guarded(Handle(h, &H::EndpointAttempts)));
  r.AddRoute("GET", "/v1/webhooks/deliveries/{id}/attempts", ctx.guarded(Handle(h, &H::DeliveryAttempts)));
  r.AddRoute("GET", "/v1/webhooks/dead-letters", ctx.guarded(Handle(h, &H::DeadLetters)));
  r.AddRoute("POST", "/v1/webhooks/dead-letters/{id}/replay", ctx.guarded(Handle(h, &H::ReplayOne)));
  r.AddRoute("POST", "/v1/webhooks/dead-letters/replay", ctx.guarded(Handle(h, &H::ReplaySince)));
}

}  // namespace relais::api
