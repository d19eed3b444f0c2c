// /v1/partners: register, list, get, update, deactivate.
#include "engine/api/api.h"
#include "engine/api/api_problems.h"

namespace relais::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::JsonResponse;
using server::MakeProblem;
using server::ProblemKind;
using server::RouteParams;

HttpResponse PartnerOrProblem(const StatusOr<Partner>& partner, int status) {
  if (!partner.ok()) return server::ProblemFromStatus(partner.status());
  return JsonResponse(status, partner->ToJson());
}

}  // namespace

void AddPartnerRoutes(RouteContext& ctx) {
  Api& api = ctx.api;
  PartnerDirectory& partners = api.partners();
  const server::ApiConfig& config = api.config();

  ctx.router.AddRoute("GET", "/v1/partners", ctx.guarded([&partners, &config](const Principal&, const HttpRequest& req,
                                                                              const RouteParams&) {
    auto limit = QueryUint(req, "limit", config.default_page_size, config.max_page_size);
    if (limit.problem) return *limit.problem;
    std::string after(req.Query("after").value_or(""));
    auto list = partners.List(after, limit.value);
    if (!list.ok()) return server::ProblemFromStatus(list.status());
    Json items = Json::array();
    for (const Partner& p : *list) items.push_back(p.ToJson());
    Json body = {{"partners", items}};
    if (list->size() == limit.value && !list->empty()) body["next_after"] = list->back().id;
    return JsonResponse(200, body);
  }));

  ctx.router.AddRoute("POST", "/v1/partners", ctx.guarded([&partners, &config](const Principal& who,
                                                                               const HttpRequest& req,
                                                                               const RouteParams&) {
    if (!who.IsManager()) return Forbidden("only coordinators and admins register partners");
    Json body;
    if (auto p = ReadJsonObject(req, config.max_json_depth, &body)) return *p;
    auto id = body.find("id");
    if (id == body.end() || !id->is_string()) return MakeProblem(ProblemKind::kBadRequest, "the body needs a string 'id'");
    auto fields = PartnerFields::FromJson(body);
    if (!fields.ok()) return server::ProblemFromStatus(fields.status());
    HttpResponse res = PartnerOrProblem(partners.Register(id->get<std::string>(), *fields), 201);
    if (res.status == 201) res.headers.Set("Location", "/v1/partners/" + id->get<std::string>());
    return res;
  }));

  ctx.router.AddRoute("GET", "/v1/partners/{id}", ctx.guarded([&partners](const Principal&, const HttpRequest&,
                                                                          const RouteParams& params) {
    return PartnerOrProblem(partners.Get(params.Get("id")), 200);
  }));

  ctx.router.AddRoute("PATCH", "/v1/partners/{id}", ctx.guarded([&partners, &config](const Principal& who,
                                                                                     const HttpRequest& req,
                                                                                     const RouteParams& params) {
    if (!who.IsManager()) return Forbidden("only coordinators and admins update partners");
    Json body;
    if (auto p = ReadJsonObject(req, config.max_json_depth, &body)) return *p;
    if (auto id = body.find("id"); id != body.end() && *id != params.Get("id"))
      return MakeProblem(ProblemKind::kBadRequest, "a partner's id can not change");
    auto fields = PartnerFields::FromJson(body);
    if (!fields.ok()) return server::ProblemFromStatus(fields.status());
    return PartnerOrProblem(partners.Update(params.Get("id"), *fields), 200);
  }));

  ctx.router.AddRoute("DELETE", "/v1/partners/{id}", ctx.guarded([&partners](const Principal& who, const HttpRequest&,
                                                                             const RouteParams& params) {
    if (!who.IsManager()) return Forbidden("only coordinators and admins deactivate partners");
    return PartnerOrProblem(partners.Deactivate(params.Get("id")), 200);
  }));
}

}  // namespace relais::api
