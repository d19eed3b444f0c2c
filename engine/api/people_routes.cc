// /v1/people: register, list, get, update. The directory is read by every
// caller (pages name people by it); coordinators and admins register
// people, and change those serving in their programmes; a person changes
// their own entry but not whether it is active nor the partner they work for
// (authorizer.h). /v1/people/{person}/feed-tokens live in programme_routes.cc.
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

HttpResponse PersonOrProblem(const StatusOr<Person>& person, int status) {
  if (!person.ok()) return server::ProblemFromStatus(person.status());
  return JsonResponse(status, person->ToJson());
}

// The handlers of /v1/people, one per route.
class PeopleHandlers {
 public:
  explicit PeopleHandlers(Api& api)
      : people_(api.people()), partners_(api.partners()), scopes_(api.scopes()), config_(api.config()) {}

  HttpResponse List(const access::Principal& who, const HttpRequest& req, const RouteParams&);
  HttpResponse Register(const access::Principal& who, const HttpRequest& req, const RouteParams&);
  HttpResponse Get(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse Update(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  // Their recorded changes, with their authors.
  HttpResponse History(const access::Principal& who, const HttpRequest& req, const RouteParams& params);

 private:
  // The fields of body, or the problem: the partner named must be in the
  // partner directory.
  std::optional<HttpResponse> ReadFields(const Json& body, PersonFields* out);

  PersonDirectory& people_;
  PartnerDirectory& partners_;
  Scopes& scopes_;
  const ApiOptions& config_;
};

std::optional<HttpResponse> PeopleHandlers::ReadFields(const Json& body, PersonFields* out) {
  auto fields = PersonFields::FromJson(body);
  if (!fields.ok()) return server::ProblemFromStatus(fields.status());
  if (fields->partner && !fields->partner->empty()) {
    auto partner = partners_.Get(*fields->partner);
    if (!partner.ok()) {
      if (partner.status().code() != StatusCode::kNotFound) return server::ProblemFromStatus(partner.status());
      return MakeProblem(ProblemKind::kBadRequest,
                         "'partner': no partner '" + *fields->partner + "' in the directory (/v1/partners)");
    }
  }
  *out = std::move(fields).value();
  return std::nullopt;
}

HttpResponse PeopleHandlers::List(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
  if (auto refused = scopes_.CheckPerson(who, "", access::Verb::kRead)) return *refused;
  auto limit = QueryUint(req, "limit", config_.default_page_size, config_.max_page_size);
  if (limit.problem) return *limit.problem;
  std::string after(req.Query("after").value_or(""));
  std::string partner(req.Query("partner").value_or(""));
  auto list = partner.empty() ? people_.List(after, limit.value) : people_.ByPartner(partner);
  if (!list.ok()) return server::ProblemFromStatus(list.status());
  Json items = Json::array();
  for (const Person& p : *list) items.push_back(p.ToJson());
  Json body = {{"people", items}};
  if (partner.empty() && list->size() == limit.value && !list->empty()) body["next_after"] = list->back().id;
  return JsonResponse(200, body);
}

HttpResponse PeopleHandlers::Register(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
  if (auto refused = scopes_.CheckPerson(who, "", access::Verb::kCreate)) return *refused;
  Json body;
  if (auto p = ReadJsonObject(req, config_.max_json_depth, &body)) return *p;
  auto id = body.find("id");
  if (id == body.end() || !id->is_string())
    return MakeProblem(ProblemKind::kBadRequest, "the body needs a string 'id' (the person's e-mail address)");
  PersonFields fields;
  if (auto p = ReadFields(body, &fields)) return *p;
  const std::string person = id->get<std::string>();
  HttpResponse res = PersonOrProblem(people_.Register(person, fields, who.subject), 201);
  if (res.status == 201) res.headers.Set("Location", "/v1/people/" + person);
  return res;
}

HttpResponse PeopleHandlers::Get(const access::Principal& who, const HttpRequest&, const RouteParams& params) {
  if (auto refused = scopes_.CheckPerson(who, params.Get("person"), access::Verb::kRead)) return *refused;
  return PersonOrProblem(people_.Get(params.Get("person")), 200);
}

HttpResponse PeopleHandlers::Update(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
  const std::string id = params.Get("person");
  auto existing = people_.Get(id);
  if (!existing.ok()) return server::ProblemFromStatus(existing.status());
  if (auto refused = scopes_.CheckPerson(who, id, access::Verb::kManage)) return *refused;
  Json body;
  if (auto p = ReadJsonObject(req, config_.max_json_depth, &body)) return *p;
  if (auto member = body.find("id"); member != body.end() && *member != id)
    return MakeProblem(ProblemKind::kBadRequest, "a person's id can not change");
  PersonFields fields;
  if (auto p = ReadFields(body, &fields)) return *p;
  const bool manager = who.HasRole(access::kRoleAdmin) || who.HasRole(access::kRoleCoordinator);
  if (!manager && (fields.active || fields.partner))
    return Forbidden("only coordinators and admins change whether a person is active and the partner they work for");
  return PersonOrProblem(people_.Update(id, fields, who.subject), 200);
}

HttpResponse PeopleHandlers::History(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
  const std::string id = params.Get("person");
  if (auto refused = scopes_.CheckPerson(who, id, access::Verb::kRead)) return *refused;
  auto limit = QueryUint(req, "limit", config_.max_page_size, config_.max_page_size);
  if (limit.problem) return *limit.problem;
  auto events = people_.History(id, limit.value);
  if (!events.ok()) return server::ProblemFromStatus(events.status());
  people::PeopleLookup names(people_);
  return EntryHistoryResponse(*events, names);
}

}  // namespace

void AddPeopleRoutes(RouteContext& ctx) {
  auto h = std::make_shared<PeopleHandlers>(ctx.api);
  ctx.router.AddRoute("GET", "/v1/people", ctx.guarded(Handle(h, &PeopleHandlers::List)));
  ctx.router.AddRoute("POST", "/v1/people", ctx.guarded(Handle(h, &PeopleHandlers::Register)));
  ctx.router.AddRoute("GET", "/v1/people/{person}", ctx.guarded(Handle(h, &PeopleHandlers::Get)));
  ctx.router.AddRoute("GET", "/v1/people/{person}/history", ctx.guarded(Handle(h, &PeopleHandlers::History)));
  ctx.router.AddRoute("PATCH", "/v1/people/{person}", ctx.guarded(Handle(h, &PeopleHandlers::Update)));
}

}  // namespace relais::api
