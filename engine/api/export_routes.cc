// GET /v1/programmes/{id}/exports/{file}: a programme as a spreadsheet
// (docs/api.md, Exports). file is <table>.<format>: table is actions,
// indicators, milestones or history (all: the four as sheets of one XLSX);
// format is csv (UTF-8 with BOM, ';', for French spreadsheets) or xlsx. Rows
// are those the caller may read; words in ?lang= or the Accept-Language.
#include <filesystem>
#include <limits>

#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/api/language.h"
#include "engine/report/csv_writer.h"
#include "engine/report/programme_tables.h"
#include "engine/report/xlsx_writer.h"

namespace relais::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::MakeProblem;
using server::ProblemKind;
using server::RouteParams;

constexpr std::string_view kCsvType = "text/csv; charset=utf-8";
constexpr std::string_view kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
constexpr const char* kExportsExpected =
    "expected actions, indicators, milestones or history, as .csv or .xlsx (or all.xlsx)";

struct ExportName {
  std::string table;   // actions, indicators, milestones, history, all
  std::string format;  // csv, xlsx
};

std::optional<ExportName> ParseExportName(const std::string& file) {
  const size_t dot = file.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  ExportName n{file.substr(0, dot), file.substr(dot + 1)};
  if (n.format != "csv" && n.format != "xlsx") return std::nullopt;
  if (n.table == "all") return n.format == "xlsx" ? std::optional(n) : std::nullopt;
  if (n.table != "actions" && n.table != "indicators" && n.table != "milestones" && n.table != "history")
    return std::nullopt;
  return n;
}

class ExportHandlers {
 public:
  explicit ExportHandlers(Api& api)
      : s_(api.services()), people_(api.people()), scopes_(api.scopes()), config_(api.config()) {}

  // One programme's tables.
  HttpResponse Programme(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
    const std::string id = params.Get("id");
    auto scoped = scopes_.Programme(who, id, access::Verb::kRead);
    if (!scoped.ok()) return scoped.problem();
    return Export(who, req, params.Get("file"), {*scoped}, id, /*programme_column=*/false);
  }

  // Every programme the caller sees, each row naming its programme.
  HttpResponse Network(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
    auto seen = scopes_.SeenProgrammes(who);
    if (!seen.ok()) return seen.problem();
    return Export(who, req, params.Get("file"), *seen, "network", /*programme_column=*/true);
  }

 private:
  HttpResponse Export(const access::Principal& who, const HttpRequest& req, const std::string& file,
                      const std::vector<programme::StatePtr>& programmes, const std::string& file_prefix,
                      bool programme_column) {
    std::string lang;
    if (auto p = ReadLang(req, &lang, /*follow_accept_language=*/true)) return *p;
    auto name = ParseExportName(file);
    if (!name) return MakeProblem(ProblemKind::kNotFound, "no export '" + file + "'; " + kExportsExpected);
    const TimePoint now = s_.clock.Now();
    const runtime::DefinitionLookup definitions = s_.projects.definitions();
    people::PeopleLookup people(people_);
    // One table per table asked, the programmes' rows together (the headers
    // alone when there is no programme).
    const programme::ProgrammeState none{};
    std::vector<const programme::ProgrammeState*> sources;
    for (const programme::StatePtr& state : programmes) sources.push_back(state.get());
    if (sources.empty()) sources.push_back(&none);
    std::vector<report::Table> tables;
    for (const programme::ProgrammeState* state : sources) {
      const std::vector<runtime::Project> visible =
          state == &none ? std::vector<runtime::Project>{} : scopes_.SeenProjectsOf(who, state->definition.id, now);
      report::ProgrammeSource source{*state, visible, definitions, people, now, lang};
      size_t at = 0;
      for (const std::string_view table : {"actions", "indicators", "milestones", "history"}) {
        if (name->table != "all" && name->table != table) continue;
        report::Table t;
        if (table == "actions") t = report::ActionsTable(source);
        if (table == "indicators") t = report::IndicatorsTable(source);
        if (table == "milestones") t = report::MilestonesTable(source);
        if (table == "history") {
          auto history = report::HistoryTable(source, s_.store, config_.max_export_rows);
          if (!history.ok()) {
            if (history.status().code() == StatusCode::kResourceExhausted)
              return MakeProblem(ProblemKind::kStateConflict, history.status().message());
            return server::ProblemFromStatus(history.status());
          }
          t = std::move(*history);
        }
        if (programme_column) report::PrependColumn(t, "Programme", state->definition.id);
        if (at == tables.size())
          tables.push_back(std::move(t));
        else
          report::AppendRows(tables[at], std::move(t));
        if (tables[at].rows.size() > config_.max_export_rows)
          return MakeProblem(ProblemKind::kStateConflict, tables[at].name + ": more than " +
                                                              std::to_string(config_.max_export_rows) +
                                                              " rows (api.max_export_rows)");
        ++at;
      }
    }
    return Respond(tables, lang, *name, file_prefix, sources.front()->definition.time_zone.ToLocal(now).date);
  }

  HttpResponse Respond(const std::vector<report::Table>& tables, const std::string& lang, const ExportName& name,
                       const std::string& file_prefix, const calendar::CivilDate& day) {
    HttpResponse res;
    if (name.format == "csv") {
      res = server::TextResponse(200, report::WriteCsv(tables.front(), lang), std::string(kCsvType));
    } else {
      auto bytes = report::WriteXlsx(tables, std::filesystem::temp_directory_path().string());
      if (!bytes.ok()) return server::ProblemFromStatus(bytes.status());
      res = server::TextResponse(200, std::move(*bytes), std::string(kXlsxType));
    }
    res.headers.Set("Content-Disposition", "attachment; filename=\"" + file_prefix + "-" + name.table + "-" +
                                               day.ToString() + "." + name.format + "\"");
    return res;
  }

  ApiServices& s_;
  people::PersonDirectory& people_;
  Scopes& scopes_;
  const ApiOptions& config_;
};

}  // namespace

void AddExportRoutes(RouteContext& ctx) {
  auto h = std::make_shared<ExportHandlers>(ctx.api);
  ctx.router.AddRoute("GET", "/v1/programmes/{id}/exports/{file}", ctx.guarded(Handle(h, &ExportHandlers::Programme)));
  ctx.router.AddRoute("GET", "/v1/network/exports/{file}", ctx.guarded(Handle(h, &ExportHandlers::Network)));
}

}  // namespace relais::api
