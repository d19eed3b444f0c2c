// GET /v1/network: the programmes a caller sees, grouped by region, with
// their figures rolled up (actions per phase, late actions and by how many
// years, indicators, milestones): the view of a body that oversees many
// programmes (a regional platform, a national agency). Each programme names
// its dashboard page. Only the actions the caller may read are counted.
#include <map>

#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/api/language.h"

namespace relais::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::JsonResponse;
using server::RouteParams;

// What is summed at every level: a programme, a region, the whole network.
struct Figures {
  size_t programmes = 0;
  size_t actions = 0;
  std::map<std::string, size_t> phases;
  size_t late = 0;
  std::map<int, size_t> late_by_years;
  std::map<std::string, double> indicators;
  size_t scheduled = 0, held = 0, overdue = 0;

  void Add(const Figures& o) {
    programmes += o.programmes;
    actions += o.actions;
    for (const auto& [k, v] : o.phases) phases[k] += v;
    late += o.late;
    for (const auto& [k, v] : o.late_by_years) late_by_years[k] += v;
    for (const auto& [k, v] : o.indicators) indicators[k] += v;
    scheduled += o.scheduled;
    held += o.held;
    overdue += o.overdue;
  }

  Json ToJson() const {
    Json by_years = Json::object();
    for (const auto& [k, v] : late_by_years) by_years[std::to_string(k)] = v;
    return {{"programmes", programmes},
            {"actions", actions},
            {"phases", phases},
            {"late", late},
            {"late_by_years", by_years},
            {"indicators", indicators},
            {"milestones", {{"scheduled", scheduled}, {"held", held}, {"overdue", overdue}}}};
  }
};

class NetworkHandlers {
 public:
  explicit NetworkHandlers(Api& api) : s_(api.services()), scopes_(api.scopes()) {}

  HttpResponse Network(const access::Principal& who, const HttpRequest& req, const RouteParams&) {
    std::string lang;
    if (auto p = ReadLang(req, &lang, /*follow_accept_language=*/true)) return *p;
    auto seen = scopes_.SeenProgrammes(who);
    if (!seen.ok()) return seen.problem();
    const TimePoint now = s_.clock.Now();
    const runtime::DefinitionLookup definitions = s_.projects.definitions();
    std::map<std::string, std::pair<Figures, Json>> regions;  // region -> totals, programmes
    Json phase_labels = Json::object();
    Figures network;
    for (const programme::StatePtr& state : *seen) {
      const programme::ProgrammeState& p = *state;
      const std::string& id = p.definition.id;
      Figures f;
      f.programmes = 1;
      for (const runtime::Project& project : scopes_.SeenProjectsOf(who, id, now)) {
        ++f.actions;
        ++f.phases[project.state.phase];
        if (!phase_labels.contains(project.state.phase))
          if (const workflow::WorkflowDefinition* def = definitions(project.info.workflow_hash))
            if (const workflow::Phase* phase = def->FindPhase(project.state.phase))
              phase_labels[project.state.phase] = {{"fr", phase->labels.fr}, {"en", phase->labels.en}};
        if (auto years = project.LateByYears(definitions, now)) {
          ++f.late;
          ++f.late_by_years[*years];
        }
      }
      for (const auto& [name, value] : programme::IndicatorTotals(p)["programme"].items())
        if (value.is_number()) f.indicators[name] += value.get<double>();
      for (const auto& [mid, m] : p.milestones) {
        if (m.status == programme::MilestoneStatus::kHeld) ++f.held;
        if (m.status == programme::MilestoneStatus::kScheduled) {
          ++f.scheduled;
          if (m.overdue) ++f.overdue;
        }
      }
      Json j = f.ToJson();
      j["id"] = id;
      j["title"] = p.definition.title;
      j["territory"] = p.definition.territory;
      j["plan_years"] = p.definition.plan_years;
      j["link"] = "/ui/index.html#/programme/" + id;
      auto& [totals, list] = regions[p.definition.region];
      totals.Add(f);
      if (list.is_null()) list = Json::array();
      list.push_back(std::move(j));
      network.Add(f);
    }
    Json out = Json::array();
    for (auto& [region, entry] : regions) {
      Json r = {{"region", region.empty() ? Json(nullptr) : Json(region)},
                {"name", region.empty() ? (lang == "en" ? "No region given" : "Région non renseignée") : region},
                {"totals", entry.first.ToJson()},
                {"programmes", std::move(entry.second)}};
      out.push_back(std::move(r));
    }
    return JsonResponse(200, {{"regions", out}, {"totals", network.ToJson()}, {"phase_labels", phase_labels}});
  }

 private:
  ApiServices& s_;
  Scopes& scopes_;
};

}  // namespace

void AddNetworkRoutes(RouteContext& ctx) {
  auto h = std::make_shared<NetworkHandlers>(ctx.api);
  ctx.router.AddRoute("GET", "/v1/network", ctx.guarded(Handle(h, &NetworkHandlers::Network)));
}

}  // namespace relais::api
