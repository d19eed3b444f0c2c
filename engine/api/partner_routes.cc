// /v1/partners: register, list, get, update, deactivate, history. The directory is
// read by every caller; coordinators and admins register partners, and
// change those whose actions their scope covers (authorizer.h).
#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/api/entry_history.h"

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

// The handlers of /v1/partners, one per route.
class PartnerHandlers {
 public:
  explicit PartnerHandlers(Api& api)
      : partners_(api.partners()), people_(api.people()), scopes_(api.scopes()), config_(api.config()) {}

  HttpResponse List(const access::Principal& who, const HttpRequest& req, const RouteParams&);
  HttpResponse Register(const access::Principal& who, const HttpRequest& req, const RouteParams&);
  HttpResponse Get(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse Update(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse Deactivate(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  // Its recorded changes, with their authors.
  HttpResponse History(const access::Principal& who, const HttpRequest& req, const RouteParams& params);

 private:
  PartnerDirectory& partners_;
  people::PersonDirectory& people_;
  Scopes& scopes_;
  const ApiOptions& config_;
};

HttpResponse PartnerHandlers::List(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
  if (auto refused = scopes_.CheckPartner(who, "", access::Verb::kRead)) return *refused;
  auto limit = QueryUint(req, "limit", config_.default_page_size, config_.max_page_size);
  if (limit.problem) return *limit.problem;
  std::string after(req.Query("after").value_or(""));
  auto list = partners_.List(after, limit.value);
  if (!list.ok()) return server::ProblemFromStatus(list.status());
  Json items = Json::array();
  for (const Partner& p : *list) items.push_back(p.ToJson());
  Json body = {{"partners", items}};
  if (list->size() == limit.value && !list->empty()) body["next_after"] = list->back().id;
  return JsonResponse(200, body);
}

HttpResponse PartnerHandlers::Register(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
  if (auto refused = scopes_.CheckPartner(who, "", access::Verb::kCreate)) return *refused;
  Json body;
  if (auto p = ReadJsonObject(req, config_.max_json_depth, &body)) return *p;
  auto id = body.find("id");
  if (id == body.end() || !id->is_string())
    return MakeProblem(ProblemKind::kBadRequest, "the body needs a string 'id'");
  auto fields = PartnerFields::FromJson(body);
  if (!fields.ok()) return server::ProblemFromStatus(fields.status());
  HttpResponse res = PartnerOrProblem(partners_.Register(id->get<std::string>(), *fields, who.subject), 201);
  if (res.status == 201) res.headers.Set("Location", "/v1/partners/" + id->get<std::string>());
  return res;
}

HttpResponse PartnerHandlers::Get(const access::Principal& who, const HttpRequest&, const RouteParams& params) {
  if (auto refused = scopes_.CheckPartner(who, params.Get("id"), access::Verb::kRead)) return *refused;
  return PartnerOrProblem(partners_.Get(params.Get("id")), 200);
}

HttpResponse PartnerHandlers::Update(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
  const std::string id = params.Get("id");
  auto existing = partners_.Get(id);
  if (!existing.ok()) return server::ProblemFromStatus(existing.status());
  if (auto refused = scopes_.CheckPartner(who, id, access::Verb::kManage)) return *refused;
  Json body;
  if (auto p = ReadJsonObject(req, config_.max_json_depth, &body)) return *p;
  if (auto member = body.find("id"); member != body.end() && *member != id)
    return MakeProblem(ProblemKind::kBadRequest, "a partner's id can not change");
  auto fields = PartnerFields::FromJson(body);
  if (!fields.ok()) return server::ProblemFromStatus(fields.status());
  return PartnerOrProblem(partners_.Update(id, *fields, who.subject), 200);
}

HttpResponse PartnerHandlers::History(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
  const std::string id = params.Get("id");
  if (auto refused = scopes_.CheckPartner(who, id, access::Verb::kRead)) return *refused;
  auto limit = QueryUint(req, "limit", config_.max_page_size, config_.max_page_size);
  if (limit.problem) return *limit.problem;
  auto events = partners_.History(id, limit.value);
  if (!events.ok()) return server::ProblemFromStatus(events.status());
  people::PeopleLookup people(people_);
  return EntryHistoryResponse(*events, people);
}

HttpResponse PartnerHandlers::Deactivate(const access::Principal& who, const HttpRequest&, const RouteParams& params) {
  const std::string id = params.Get("id");
  auto existing = partners_.Get(id);
  if (!existing.ok()) return server::ProblemFromStatus(existing.status());
  if (auto refused = scopes_.CheckPartner(who, id, access::Verb::kManage)) return *refused;
  return PartnerOrProblem(partners_.Deactivate(id, who.subject), 200);
}

}  // namespace

void AddPartnerRoutes(RouteContext& ctx) {
  auto h = std::make_shared<PartnerHandlers>(ctx.api);
  ctx.router.AddRoute("GET", "/v1/partners", ctx.guarded(Handle(h, &PartnerHandlers::List)));
  ctx.router.AddRoute("POST", "/v1/partners", ctx.guarded(Handle(h, &PartnerHandlers::Register)));
  ctx.router.AddRoute("GET", "/v1/partners/{id}", ctx.guarded(Handle(h, &PartnerHandlers::Get)));
  ctx.router.AddRoute("PATCH", "/v1/partners/{id}", ctx.guarded(Handle(h, &PartnerHandlers::Update)));
  ctx.router.AddRoute("GET", "/v1/partners/{id}/history", ctx.guarded(Handle(h, &PartnerHandlers::History)));
  ctx.router.AddRoute("DELETE", "/v1/partners/{id}", ctx.guarded(Handle(h, &PartnerHandlers::Deactivate)));
}

}  // namespace relais::api
