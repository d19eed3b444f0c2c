// /v1/programmes: programmes, people's terms, milestones (reviews, annual
// event, evaluation), indicators and iCalendar feeds; /v1/feeds/{token}: a
// private calendar feed read without a bearer token (calendar apps cannot
// send one): the unguessable, revocable token is the credential.
#include <cctype>
#include <cmath>
#include <limits>
#include <variant>

#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/api/language.h"
#include "engine/api/slot_refusal.h"
#include "engine/people/people_lookup.h"
#include "engine/programme/ics_feed.h"

namespace relais::api {
namespace {

using programme::ProgrammeService;
using programme::StatePtr;
using server::HttpRequest;
using server::HttpResponse;
using server::JsonResponse;
using server::MakeProblem;
using server::ProblemKind;
using server::RouteParams;

std::optional<HttpResponse> ReadString(const Json& body, const char* key, bool required, std::string* out) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required) return MakeProblem(ProblemKind::kBadRequest, std::string("'") + key + "' is required");
    return std::nullopt;
  }
  if (!it->is_string() || it->get_ref<const std::string&>().size() > 64 * 1024)
    return MakeProblem(ProblemKind::kBadRequest, std::string("'") + key + "' must be a string");
  *out = it->get<std::string>();
  return std::nullopt;
}

std::optional<HttpResponse> ReadDate(const Json& body, const char* key, calendar::CivilDate* out) {
  std::string text;
  if (auto problem = ReadString(body, key, true, &text)) return problem;
  auto date = calendar::ParseCivilDate(text);
  if (!date.ok())
    return MakeProblem(ProblemKind::kBadRequest, std::string("'") + key + "': " + date.status().message());
  *out = *date;
  return std::nullopt;
}

Json VacanciesOf(const programme::ProgrammeState& state) {
  Json out = Json::array();
  for (const programme::Axis& axis : state.definition.axes)
    for (std::string_view role : {programme::kRoleEluReferent, programme::kRoleReferentTechnique})
      if (!state.ActiveHolder(role, axis.id)) out.push_back({{"role", role}, {"axis", axis.id}});
  return out;
}

// people: names each assignment's person beside their id (person_name).
Json ProgrammeJson(const programme::ProgrammeState& state, people::PeopleLookup& people) {
  Json assignments = Json::array();
  for (const auto& [id, a] : state.assignments) {
    Json j = a.ToJson();
    j["person_name"] = people.NameOf(a.person);
    assignments.push_back(std::move(j));
  }
  size_t scheduled = 0, overdue = 0, held = 0;
  for (const auto& [id, m] : state.milestones) {
    if (m.status == programme::MilestoneStatus::kHeld)
      ++held;
    else if (m.status == programme::MilestoneStatus::kScheduled)
      ++scheduled;
    if (m.status == programme::MilestoneStatus::kScheduled && m.overdue) ++overdue;
  }
  return {{"definition", state.definition.ToJson()},
          {"version", state.version},
          {"assignments", assignments},
          {"vacancies", VacanciesOf(state)},
          {"milestones", {{"scheduled", scheduled}, {"held", held}, {"overdue", overdue}}},
          {"indicators", programme::IndicatorTotals(state)}};
}

HttpResponse IcsResponse(std::string body) {
  HttpResponse res;
  res.status = 200;
  res.body = std::move(body);
  res.content_type = "text/calendar; charset=utf-8";
  res.headers.Set("Cache-Control", "private, max-age=300");
  return res;
}

// The feed text of "person:<subject>" or "programme:<id>".
// People are named through the directory (never by their address).
StatusOr<std::string> RenderFeed(ProgrammeService& service, people::PersonDirectory& directory, const std::string& feed,
                                 const std::string& lang) {
  people::PeopleLookup people(directory);
  std::vector<StatePtr> states;
  std::string person, name;
  if (feed.rfind("programme:", 0) == 0) {
    RELAIS_ASSIGN_OR_RETURN(StatePtr state, service.Get(feed.substr(10)));
    name = state->definition.title.empty() ? state->definition.id : state->definition.title;
    states.push_back(std::move(state));
  } else if (auto person_feed = PersonFeed::FromSpec(feed)) {
    person = person_feed->person;
    RELAIS_ASSIGN_OR_RETURN(auto ids, service.ProgrammesOf(person));
    for (const std::string& id : ids) {
      if (person_feed->only && !person_feed->only->count(id)) continue;  // issued for some programmes only
      RELAIS_ASSIGN_OR_RETURN(StatePtr state, service.Get(id));
      states.push_back(std::move(state));
    }
    name = (lang == "en" ? "Milestones of " : "Échéances de ") + people.NameOf(person, lang);
  } else {
    return NotFound("no such feed");
  }
  std::vector<programme::FeedEntry> entries;
  for (const StatePtr& state : states)
    for (const auto& [id, m] : state->milestones) {
      // A person's feed: their reviews, and the programme's own milestones
      // (annual event, evaluation) of the programmes they serve in.
      if (!person.empty() && m.person != person && !m.person.empty()) continue;
      entries.push_back({state.get(), &m, m.person.empty() ? nullptr : people.Find(m.person)});
    }
  return programme::RenderIcsFeed(name, entries, lang, service.options().public_url);
}

// The handlers of /v1/programmes, /v1/people and the feeds, one per route.
class ProgrammeHandlers {
 public:
  explicit ProgrammeHandlers(Api& api)
      : s_(api.services()), people_(api.people()), scopes_(api.scopes()), config_(api.config()) {}

  HttpResponse Define(const access::Principal& who, const HttpRequest& req, const RouteParams&);
  HttpResponse List(const access::Principal& who, const HttpRequest& req, const RouteParams&);
  HttpResponse Get(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse Assign(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse ChangeDetails(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse EndTerm(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse Milestones(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse RecordHeld(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse MoveMilestone(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse RecordIndicator(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse Indicators(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse Calendar(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse IssueProgrammeFeedToken(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse IssuePersonFeedToken(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse RevokeFeedToken(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse ListPersonFeedTokens(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  HttpResponse RevokePersonFeedToken(const access::Principal& who, const HttpRequest& req, const RouteParams& params);
  // No bearer token: the feed token is the credential.
  HttpResponse ReadFeed(const HttpRequest& req, const RouteParams& params);

 private:
  // A change's prologue: the caller may manage programme {id} (else the
  // scope's problem, "does not exist" when out of scope) and the body is a
  // JSON object (else its problem).
  std::optional<HttpResponse> BeginChange(const access::Principal& who, const HttpRequest& req,
                                          const RouteParams& params, std::string* id, Json* body);

  ApiServices& s_;
  people::PersonDirectory& people_;
  Scopes& scopes_;
  const ApiOptions& config_;
};

std::optional<HttpResponse> ProgrammeHandlers::BeginChange(const access::Principal& who, const HttpRequest& req,
                                                           const RouteParams& params, std::string* id, Json* body) {
  *id = params.Get("id");
  auto state = scopes_.Programme(who, *id, access::Verb::kManage);
  if (!state.ok()) return state.problem();
  return ReadJsonObject(req, config_.max_json_depth, body);
}

HttpResponse ProgrammeHandlers::Define(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
  if (!s_.programmes) return ProgrammesOff();
  Json body;
  if (auto problem = ReadJsonObject(req, config_.max_json_depth, &body)) return *problem;
  auto definition = programme::ProgrammeDefinition::FromJson(body);
  if (!definition.ok()) return MakeProblem(ProblemKind::kBadRequest, definition.status().message());
  const access::Decision decision =
      scopes_.authorizer().Decide(who, access::ProgrammeResource{definition->id, {}}, access::Verb::kCreate);
  if (!decision.may_act()) return Forbidden(decision.reason);
  auto state = s_.programmes->Define(*definition, who.subject);
  if (!state.ok()) return server::ProblemFromStatus(state.status());
  people::PeopleLookup people(people_);
  HttpResponse res = JsonResponse(201, ProgrammeJson(**state, people));
  res.headers.Set("Location", "/v1/programmes/" + definition->id);
  return res;
}

HttpResponse ProgrammeHandlers::List(const access::Principal& who, const HttpRequest&, const RouteParams&) {
  auto seen = scopes_.SeenProgrammes(who);
  if (!seen.ok()) return seen.problem();
  Json items = Json::array();
  for (const programme::StatePtr& state : *seen) {
    const auto& def = state->definition;
    Json item = {
        {"id", def.id}, {"title", def.title}, {"plan_years", def.plan_years}, {"vacancies", VacanciesOf(*state)}};
    if (!def.region.empty()) item["region"] = def.region;
    items.push_back(std::move(item));
  }
  return JsonResponse(200, {{"programmes", items}});
}

HttpResponse ProgrammeHandlers::Get(const access::Principal& who, const HttpRequest&, const RouteParams& params) {
  auto state = scopes_.Programme(who, params.Get("id"), access::Verb::kRead);
  if (!state.ok()) return state.problem();
  people::PeopleLookup people(people_);
  return JsonResponse(200, ProgrammeJson(**state, people));
}

HttpResponse ProgrammeHandlers::Assign(const access::Principal& who, const HttpRequest& req,
                                       const RouteParams& params) {
  std::string id;
  Json body;
  if (auto problem = BeginChange(who, req, params, &id, &body)) return *problem;
  programme::AssignRequest assign;
  if (auto p = ReadString(body, "person", true, &assign.person)) return *p;
  if (auto p = ReadString(body, "role", true, &assign.role)) return *p;
  if (auto p = ReadString(body, "axis", false, &assign.axis)) return *p;
  if (auto p = ReadDate(body, "start", &assign.start)) return *p;
  if (auto p = ReadDate(body, "end", &assign.end)) return *p;
  auto assignment = s_.programmes->Assign(id, assign, who.subject);
  if (!assignment.ok()) return server::ProblemFromStatus(assignment.status());
  Json j = assignment->ToJson();
  j["person_name"] = people_.NameOf(assignment->person);
  return JsonResponse(201, j);
}

HttpResponse ProgrammeHandlers::ChangeDetails(const access::Principal& who, const HttpRequest& req,
                                              const RouteParams& params) {
  std::string id;
  Json body;
  if (auto problem = BeginChange(who, req, params, &id, &body)) return *problem;
  auto state = s_.programmes->ChangeDetails(id, body, who.subject);
  if (!state.ok()) return server::ProblemFromStatus(state.status());
  people::PeopleLookup people(people_);
  return JsonResponse(200, ProgrammeJson(**state, people));
}

HttpResponse ProgrammeHandlers::EndTerm(const access::Principal& who, const HttpRequest&, const RouteParams& params) {
  const std::string id = params.Get("id");
  auto state = scopes_.Programme(who, id, access::Verb::kManage);
  if (!state.ok()) return state.problem();
  auto ended = s_.programmes->EndTerm(id, params.Get("assignment"), who.subject);
  if (!ended.ok()) return server::ProblemFromStatus(ended.status());
  return JsonResponse(200, ended->ToJson());
}

HttpResponse ProgrammeHandlers::Milestones(const access::Principal& who, const HttpRequest& req,
                                           const RouteParams& params) {
  auto scoped = scopes_.Programme(who, params.Get("id"), access::Verb::kRead);
  if (!scoped.ok()) return scoped.problem();
  const programme::ProgrammeState& state = **scoped;
  std::optional<bool> overdue;
  if (auto v = req.Query("overdue")) {
    if (*v != "true" && *v != "false")
      return MakeProblem(ProblemKind::kBadRequest, "query parameter 'overdue' must be true or false");
    overdue = *v == "true";
  }
  auto status = req.Query("status");
  if (status && *status != "scheduled" && *status != "held" && *status != "cancelled")
    return MakeProblem(ProblemKind::kBadRequest, "query parameter 'status' must be scheduled, held or cancelled");
  auto kind = req.Query("kind");
  if (kind && *kind != "review" && *kind != "annual_event" && *kind != "evaluation")
    return MakeProblem(ProblemKind::kBadRequest, "query parameter 'kind' must be review, annual_event or evaluation");
  auto axis = req.Query("axis");
  auto person = req.Query("person");
  std::string lang;
  if (auto p = ReadLang(req, &lang)) return *p;
  std::vector<const programme::Milestone*> list;
  for (const auto& [mid, m] : state.milestones) {
    if (axis && m.axis != *axis) continue;
    if (person && m.person != *person) continue;
    if (kind && m.kind != *kind) continue;
    if (status && programme::ToString(m.status) != *status) continue;
    if (overdue && (m.overdue && m.status == programme::MilestoneStatus::kScheduled) != *overdue) continue;
    list.push_back(&m);
  }
  std::sort(list.begin(), list.end(),
            [](auto* a, auto* b) { return a->due < b->due || (a->due == b->due && a->id < b->id); });
  Json items = Json::array();
  people::PeopleLookup people(people_);
  for (const programme::Milestone* m : list) {
    Json j = m->ToJson();
    const people::Person* named = m->person.empty() ? nullptr : people.Find(m->person);
    j["title"] = programme::MilestoneTitle(state, *m, lang, named);
    if (!m->person.empty()) j["person_name"] = people.NameOf(m->person, lang);
    items.push_back(std::move(j));
  }
  return JsonResponse(200, {{"milestones", items}, {"total", items.size()}});
}

HttpResponse ProgrammeHandlers::RecordHeld(const access::Principal& who, const HttpRequest& req,
                                           const RouteParams& params) {
  std::string id;
  Json body;
  if (auto problem = BeginChange(who, req, params, &id, &body)) return *problem;
  std::string notes;
  if (auto p = ReadString(body, "notes", false, &notes)) return *p;
  Json decisions = body.value("decisions", Json::array());
  if (!decisions.is_array()) return MakeProblem(ProblemKind::kBadRequest, "'decisions' must be a list");
  auto held = s_.programmes->RecordHeld(id, params.Get("milestone"), notes, decisions, who.subject);
  if (!held.ok()) return server::ProblemFromStatus(held.status());
  return JsonResponse(200, held->ToJson());
}

HttpResponse ProgrammeHandlers::MoveMilestone(const access::Principal& who, const HttpRequest& req,
                                              const RouteParams& params) {
  std::string id;
  Json body;
  if (auto problem = BeginChange(who, req, params, &id, &body)) return *problem;
  programme::MoveTarget to;
  if (auto p = ReadDate(body, "date", &to.date)) return *p;
  std::string time;
  if (auto p = ReadString(body, "time", false, &time)) return *p;
  if (!time.empty()) {
    const bool clock = time.size() == 5 && time[2] == ':' && std::isdigit(time[0]) && std::isdigit(time[1]) &&
                       std::isdigit(time[3]) && std::isdigit(time[4]);
    const int minute = clock ? std::stoi(time.substr(0, 2)) * 60 + std::stoi(time.substr(3, 2)) : -1;
    if (!clock || minute >= 24 * 60 || std::stoi(time.substr(3, 2)) > 59)
      return MakeProblem(ProblemKind::kBadRequest, "'time' must be HH:MM (local time), got '" + time + "'");
    to.minute_of_day = minute;
  }
  programme::SlotRefusal refused;
  auto moved = s_.programmes->Move(id, params.Get("milestone"), to, who.subject, &refused);
  if (!moved.ok()) {
    if (moved.status().code() == StatusCode::kFailedPrecondition && refused.check.fault != programme::SlotFault::kNone)
      return SlotRefusalProblem(refused, req);
    return server::ProblemFromStatus(moved.status());
  }
  return JsonResponse(200, moved->ToJson());
}

HttpResponse ProgrammeHandlers::RecordIndicator(const access::Principal& who, const HttpRequest& req,
                                                const RouteParams& params) {
  std::string id;
  Json body;
  if (auto problem = BeginChange(who, req, params, &id, &body)) return *problem;
  std::string action, indicator;
  if (auto p = ReadString(body, "action", true, &action)) return *p;
  if (auto p = ReadString(body, "indicator", true, &indicator)) return *p;
  auto value = body.find("value");
  if (value == body.end() || !value->is_number())
    return MakeProblem(ProblemKind::kBadRequest, "'value' is required and must be a number");
  int year = 0;
  if (auto y = body.find("year"); y != body.end() && !y->is_null()) {
    if (!y->is_number_integer() || y->get<int64_t>() < 1990 || y->get<int64_t>() > 2200)
      return MakeProblem(ProblemKind::kBadRequest, "'year' must be a year from 1990 to 2200");
    year = y->get<int>();
  }
  auto recorded = s_.programmes->RecordIndicator(id, action, indicator, value->get<double>(), year, who.subject);
  if (!recorded.ok()) return server::ProblemFromStatus(recorded.status());
  return JsonResponse(201, {{"action", recorded->action},
                            {"axis", recorded->axis},
                            {"indicator", recorded->indicator},
                            {"value", recorded->value},
                            {"year", recorded->year}});
}

HttpResponse ProgrammeHandlers::Indicators(const access::Principal& who, const HttpRequest& req,
                                           const RouteParams& params) {
  auto state = scopes_.Programme(who, params.Get("id"), access::Verb::kRead);
  if (!state.ok()) return state.problem();
  auto year = QueryUintFrom(req, "year", 0, 1990, 2200);  // absent: every year
  if (year.problem) return *year.problem;
  return JsonResponse(200, programme::IndicatorTotals(**state, static_cast<int>(year.value)));
}

HttpResponse ProgrammeHandlers::Calendar(const access::Principal& who, const HttpRequest& req,
                                         const RouteParams& params) {
  const std::string id = params.Get("id");
  auto state = scopes_.Programme(who, id, access::Verb::kRead);
  if (!state.ok()) return state.problem();
  std::string lang;
  if (auto p = ReadLang(req, &lang)) return *p;
  auto text = RenderFeed(*s_.programmes, people_, "programme:" + id, lang);
  if (!text.ok()) return server::ProblemFromStatus(text.status());
  return IcsResponse(std::move(*text));
}

HttpResponse ProgrammeHandlers::IssueProgrammeFeedToken(const access::Principal& who, const HttpRequest&,
                                                        const RouteParams& params) {
  const std::string id = params.Get("id");
  auto state = scopes_.Programme(who, id, access::Verb::kManage);
  if (!state.ok()) return state.problem();
  auto token = s_.programmes->IssueFeedToken("programme:" + id);
  if (!token.ok()) return server::ProblemFromStatus(token.status());
  return JsonResponse(201, {{"token", *token}, {"feed", "programme:" + id}, {"url", "/v1/feeds/" + *token}});
}

HttpResponse ProgrammeHandlers::IssuePersonFeedToken(const access::Principal& who, const HttpRequest&,
                                                     const RouteParams& params) {
  auto feed = scopes_.PersonFeedOf(who, params.Get("person"));
  if (!feed.ok()) return feed.problem();
  auto token = s_.programmes->IssueFeedToken(feed->ToSpec());
  if (!token.ok()) return server::ProblemFromStatus(token.status());
  return JsonResponse(201, {{"token", *token}, {"feed", "person:" + feed->person}, {"url", "/v1/feeds/" + *token}});
}

// A person's calendar links, for whoever may issue one (never the tokens).
HttpResponse ProgrammeHandlers::ListPersonFeedTokens(const access::Principal& who, const HttpRequest&,
                                                     const RouteParams& params) {
  auto feed = scopes_.PersonFeedOf(who, params.Get("person"));
  if (!feed.ok()) return feed.problem();
  auto links = s_.programmes->FeedTokensOf("person:" + feed->person);
  if (!links.ok()) return server::ProblemFromStatus(links.status());
  Json out = Json::array();
  for (const auto& l : *links) {
    Json programmes = Json::array();
    if (auto spec = PersonFeed::FromSpec(l.feed); spec && spec->only)
      for (const auto& p : *spec->only) programmes.push_back(p);
    out.push_back({{"id", l.id}, {"created_at", l.created_at}, {"programmes", programmes}});
  }
  return JsonResponse(200, {{"person", feed->person}, {"feed_tokens", out}});
}

HttpResponse ProgrammeHandlers::RevokePersonFeedToken(const access::Principal& who, const HttpRequest&,
                                                      const RouteParams& params) {
  auto feed = scopes_.PersonFeedOf(who, params.Get("person"));
  if (!feed.ok()) return feed.problem();
  Status revoked = s_.programmes->RevokeFeedTokenOf("person:" + feed->person, params.Get("id"));
  if (!revoked.ok()) return server::ProblemFromStatus(revoked);
  HttpResponse res;
  res.status = 204;
  return res;
}

HttpResponse ProgrammeHandlers::RevokeFeedToken(const access::Principal& who, const HttpRequest&,
                                                const RouteParams& params) {
  const std::string token = params.Get("token");
  auto feed = scopes_.FeedToken(who, token);
  if (!feed.ok()) {
    feed.problem().log_target = "/v1/feed-tokens/{token}";
    return feed.problem();
  }
  Status revoked = s_.programmes->RevokeFeedToken(token);
  if (!revoked.ok()) return server::ProblemFromStatus(revoked);
  HttpResponse res;
  res.status = 204;
  res.log_target = "/v1/feed-tokens/{token}";  // the token is a credential: never in the access log
  return res;
}

HttpResponse ProgrammeHandlers::ReadFeed(const HttpRequest& req, const RouteParams& params) {
  if (!s_.programmes) return ProgrammesOff();
  auto feed = s_.programmes->FeedOfToken(params.Get("token"));
  if (!feed.ok()) return server::ProblemFromStatus(feed.status());
  if (!*feed) return MakeProblem(ProblemKind::kNotFound, "no such calendar feed (unknown or revoked token)");
  std::string lang;
  if (auto p = ReadLang(req, &lang)) return *p;
  auto text = RenderFeed(*s_.programmes, people_, **feed, lang);
  if (!text.ok()) return server::ProblemFromStatus(text.status());
  return IcsResponse(std::move(*text));
}

}  // namespace

void AddProgrammeRoutes(RouteContext& ctx) {
  using H = ProgrammeHandlers;
  auto h = std::make_shared<H>(ctx.api);
  auto& r = ctx.router;
  r.AddRoute("POST", "/v1/programmes", ctx.guarded(Handle(h, &H::Define)));
  r.AddRoute("GET", "/v1/programmes", ctx.guarded(Handle(h, &H::List)));
  r.AddRoute("GET", "/v1/programmes/{id}", ctx.guarded(Handle(h, &H::Get)));
  r.AddRoute("PATCH", "/v1/programmes/{id}", ctx.guarded(Handle(h, &H::ChangeDetails)));
  r.AddRoute("POST", "/v1/programmes/{id}/assignments", ctx.guarded(Handle(h, &H::Assign)));
  r.AddRoute("POST", "/v1/programmes/{id}/assignments/{assignment}/end", ctx.guarded(Handle(h, &H::EndTerm)));
  r.AddRoute("GET", "/v1/programmes/{id}/milestones", ctx.guarded(Handle(h, &H::Milestones)));
  r.AddRoute("POST", "/v1/programmes/{id}/milestones/{milestone}/held", ctx.guarded(Handle(h, &H::RecordHeld)));
  r.AddRoute("POST", "/v1/programmes/{id}/milestones/{milestone}/move", ctx.guarded(Handle(h, &H::MoveMilestone)));
  r.AddRoute("POST", "/v1/programmes/{id}/indicators", ctx.guarded(Handle(h, &H::RecordIndicator)));
  r.AddRoute("GET", "/v1/programmes/{id}/indicators", ctx.guarded(Handle(h, &H::Indicators)));
  r.AddRoute("GET", "/v1/programmes/{id}/calendar", ctx.guarded(Handle(h, &H::Calendar)));
  r.AddRoute("POST", "/v1/programmes/{id}/feed-tokens", ctx.guarded(Handle(h, &H::IssueProgrammeFeedToken)));
  r.AddRoute("POST", "/v1/people/{person}/feed-tokens", ctx.guarded(Handle(h, &H::IssuePersonFeedToken)));
  r.AddRoute("GET", "/v1/people/{person}/feed-tokens", ctx.guarded(Handle(h, &H::ListPersonFeedTokens)));
  r.AddRoute("DELETE", "/v1/people/{person}/feed-tokens/{id}", ctx.guarded(Handle(h, &H::RevokePersonFeedToken)));
  r.AddRoute("DELETE", "/v1/feed-tokens/{token}", ctx.guarded(Handle(h, &H::RevokeFeedToken)));
  r.AddRoute("GET", "/v1/feeds/{token}", [h](HttpRequest req, RouteParams params, server::Respond respond) {
    HttpResponse res = h->ReadFeed(req, params);
    res.log_target = "/v1/feeds/{token}";  // the token is a credential: never in the access log
    respond(std::move(res));
  });
}

}  // namespace relais::api
