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

  HttpResponse Export(const access::Principal& who, const HttpRequest& req, const RouteParams& params) {
    const std::string id = params.Get("id");
    auto scoped = scopes_.Programme(who, id, access::Verb::kRead);
    if (!scoped.ok()) return scoped.problem();
    std::string lang;
    if (auto p = ReadLang(req, &lang, /*follow_accept_language=*/true)) return *p;
    auto name = ParseExportName(params.Get("file"));
    if (!name)
      return MakeProblem(ProblemKind::kNotFound, "no export '" + params.Get("file") + "'; " + kExportsExpected);

    runtime::ProjectFilter filter;
    filter.programme = id;
    const TimePoint now = s_.clock.Now();
    runtime::ProjectPage all =
        s_.index.Query(filter, runtime::ProjectSort::kId, 0, std::numeric_limits<size_t>::max(), now);
    std::vector<runtime::Project> visible;
    for (runtime::Project& p : all.projects)
      if (!scopes_.CheckProject(who, p.info, access::Verb::kRead)) visible.push_back(std::move(p));
    const runtime::DefinitionLookup definitions = s_.projects.definitions();
    people::PeopleLookup people(people_);
    report::ProgrammeSource source{**scoped, visible, definitions, people, now, lang};

    std::vector<report::Table> tables;
    for (const std::string& table : {"actions", "indicators", "milestones", "history"}) {
      if (name->table != "all" && name->table != table) continue;
      if (table == "actions") tables.push_back(report::ActionsTable(source));
      if (table == "indicators") tables.push_back(report::IndicatorsTable(source));
      if (table == "milestones") tables.push_back(report::MilestonesTable(source));
      if (table == "history") {
        auto history = report::HistoryTable(source, s_.store, config_.max_export_rows);
        if (!history.ok()) {
          if (history.status().code() == StatusCode::kResourceExhausted)
            return MakeProblem(ProblemKind::kStateConflict, history.status().message());
          return server::ProblemFromStatus(history.status());
        }
        tables.push_back(std::move(*history));
      }
    }
    for (const report::Table& t : tables)
      if (t.rows.size() > config_.max_export_rows)
        return MakeProblem(
            ProblemKind::kStateConflict,
            t.name + ": more than " + std::to_string(config_.max_export_rows) + " rows (api.max_export_rows)");
    HttpResponse res;
    if (name->format == "csv") {
      res = server::TextResponse(200, report::WriteCsv(tables.front(), lang), std::string(kCsvType));
    } else {
      auto bytes = report::WriteXlsx(tables, std::filesystem::temp_directory_path().string());
      if (!bytes.ok()) return server::ProblemFromStatus(bytes.status());
      res = server::TextResponse(200, std::move(*bytes), std::string(kXlsxType));
    }
    const std::string day = (*scoped)->definition.time_zone.ToLocal(now).date.ToString();
    res.headers.Set("Content-Disposition",
                    "attachment; filename=\"" + id + "-" + name->table + "-" + day + "." + name->format + "\"");
    return res;
  }

 private:
  ApiServices& s_;
  people::PersonDirectory& people_;
  Scopes& scopes_;
  const ApiOptions& config_;
};

}  // namespace

void AddExportRoutes(RouteContext& ctx) {
  auto h = std::make_shared<ExportHandlers>(ctx.api);
  ctx.router.AddRoute("GET", "/v1/programmes/{id}/exports/{file}", ctx.guarded(Handle(h, &ExportHandlers::Export)));
}

}  // namespace relais::api
