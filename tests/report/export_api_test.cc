// GET /v1/programmes/{id}/exports/{file} in process (Router, no sockets):
// the actions, indicators, milestones and history of a programme as CSV and
// XLSX, read back by an independent reader (Python's csv, openpyxl), in the
// caller's language, with only the actions the caller may read.
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/api/api_fixture.h"
#include "tests/programme/programme_fixture.h"
#include "tests/report/table_reader.h"

namespace relais::api {
namespace {

using namespace relais::api::testing;
using relais::programme::testing::CbeDefinition;
using relais::report::testing::ReadTable;
using ::testing::HasSubstr;

const std::string kExports = "/v1/programmes/sud-val-de-marnais/exports/";

class ExportApiTest : public ::testing::Test {
 protected:
  explicit ExportApiTest(api::ApiOptions config = TestApiConfig()) : h(config) {}

  void SetUp() override {
    auto r = h.Call("POST", "/v1/programmes", kScopedCoordinator, CbeDefinition().dump());
    ASSERT_EQ(r.status, 201) << r.body;
    r = h.Call("POST", "/v1/people", kCoordinator,
               R"({"id": "claire.dumas", "email": "claire.dumas@cbe.example", "first_name": "Claire",
                   "last_name": "Dumas"})");
    ASSERT_EQ(r.status, 201) << r.body;
    h.CreateOwnAndOther();  // "own" in this programme (Marc Lefort is its élu), "other" elsewhere
    Json formula = {{"id", "formule"},
                    {"workflow", "cbe_action"},
                    {"title", "=1+1 (titre saisi)"},
                    {"programme", kOwnProgramme},
                    {"axis", "3"},
                    {"partners", Json::array()},
                    {"planned_years", {{"mobilisation", 2004}}}};
    r = h.Call("POST", "/v1/projects", kCoordinator, formula.dump());
    ASSERT_EQ(r.status, 201) << r.body;
    // An action of the programme's plan, as a project (indicators are the plan's actions').
    h.CreateProject("aide-domicile", kOwnProgramme, {"anpe-orly"}, Json::array(), "2A");
    r = h.Call("POST", "/v1/programmes/sud-val-de-marnais/indicators", kCoordinator,
               R"({"action": "aide-domicile", "indicator": "jobs_created", "value": 2.5, "year": 2027})");
    ASSERT_EQ(r.status, 201) << r.body;
    ASSERT_TRUE(h.index.CatchUp().ok());
  }

  // The export's rows as the reader sees them (CSV: one sheet "csv").
  Json Rows(const server::HttpResponse& r, const std::string& extension, const std::string& sheet = "csv") {
    Json read = ReadTable(r.body, extension);
    if (!read.is_object()) return nullptr;
    return read["sheets"].value(sheet, Json());
  }

  static const Json* RowOf(const Json& rows, const std::string& id) {
    for (const Json& row : rows)
      if (!row.empty() && row[0] == id) return &row;
    return nullptr;
  }

  Harness h;
};

TEST_F(ExportApiTest, ACoordinatorExportsTheActionsAsCsvForFrenchSpreadsheets) {
  auto r = h.Call("GET", kExports + "actions.csv", kCoordinator);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(r.headers.Get("Content-Disposition"), "attachment; filename=\"sud-val-de-marnais-actions-2004-03-01.csv\"");
  Json read = ReadTable(r.body, "csv");
  ASSERT_TRUE(read.is_object()) << r.body;
  EXPECT_TRUE(read["bom"].get<bool>()) << "Excel reads the accents only with the byte order mark";
  EXPECT_TRUE(read["crlf"].get<bool>());
  const Json& rows = read["sheets"]["csv"];
  ASSERT_EQ(rows.size(), 4u) << r.body;  // header, aide-domicile, formule, own
  EXPECT_EQ(rows[0][0], "Identifiant");
  EXPECT_EQ(rows[0][4], "Phase");
  EXPECT_EQ(rows[0][8], "Années de retard");
  const Json* own = RowOf(rows, "own");
  ASSERT_NE(own, nullptr);
  EXPECT_EQ((*own)[1], "Action own");
  EXPECT_EQ((*own)[2], "2A");
  EXPECT_EQ((*own)[3], "Personnes âgées et dépendantes");
  EXPECT_EQ((*own)[4], "Mobilisation");
  EXPECT_EQ((*own)[6], "2003");
  EXPECT_EQ((*own)[7], "oui");
  EXPECT_EQ((*own)[8], "1") << "planned 2003, still there in 2004: one year late";
  EXPECT_EQ((*own)[9], "ccas-fresnes, anpe-orly");
  const Json* formula = RowOf(rows, "formule");
  ASSERT_NE(formula, nullptr);
  EXPECT_EQ((*formula)[1], "'=1+1 (titre saisi)") << "a typed title is never run as a formula";
  EXPECT_EQ((*formula)[7], "non");
  EXPECT_EQ((*formula)[8], "");
}

TEST_F(ExportApiTest, AnEluOfTheProgrammeExportsOnlyTheActionsTheyTakePartIn) {
  auto assigned = h.Call("POST", "/v1/programmes/sud-val-de-marnais/assignments", kCoordinator,
                         R"({"person": "person:marc.lefort", "role": "elu_referent", "axis": "2A",
                             "start": "2004-01-01", "end": "2006-12-31"})");
  ASSERT_EQ(assigned.status, 201) << assigned.body;
  auto r = h.Call("GET", kExports + "actions.csv", kElu);
  ASSERT_EQ(r.status, 200) << r.body;
  Json rows = Rows(r, "csv");
  ASSERT_EQ(rows.size(), 2u) << r.body;
  EXPECT_EQ(rows[1][0], "own");
  // Not in the programme: as if it did not exist.
  EXPECT_EQ(h.Call("GET", "/v1/programmes/nord-essonne/exports/actions.csv", kElu).status, 404);
}

TEST_F(ExportApiTest, WordsFollowTheCallersLanguage) {
  auto en = h.Call("GET", kExports + "actions.csv?lang=en", kCoordinator);
  ASSERT_EQ(en.status, 200) << en.body;
  Json rows = Rows(en, "csv");
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "Id");
  EXPECT_EQ(rows[0][8], "Years late");
  EXPECT_EQ((*RowOf(rows, "own"))[7], "yes");
  auto accept = h.Call("GET", kExports + "milestones.csv", kCoordinator, "", {{"Accept-Language", "en-GB, fr;q=0.5"}});
  ASSERT_EQ(accept.status, 200);
  Json milestones = Rows(accept, "csv");
  ASSERT_GE(milestones.size(), 2u);
  EXPECT_EQ(milestones[0][1], "Kind");
  EXPECT_EQ(h.Call("GET", kExports + "actions.csv?lang=de", kCoordinator).status, 400);
}

TEST_F(ExportApiTest, TheWholeProgrammeIsOneWorkbookWithNumbersAsNumbers) {
  auto r = h.Call("GET", kExports + "all.xlsx", kCoordinator);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(r.body.substr(0, 2), "PK") << "an XLSX is a zip";
  Json read = ReadTable(r.body, "xlsx");
  ASSERT_TRUE(read.is_object()) << "openpyxl could not read it";
  const Json& sheets = read["sheets"];
  ASSERT_EQ(sheets.size(), 4u) << sheets.dump();
  const Json& actions = sheets["Actions"];
  const Json* own = RowOf(actions, "own");
  ASSERT_NE(own, nullptr) << actions.dump();
  EXPECT_TRUE((*own)[6].is_number()) << "the planned year is a number: " << (*own)[6];
  EXPECT_EQ((*own)[6], 2003);
  EXPECT_EQ((*own)[8], 1);

  const Json& indicators = sheets["Indicateurs"];
  ASSERT_EQ(indicators.size(), 2u) << indicators.dump();
  EXPECT_EQ(indicators[0][3], "Indicateur");
  EXPECT_EQ(indicators[1][0], "aide-domicile");
  EXPECT_EQ(indicators[1][3], "jobs_created");
  EXPECT_EQ(indicators[1][4], 2027);
  EXPECT_DOUBLE_EQ(indicators[1][5].get<double>(), 2.5);

  // The yearly milestones of 2027-2029: the prize and the evaluation.
  const Json& milestones = sheets["Échéances"];
  ASSERT_EQ(milestones.size(), 7u) << milestones.dump();
  EXPECT_EQ(milestones[1][2], "Prix de l'innovation");
  EXPECT_EQ(milestones[1][5], "2027-11-22 10:00") << "20 November 2027 is a Saturday: the next working day";
  EXPECT_EQ(milestones[1][7], "prévue");

  // The history: every event of every action, oldest first per action.
  const Json& history = sheets["Historique"];
  size_t events = 0;
  for (const char* id : {"own", "formule", "aide-domicile"})
    events += Harness::Body(h.Call("GET", std::string("/v1/projects/") + id, kCoordinator))["version"].get<size_t>();
  ASSERT_EQ(history.size(), 1 + events);
  const Json* first = RowOf(history, "formule");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ((*first)[1], 1);
  EXPECT_EQ((*first)[4], "project_registered");
  EXPECT_EQ((*first)[5], "Claire Dumas") << "the author by name, not by subject";
}

TEST_F(ExportApiTest, AnUnknownExportIsRefusedNamingWhatExists) {
  auto r = h.Call("GET", kExports + "actions.pdf", kCoordinator);
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("expected actions, indicators, milestones or history, as .csv or .xlsx"));
  EXPECT_EQ(h.Call("GET", kExports + "all.csv", kCoordinator).status, 404) << "a CSV holds one table";
  EXPECT_EQ(h.Call("GET", kExports + "actions", kCoordinator).status, 404);
  EXPECT_EQ(h.Call("GET", "/v1/programmes/nowhere/exports/actions.csv", kCoordinator).status, 404);
  EXPECT_EQ(h.Call("GET", kExports + "actions.csv", "").status, 401);
}

// The network's export: every programme the caller sees, a first column
// naming each row's programme; a scoped coordinator gets theirs only.
TEST_F(ExportApiTest, TheNetworksExportNamesEachRowsProgramme) {
  Json other = programme::testing::CbeDefinition();
  other["id"] = kOtherProgramme;
  ASSERT_EQ(h.Call("POST", "/v1/programmes", kCoordinator, other.dump()).status, 201);
  auto r = h.Call("GET", "/v1/network/exports/actions.csv", kCoordinator);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.Get("Content-Disposition"), "attachment; filename=\"network-actions-2004-03-01.csv\"");
  Json rows = Rows(r, "csv");
  ASSERT_EQ(rows.size(), 5u) << r.body;  // header, 3 of sud-val-de-marnais, "other" of nord-essonne
  EXPECT_EQ(rows[0][0], "Programme");
  EXPECT_EQ(rows[0][1], "Identifiant");
  std::set<std::string> programmes;
  for (size_t i = 1; i < rows.size(); ++i)
    programmes.insert(rows[i][0].get<std::string>() + "/" + rows[i][1].get<std::string>());
  EXPECT_TRUE(programmes.count("nord-essonne/other")) << rows.dump();
  EXPECT_TRUE(programmes.count("sud-val-de-marnais/own")) << rows.dump();

  Json scoped = Rows(h.Call("GET", "/v1/network/exports/actions.csv", kScopedCoordinator), "csv");
  ASSERT_EQ(scoped.size(), 4u) << scoped.dump();
  for (size_t i = 1; i < scoped.size(); ++i) EXPECT_EQ(scoped[i][0], "sud-val-de-marnais");
  // An élu who sees no programme: the headers alone.
  Json none = Rows(h.Call("GET", "/v1/network/exports/actions.csv", kElu), "csv");
  ASSERT_EQ(none.size(), 1u) << none.dump();
  Json book = ReadTable(h.Call("GET", "/v1/network/exports/all.xlsx", kCoordinator).body, "xlsx");
  ASSERT_TRUE(book.is_object());
  EXPECT_EQ(book["sheets"].size(), 4u);
}

class SmallExportApiTest : public ExportApiTest {
 protected:
  static api::ApiOptions Small() {
    api::ApiOptions c = TestApiConfig();
    c.max_export_rows = 1;
    return c;
  }
  SmallExportApiTest() : ExportApiTest(Small()) {}
};

TEST_F(SmallExportApiTest, MoreRowsThanTheLimitIsRefusedAndNothingIsSent) {
  auto r = h.Call("GET", kExports + "history.csv", kCoordinator);
  EXPECT_EQ(r.status, 409);
  EXPECT_THAT(r.body, HasSubstr("api.max_export_rows"));
  auto actions = h.Call("GET", kExports + "actions.xlsx", kCoordinator);
  EXPECT_EQ(actions.status, 409);
  EXPECT_THAT(actions.body, HasSubstr("more than 1 rows (api.max_export_rows)"));
}

}  // namespace
}  // namespace relais::api
