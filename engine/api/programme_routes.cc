// /v1/programmes: programmes, people's terms, milestones (reviews, annual
// event, evaluation), indicators and iCalendar feeds; /v1/feeds/{token}: a
// private calendar feed read without a bearer token (calendar apps cannot
// send one): the unguessable, revocable token is the credential.
#include <cmath>
#include <variant>
#include <limits>

#include "engine/api/api.h"
#include "engine/api/api_problems.h"
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

HttpResponse NotEnabled() { return server::UnavailableProblem("programmes are not enabled on this server", 60); }

HttpResponse ProgrammeNotFound(const std::string& id) {
  return MakeProblem(ProblemKind::kNotFound, "no programme '" + id + "'");
}

// Who may read a programme: admins, observers, coordinators whose scope covers
// it, and anyone ever assigned in it.
bool CanSee(const Principal& who, const programme::ProgrammeState& state) {
  if (who.HasRole(kRoleAdmin) || who.HasRole(kRoleObserver)) return true;
  if (who.HasRole(kRoleCoordinator) && who.CoversProgramme(state.definition.id)) return true;
  for (const auto& [id, a] : state.assignments)
    if (a.person == who.subject) return true;
  return false;
}

bool Manages(const Principal& who, const std::string& programme_id) {
  return !who.IsReadOnly() && who.IsManager() && who.CoversProgramme(programme_id);
}

// The programme if the caller may see it; else the response to send.
std::variant<StatePtr, HttpResponse> Visible(ProgrammeService& service, const Principal& who, const std::string& id) {
  auto state = service.Get(id);
  if (!state.ok()) {
    if (state.status().code() == StatusCode::kNotFound) return ProgrammeNotFound(id);
    return server::ProblemFromStatus(state.status());
  }
  if (!CanSee(who, **state)) return ProgrammeNotFound(id);
  return *state;
}

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
  if (!date.ok()) return MakeProblem(ProblemKind::kBadRequest, std::string("'") + key + "': " + date.status().message());
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

Json ProgrammeJson(const programme::ProgrammeState& state) {
  Json assignments = Json::array();
  for (const auto& [id, a] : state.assignments) assignments.push_back(a.ToJson());
  size_t scheduled = 0, overdue = 0, held = 0;
  for (const auto& [id, m] : state.milestones) {
    if (m.status == programme::MilestoneStatus::kHeld) ++held;
    else if (m.status == programme::MilestoneStatus::kScheduled) ++scheduled;
    if (m.status == programme::MilestoneStatus::kScheduled && m.overdue) ++overdue;
  }
  return {{"definition", state.definition.ToJson()},
          {"version", state.version},
          {"assignments", assignments},
          {"vacancies", VacanciesOf(state)},
          {"milestones", {{"scheduled", scheduled}, {"held", held}, {"overdue", overdue}}},
          {"indicators", programme::IndicatorTotals(state)}};
}

std::string Lang(const HttpRequest& req) {
  auto lang = req.Query("lang");
  return lang && *lang == "en" ? "en" : "fr";
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
StatusOr<std::string> RenderFeed(ProgrammeService& service, const std::string& feed, const std::string& lang) {
  std::vector<StatePtr> states;
  std::string person, name;
  if (feed.rfind("programme:", 0) == 0) {
    RELAIS_ASSIGN_OR_RETURN(StatePtr state, service.Get(feed.substr(10)));
    name = state->definition.title.empty() ? state->definition.id : state->definition.title;
    states.push_back(std::move(state));
  } else if (feed.rfind("person:", 0) == 0) {
    person = feed.substr(7);
    RELAIS_ASSIGN_OR_RETURN(auto ids, service.ProgrammesOf(person));
    for (const std::string& id : ids) {
      RELAIS_ASSIGN_OR_RETURN(StatePtr state, service.Get(id));
      states.push_back(std::move(state));
    }
    name = (lang == "en" ? "Milestones of " : "Échéances de ") + person;
  } else {
    return NotFound("no such feed");
  }
  std::vector<programme::FeedEntry> entries;
  for (const StatePtr& state : states)
    for (const auto& [id, m] : state->milestones) {
      // A person's feed: their reviews, and the programme's own milestones
      // (annual event, evaluation) of the programmes they serve in.
      if (!person.empty() && m.person != person && !m.person.empty()) continue;
      entries.push_back({state.get(), &m});
    }
  return programme::RenderIcsFeed(name, entries, lang, service.options().public_url);
}

}  // namespace

void AddProgrammeRoutes(RouteContext& ctx) {
  Api& api = ctx.api;
  ApiServices& s = api.services();
  const server::ApiConfig& config = api.config();

  ctx.router.AddRoute("POST", "/v1/programmes", ctx.guarded([&s, &config](const Principal& who, const HttpRequest& req,
                                                                          const RouteParams&) {
    if (!s.programmes) return NotEnabled();
    Json body;
    if (auto problem = ReadJsonObject(req, config.max_json_depth, &body)) return *problem;
    auto definition = programme::ProgrammeDefinition::FromJson(body);
    if (!definition.ok()) return MakeProblem(ProblemKind::kBadRequest, definition.status().message());
    if (!Manages(who, definition->id))
      return Forbidden("only coordinators of programme '" + definition->id + "' and admins define it");
    auto state = s.programmes->Define(*definition, who.subject);
    if (!state.ok()) return server::ProblemFromStatus(state.status());
    HttpResponse res = JsonResponse(201, ProgrammeJson(**state));
    res.headers.Set("Location", "/v1/programmes/" + definition->id);
    return res;
  }));

  ctx.router.AddRoute("GET", "/v1/programmes", ctx.guarded([&s](const Principal& who, const HttpRequest&,
                                                                const RouteParams&) {
    if (!s.programmes) return NotEnabled();
    auto ids = s.programmes->List();
    if (!ids.ok()) return server::ProblemFromStatus(ids.status());
    Json items = Json::array();
    for (const std::string& id : *ids) {
      auto state = s.programmes->Get(id);
      if (!state.ok() || !CanSee(who, **state)) continue;
      const auto& def = (*state)->definition;
      items.push_back({{"id", def.id},
                       {"title", def.title},
                       {"plan_years", def.plan_years},
                       {"vacancies", VacanciesOf(**state)}});
    }
    return JsonResponse(200, {{"programmes", items}});
  }));

  ctx.router.AddRoute("GET", "/v1/programmes/{id}", ctx.guarded([&s](const Principal& who, const HttpRequest&,
                                                                     const RouteParams& params) {
    if (!s.programmes) return NotEnabled();
    auto visible = Visible(*s.programmes, who, params.Get("id"));
    if (auto* res = std::get_if<HttpResponse>(&visible)) return *res;
    return JsonResponse(200, ProgrammeJson(*std::get<StatePtr>(visible)));
  }));

  ctx.router.AddRoute("POST", "/v1/programmes/{id}/assignments", ctx.guarded([&s, &config](const Principal& who,
                                                                                           const HttpRequest& req,
                                                                                           const RouteParams& params) {
    if (!s.programmes) return NotEnabled();
    const std::string id = params.Get("id");
    auto visible = Visible(*s.programmes, who, id);
    if (auto* res = std::get_if<HttpResponse>(&visible)) return *res;
    if (!Manages(who, id)) return Forbidden("only the programme's coordinators and admins assign people");
    Json body;
    if (auto problem = ReadJsonObject(req, config.max_json_depth, &body)) return *problem;
    programme::AssignRequest assign;
    if (auto p = ReadString(body, "person", true, &assign.person)) return *p;
    if (auto p = ReadString(body, "role", true, &assign.role)) return *p;
    if (auto p = ReadString(body, "axis", false, &assign.axis)) return *p;
    if (auto p = ReadDate(body, "start", &assign.start)) return *p;
    if (auto p = ReadDate(body, "end", &assign.end)) return *p;
    auto assignment = s.programmes->Assign(id, assign, who.subject);
    if (!assignment.ok()) return server::ProblemFromStatus(assignment.status());
    return JsonResponse(201, assignment->ToJson());
  }));

  ctx.router.AddRoute("POST", "/v1/programmes/{id}/assignments/{assignment}/end",
                      ctx.guarded([&s](const Principal& who, const HttpRequest&, const RouteParams& params) {
                        if (!s.programmes) return NotEnabled();
                        const std::string id = params.Get("id");
                        auto visible = Visible(*s.programmes, who, id);
                        if (auto* res = std::get_if<HttpResponse>(&visible)) return *res;
                        if (!Manages(who, id)) return Forbidden("only the programme's coordinators and admins end terms");
                        auto ended = s.programmes->EndTerm(id, params.Get("assignment"), who.subject);
                        if (!ended.ok()) return server::ProblemFromStatus(ended.status());
                        return JsonResponse(200, ended->ToJson());
                      }));

  ctx.router.AddRoute("GET", "/v1/programmes/{id}/milestones", ctx.guarded([&s](const Principal& who,
                                                                               const HttpRequest& req,
                                                                               const RouteParams& params) {
    if (!s.programmes) return NotEnabled();
    auto visible = Visible(*s.programmes, who, params.Get("id"));
    if (auto* res = std::get_if<HttpResponse>(&visible)) return *res;
    const programme::ProgrammeState& state = *std::get<StatePtr>(visible);
    std::optional<bool> overdue;
    if (auto v = req.Query("overdue")) {
      if (*v != "true" && *v != "false")
        return MakeProblem(ProblemKind::kBadRequest, "query parameter 'overdue' must be true or false");
      overdue = *v == "true";
    }
    auto status = req.Query("status");
    if (status && *status != "scheduled" && *status != "held" && *status != "cancelled")
      return MakeProblem(ProblemKind::kBadRequest, "query parameter 'status' must be scheduled, held or cancelled");
    auto axis = req.Query("axis");
    auto person = req.Query("person");
    auto kind = req.Query("kind");
    const std::string lang = Lang(req);
    std::vector<const programme::Milestone*> list;
    for (const auto& [mid, m] : state.milestones) {
      if (axis && m.axis != *axis) continue;
      if (person && m.person != *person) continue;
      if (kind && m.kind != *kind) continue;
      if (status && programme::ToString(m.status) != *status) continue;
      if (overdue && (m.overdue && m.status == programme::MilestoneStatus::kScheduled) != *overdue) continue;
      list.push_back(&m);
    }
    std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->due < b->due || (a->due == b->due && a->id < b->id); });
    Json items = Json::array();
    for (const programme::Milestone* m : list) {
      Json j = m->ToJson();
      j["title"] = programme::MilestoneTitle(state, *m, lang);
      items.push_back(std::move(j));
    }
    return JsonResponse(200, {{"milestones", items}, {"total", items.size()}});
  }));

  ctx.router.AddRoute("POST", "/v1/programmes/{id}/milestones/{milestone}/held",
                      ctx.guarded([&s, &config](const Principal& who, const HttpRequest& req,
                                                const RouteParams& params) {
                        if (!s.programmes) return NotEnabled();
                        const std::string id = params.Get("id");
                        auto visible = Visible(*s.programmes, who, id);
                        if (auto* res = std::get_if<HttpResponse>(&visible)) return *res;
                        if (!Manages(who, id))
                          return Forbidden("only the programme's coordinators and admins record a review held");
                        Json body;
                        if (auto problem = ReadJsonObject(req, config.max_json_depth, &body)) return *problem;
                        std::string notes;
                        if (auto p = ReadString(body, "notes", false, &notes)) return *p;
                        Json decisions = body.value("decisions", Json::array());
                        if (!decisions.is_array())
                          return MakeProblem(ProblemKind::kBadRequest, "'decisions' must be a list");
                        auto held = s.programmes->RecordHeld(id, params.Get("milestone"), notes, decisions, who.subject);
                        if (!held.ok()) return server::ProblemFromStatus(held.status());
                        return JsonResponse(200, held->ToJson());
                      }));

  ctx.router.AddRoute("POST", "/v1/programmes/{id}/milestones/{milestone}/move",
                      ctx.guarded([&s, &config](const Principal& who, const HttpRequest& req,
                                                const RouteParams& params) {
                        if (!s.programmes) return NotEnabled();
                        const std::string id = params.Get("id");
                        auto visible = Visible(*s.programmes, who, id);
                        if (auto* res = std::get_if<HttpResponse>(&visible)) return *res;
                        if (!Manages(who, id)) return Forbidden("only the programme's coordinators and admins move milestones");
                        Json body;
                        if (auto problem = ReadJsonObject(req, config.max_json_depth, &body)) return *problem;
                        calendar::CivilDate date;
                        if (auto p = ReadDate(body, "date", &date)) return *p;
                        auto moved = s.programmes->Move(id, params.Get("milestone"), date, who.subject);
                        if (!moved.ok()) return server::ProblemFromStatus(moved.status());
                        return JsonResponse(200, moved->ToJson());
                      }));

  ctx.router.AddRoute("POST", "/v1/programmes/{id}/indicators", ctx.guarded([&s, &config](const Principal& who,
                                                                                          const HttpRequest& req,
                                                                                          const RouteParams& params) {
    if (!s.programmes) return NotEnabled();
    const std::string id = params.Get("id");
    auto visible = Visible(*s.programmes, who, id);
    if (auto* res = std::get_if<HttpResponse>(&visible)) return *res;
    if (!Manages(who, id)) return Forbidden("only the programme's coordinators and admins record indicators");
    Json body;
    if (auto problem = ReadJsonObject(req, config.max_json_depth, &body)) return *problem;
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
    auto recorded = s.programmes->RecordIndicator(id, action, indicator, value->get<double>(), year, who.subject);
    if (!recorded.ok()) return server::ProblemFromStatus(recorded.status());
    return JsonResponse(201, {{"action", recorded->action},
                              {"axis", recorded->axis},
                              {"indicator", recorded->indicator},
                              {"value", recorded->value},
                              {"year", recorded->year}});
  }));

  ctx.router.AddRoute("GET", "/v1/programmes/{id}/indicators", ctx.guarded([&s](const Principal& who,
                                                                               const HttpRequest& req,
                                                                               const RouteParams& params) {
    if (!s.programmes) return NotEnabled();
    auto visible = Visible(*s.programmes, who, params.Get("id"));
    if (auto* res = std::get_if<HttpResponse>(&visible)) return *res;
    auto year = QueryUint(req, "year", 0, 2200);
    if (year.problem) return *year.problem;
    return JsonResponse(200, programme::IndicatorTotals(*std::get<StatePtr>(visible), static_cast<int>(year.value)));
  }));

  ctx.router.AddRoute("GET", "/v1/programmes/{id}/calendar", ctx.guarded([&s](const Principal& who,
                                                                             const HttpRequest& req,
                                                                             const RouteParams& params) {
    if (!s.programmes) return NotEnabled();
    const std::string id = params.Get("id");
    auto visible = Visible(*s.programmes, who, id);
    if (auto* res = std::get_if<HttpResponse>(&visible)) return *res;
    auto text = RenderFeed(*s.programmes, "programme:" + id, Lang(req));
    if (!text.ok()) return server::ProblemFromStatus(text.status());
    return IcsResponse(std::move(*text));
  }));

  ctx.router.AddRoute("POST", "/v1/programmes/{id}/feed-tokens", ctx.guarded([&s](const Principal& who,
                                                                                 const HttpRequest&,
                                                                                 const RouteParams& params) {
    if (!s.programmes) return NotEnabled();
    const std::string id = params.Get("id");
    auto visible = Visible(*s.programmes, who, id);
    if (auto* res = std::get_if<HttpResponse>(&visible)) return *res;
    if (!Manages(who, id)) return Forbidden("only the programme's coordinators and admins issue its feed tokens");
    auto token = s.programmes->IssueFeedToken("programme:" + id);
    if (!token.ok()) return server::ProblemFromStatus(token.status());
    return JsonResponse(201, {{"token", *token}, {"feed", "programme:" + id}, {"url", "/v1/feeds/" + *token}});
  }));

  ctx.router.AddRoute("POST", "/v1/people/{person}/feed-tokens", ctx.guarded([&s](const Principal& who,
                                                                                 const HttpRequest&,
                                                                                 const RouteParams& params) {
    if (!s.programmes) return NotEnabled();
    const std::string person = params.Get("person");
    if (person != who.subject && !(who.IsManager() && !who.IsReadOnly()))
      return Forbidden("a person's feed token is issued to that person, a coordinator or an admin");
    auto token = s.programmes->IssueFeedToken("person:" + person);
    if (!token.ok()) return server::ProblemFromStatus(token.status());
    return JsonResponse(201, {{"token", *token}, {"feed", "person:" + person}, {"url", "/v1/feeds/" + *token}});
  }));

  ctx.router.AddRoute("DELETE", "/v1/feed-tokens/{token}", ctx.guarded([&s](const Principal& who, const HttpRequest&,
                                                                            const RouteParams& params) {
    if (!s.programmes) return NotEnabled();
    const std::string token = params.Get("token");
    auto feed = s.programmes->FeedOfToken(token);
    if (!feed.ok()) return server::ProblemFromStatus(feed.status());
    if (!*feed) return MakeProblem(ProblemKind::kNotFound, "no such feed token");
    const bool own = **feed == "person:" + who.subject;
    if (!own && !(who.IsManager() && !who.IsReadOnly()))
      return Forbidden("a feed token is revoked by its person, a coordinator or an admin");
    Status revoked = s.programmes->RevokeFeedToken(token);
    if (!revoked.ok()) return server::ProblemFromStatus(revoked);
    HttpResponse res;
    res.status = 204;
    return res;
  }));

  // No bearer token: the feed token is the credential. Reads only.
  ctx.router.AddRoute("GET", "/v1/feeds/{token}", [&s](HttpRequest req, RouteParams params, server::Respond respond) {
    if (!s.programmes) return respond(NotEnabled());
    auto feed = s.programmes->FeedOfToken(params.Get("token"));
    if (!feed.ok()) return respond(server::ProblemFromStatus(feed.status()));
    if (!*feed) return respond(MakeProblem(ProblemKind::kNotFound, "no such calendar feed (unknown or revoked token)"));
    auto text = RenderFeed(*s.programmes, **feed, Lang(req));
    if (!text.ok()) return respond(server::ProblemFromStatus(text.status()));
    respond(IcsResponse(std::move(*text)));
  });
}

}  // namespace relais::api
