// /v1/webhooks: partners' endpoints (CRUD, secret rotation), their pending
// deliveries and attempts, dead letters and replay. A partner token manages
// its own partner's endpoints; coordinators and admins manage all.
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

bool IsPartner(const Principal& who) { return who.HasRole(kRolePartner) && !who.partner.empty(); }

// Whether who manages endpoints of partner.
bool Manages(const Principal& who, const std::string& partner) {
  return who.IsManager() || (IsPartner(who) && who.partner == partner);
}

HttpResponse NoWebhooks() { return server::UnavailableProblem("webhooks are not running in this process"); }

HttpResponse EndpointNotFound(const std::string& id) {
  return MakeProblem(ProblemKind::kNotFound, "no webhook endpoint '" + id + "'");
}

// The endpoint if who may manage it; else the 404 of an unknown one (its
// existence does not leak to other partners).
StatusOr<notify::Endpoint> OwnedEndpoint(notify::WebhookService& webhooks, const Principal& who,
                                         const std::string& id) {
  auto endpoint = webhooks.endpoints().Get(id);
  if (!endpoint.ok() || !Manages(who, endpoint->partner)) return NotFound("no webhook endpoint '" + id + "'");
  return endpoint;
}

// The endpoints whose dead letters who sees: all for managers.
std::optional<std::vector<std::string>> VisibleEndpoints(notify::WebhookService& webhooks, const Principal& who) {
  if (who.IsManager()) return std::nullopt;
  std::vector<std::string> ids;
  for (const auto& e : webhooks.endpoints().List(who.partner, "", 100'000)) ids.push_back(e.id);
  return ids;
}

Json PageJson(const char* member, const notify::JsonPage& page) {
  Json body = {{member, page.items}};
  if (!page.next_after.empty()) body["next_after"] = page.next_after;
  return body;
}

}  // namespace

void AddWebhookRoutes(RouteContext& ctx) {
  Api& api = ctx.api;
  const server::ApiConfig& config = api.config();
  notify::WebhookService* const webhooks = api.services().webhooks;
  PartnerDirectory& partners = api.partners();

  ctx.router.AddRoute("GET", "/v1/webhooks/endpoints", ctx.guarded([webhooks, &config](const Principal& who,
                                                                                       const HttpRequest& req,
                                                                                       const RouteParams&) {
    if (!webhooks) return NoWebhooks();
    if (!who.IsManager() && !IsPartner(who)) return Forbidden("only partners, coordinators and admins see webhook endpoints");
    auto limit = QueryUint(req, "limit", config.default_page_size, config.max_page_size);
    if (limit.problem) return *limit.problem;
    std::string partner = who.IsManager() ? std::string(req.Query("partner").value_or("")) : who.partner;
    auto list = webhooks->endpoints().List(partner, std::string(req.Query("after").value_or("")), limit.value);
    Json items = Json::array();
    for (const auto& e : list) items.push_back(e.ToPublicJson());
    Json body = {{"endpoints", items}};
    if (list.size() == limit.value && !list.empty()) body["next_after"] = list.back().id;
    return JsonResponse(200, body);
  }));

  ctx.router.AddRoute("POST", "/v1/webhooks/endpoints", ctx.guarded([webhooks, &config, &partners](
                                                                        const Principal& who, const HttpRequest& req,
                                                                        const RouteParams&) {
    if (!webhooks) return NoWebhooks();
    if (!who.IsManager() && !IsPartner(who)) return Forbidden("only partners, coordinators and admins register webhook endpoints");
    Json body;
    if (auto p = ReadJsonObject(req, config.max_json_depth, &body)) return *p;
    std::string partner = who.partner;
    if (who.IsManager()) {
      auto member = body.find("partner");
      if (member == body.end() || !member->is_string()) {
        return MakeProblem(ProblemKind::kBadRequest, "partner: required (the partner id the endpoint belongs to)");
      }
      partner = member->get<std::string>();
      if (!partners.Get(partner).ok()) {
        return MakeProblem(ProblemKind::kBadRequest, "partner: no registered partner '" + partner + "'");
      }
    } else if (auto member = body.find("partner"); member != body.end() && *member != who.partner) {
      return Forbidden("a partner registers endpoints for itself only");
    }
    auto fields = notify::EndpointFields::FromJson(body);
    if (!fields.ok()) return server::ProblemFromStatus(fields.status());
    if (!fields->url) return MakeProblem(ProblemKind::kBadRequest, "url: required (an http:// or https:// URL)");
    if (Status s = webhooks->CheckTarget(*fields->url); !s.ok()) {
      return MakeProblem(ProblemKind::kBadRequest, "url: " + s.message());
    }
    auto created = webhooks->endpoints().Create(partner, *fields);
    if (!created.ok()) return server::ProblemFromStatus(created.status());
    Json out = created->ToPublicJson();
    out["secret"] = created->secrets.front().secret;
    HttpResponse res = JsonResponse(201, out);
    res.headers.Set("Location", "/v1/webhooks/endpoints/" + created->id);
    return res;
  }));

  ctx.router.AddRoute("GET", "/v1/webhooks/endpoints/{id}", ctx.guarded([webhooks](const Principal& who,
                                                                                   const HttpRequest&,
                                                                                   const RouteParams& params) {
    if (!webhooks) return NoWebhooks();
    auto endpoint = OwnedEndpoint(*webhooks, who, params.Get("id"));
    if (!endpoint.ok()) return EndpointNotFound(params.Get("id"));
    return JsonResponse(200, endpoint->ToPublicJson());
  }));

  ctx.router.AddRoute("PATCH", "/v1/webhooks/endpoints/{id}", ctx.guarded([webhooks, &config](
                                                                              const Principal& who,
                                                                              const HttpRequest& req,
                                                                              const RouteParams& params) {
    if (!webhooks) return NoWebhooks();
    const std::string id = params.Get("id");
    auto endpoint = OwnedEndpoint(*webhooks, who, id);
    if (!endpoint.ok()) return EndpointNotFound(id);
    Json body;
    if (auto p = ReadJsonObject(req, config.max_json_depth, &body)) return *p;
    if (auto m = body.find("id"); m != body.end() && *m != id) {
      return MakeProblem(ProblemKind::kBadRequest, "an endpoint's id can not change");
    }
    if (auto m = body.find("partner"); m != body.end() && *m != endpoint->partner) {
      return MakeProblem(ProblemKind::kBadRequest, "an endpoint's partner can not change");
    }
    auto fields = notify::EndpointFields::FromJson(body);
    if (!fields.ok()) return server::ProblemFromStatus(fields.status());
    if (fields->url) {
      if (Status s = webhooks->CheckTarget(*fields->url); !s.ok()) {
        return MakeProblem(ProblemKind::kBadRequest, "url: " + s.message());
      }
    }
    auto updated = webhooks->UpdateEndpoint(id, *fields);
    if (!updated.ok()) return server::ProblemFromStatus(updated.status());
    return JsonResponse(200, updated->ToPublicJson());
  }));

  ctx.router.AddRoute("DELETE", "/v1/webhooks/endpoints/{id}", ctx.guarded([webhooks](const Principal& who,
                                                                                      const HttpRequest&,
                                                                                      const RouteParams& params) {
    if (!webhooks) return NoWebhooks();
    const std::string id = params.Get("id");
    if (!OwnedEndpoint(*webhooks, who, id).ok()) return EndpointNotFound(id);
    if (Status s = webhooks->endpoints().Delete(id); !s.ok()) return server::ProblemFromStatus(s);
    webhooks->dispatcher().Rescan();  // its lanes find no endpoint and drop their deliveries
    return JsonResponse(200, Json{{"id", id}, {"deleted", true}});
  }));

  ctx.router.AddRoute("POST", "/v1/webhooks/endpoints/{id}/rotate-secret", ctx.guarded([webhooks, &config](
                                                                                           const Principal& who,
                                                                                           const HttpRequest& req,
                                                                                           const RouteParams& params) {
    if (!webhooks) return NoWebhooks();
    const std::string id = params.Get("id");
    if (!OwnedEndpoint(*webhooks, who, id).ok()) return EndpointNotFound(id);
    std::optional<std::string> secret;
    if (!req.body.empty()) {
      Json body;
      if (auto p = ReadJsonObject(req, config.max_json_depth, &body)) return *p;
      for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key() != "secret") return MakeProblem(ProblemKind::kBadRequest, "unknown member '" + it.key() + "'; known: secret");
        if (!it->is_string()) return MakeProblem(ProblemKind::kBadRequest, "secret: expected a string 'whsec_' + base64");
        secret = it->get<std::string>();
      }
    }
    auto rotated = webhooks->endpoints().RotateSecret(id, secret, webhooks->options().secret_overlap);
    if (!rotated.ok()) return server::ProblemFromStatus(rotated.status());
    Json out = rotated->ToPublicJson();
    out["secret"] = rotated->secrets.front().secret;
    return JsonResponse(200, out);
  }));

  // An endpoint's pending deliveries, or its attempts: the same paging over
  // another listing of the service.
  using EndpointListing = StatusOr<notify::JsonPage> (notify::WebhookService::*)(const std::string&,
                                                                                const std::string&, size_t);
  auto endpoint_page = [webhooks, &config](EndpointListing list, const char* member) {
    return [webhooks, &config, list, member](const Principal& who, const HttpRequest& req,
                                             const RouteParams& params) -> HttpResponse {
      if (!webhooks) return NoWebhooks();
      const std::string id = params.Get("id");
      if (!OwnedEndpoint(*webhooks, who, id).ok()) return EndpointNotFound(id);
      auto limit = QueryUint(req, "limit", config.default_page_size, config.max_page_size);
      if (limit.problem) return *limit.problem;
      auto page = (webhooks->*list)(id, std::string(req.Query("after").value_or("")), limit.value);
      if (!page.ok()) return server::ProblemFromStatus(page.status());
      return JsonResponse(200, PageJson(member, *page));
    };
  };
  ctx.router.AddRoute("GET", "/v1/webhooks/endpoints/{id}/deliveries",
                      ctx.guarded(endpoint_page(&notify::WebhookService::Pending, "deliveries")));
  ctx.router.AddRoute("GET", "/v1/webhooks/endpoints/{id}/attempts",
                      ctx.guarded(endpoint_page(&notify::WebhookService::EndpointAttempts, "attempts")));

  ctx.router.AddRoute("GET", "/v1/webhooks/deliveries/{id}/attempts", ctx.guarded([webhooks](
                                                                                     const Principal& who,
                                                                                     const HttpRequest&,
                                                                                     const RouteParams& params) {
    if (!webhooks) return NoWebhooks();
    const std::string id = params.Get("id");
    auto attempts = webhooks->Attempts(id);
    if (!attempts.ok()) return server::ProblemFromStatus(attempts.status());
    auto not_found = MakeProblem(ProblemKind::kNotFound, "no attempt of delivery '" + id + "'");
    if (attempts->empty()) return not_found;
    const std::string endpoint = attempts->front().value("endpoint", "");
    if (!who.IsManager()) {
      auto e = webhooks->endpoints().Get(endpoint);
      if (!e.ok() || !Manages(who, e->partner)) return not_found;
    }
    return JsonResponse(200, Json{{"delivery", id}, {"attempts", *attempts}});
  }));

  ctx.router.AddRoute("GET", "/v1/webhooks/dead-letters", ctx.guarded([webhooks, &config](const Principal& who,
                                                                                          const HttpRequest& req,
                                                                                          const RouteParams&) {
    if (!webhooks) return NoWebhooks();
    if (!who.IsManager() && !IsPartner(who)) return Forbidden("only partners, coordinators and admins see dead letters");
    auto limit = QueryUint(req, "limit", config.default_page_size, config.max_page_size);
    if (limit.problem) return *limit.problem;
    auto endpoints = VisibleEndpoints(*webhooks, who);
    if (auto only = req.Query("endpoint")) {
      std::string e(*only);
      if (endpoints && std::find(endpoints->begin(), endpoints->end(), e) == endpoints->end()) {
        endpoints = std::vector<std::string>{};
      } else {
        endpoints = std::vector<std::string>{e};
      }
    }
    auto page = webhooks->DeadLetters(endpoints, std::string(req.Query("after").value_or("")), limit.value);
    if (!page.ok()) return server::ProblemFromStatus(page.status());
    return JsonResponse(200, PageJson("dead_letters", *page));
  }));

  ctx.router.AddRoute("POST", "/v1/webhooks/dead-letters/{id}/replay", ctx.guarded([webhooks](
                                                                                      const Principal& who,
                                                                                      const HttpRequest&,
                                                                                      const RouteParams& params) {
    if (!webhooks) return NoWebhooks();
    const std::string id = params.Get("id");
    auto dead = webhooks->DeadLetter(id);
    auto not_found = MakeProblem(ProblemKind::kNotFound, "no dead letter '" + id + "'");
    if (!dead.ok()) return dead.status().code() == StatusCode::kNotFound ? not_found : server::ProblemFromStatus(dead.status());
    if (!OwnedEndpoint(*webhooks, who, (*dead)["endpoint"].get<std::string>()).ok()) return not_found;
    if (Status s = webhooks->Replay(id); !s.ok()) return server::ProblemFromStatus(s);
    return JsonResponse(202, Json{{"replayed", 1}, {"ids", {id}}});
  }));

  ctx.router.AddRoute("POST", "/v1/webhooks/dead-letters/replay", ctx.guarded([webhooks, &config](
                                                                                 const Principal& who,
                                                                                 const HttpRequest& req,
                                                                                 const RouteParams&) {
    if (!webhooks) return NoWebhooks();
    if (!who.IsManager() && !IsPartner(who)) return Forbidden("only partners, coordinators and admins replay dead letters");
    Json body;
    if (auto p = ReadJsonObject(req, config.max_json_depth, &body)) return *p;
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
        return MakeProblem(ProblemKind::kBadRequest, "member '" + it.key() +
                                                         "': expected since (RFC 3339 date-time) and optionally endpoint (id)");
      }
    }
    if (!since) return MakeProblem(ProblemKind::kBadRequest, "since: required, e.g. \"2026-11-23T00:00:00Z\"");
    auto endpoints = VisibleEndpoints(*webhooks, who);
    if (endpoint) {
      if (!OwnedEndpoint(*webhooks, who, *endpoint).ok()) return EndpointNotFound(*endpoint);
      endpoints = std::vector<std::string>{*endpoint};
    }
    auto count = webhooks->ReplaySince(*since, endpoints);
    if (!count.ok()) return server::ProblemFromStatus(count.status());
    return JsonResponse(202, Json{{"replayed", *count}});
  }));
}

}  // namespace relais::api
