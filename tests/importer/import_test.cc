// relais import's engine side on a real RocksDB store, through the same host
// as `relais serve`: the Sud Val-de-Marnais example imports whole, a second
// import writes nothing, and bad files or differences write nothing either.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/calendar/time_zone.h"
#include "engine/cli/runtime_host.h"
#include "engine/importer/importer.h"
#include "engine/programme/review_placement.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace relais::importer {
namespace {

namespace fs = std::filesystem;
using relais::testing::IsOk;
using relais::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kExample = std::string(RELAIS_SOURCE_DIR) + "/examples/sud-val-de-marnais";

Json ReadJson(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

void WriteJson(const std::string& path, const Json& j) { std::ofstream(path) << j.dump(2); }

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.Sub("relais.yaml"))
        << "data_dir: " << dir_.Sub("data") << "\nworkflows_dir: " << RELAIS_SOURCE_DIR << "/workflows\n"
        << "webhooks:\n  allowed_ranges: [127.0.0.1/32]\n";
    auto config = cli::LoadConfigFile(dir_.Sub("relais.yaml"));
    ASSERT_TRUE(config.ok()) << config.status();
    config_ = *config;
    auto host = cli::RuntimeHost::Open(config_, true);
    ASSERT_TRUE(host.ok()) << host.status();
    host_ = std::move(host).value();
    partners_ = std::make_unique<partners::PartnerDirectory>(host_->store());
    people_ = std::make_unique<people::PersonDirectory>(host_->store());
    options_.today = calendar::TimeZone::Find("Europe/Paris")->ToLocal(host_->clock().Now()).date;
    options_.max_term_years = static_cast<int>(config_.programmes.max_term_years);
  }

  // A copy of the example that a test may spoil.
  std::string CopyOfExample() {
    const std::string copy = dir_.Sub("example");
    fs::copy(kExample, copy, fs::copy_options::recursive);
    return copy;
  }

  StatusOr<ImportReport> ImportDirAs(const std::string& dir, const access::Principal& who, bool dry_run = false) {
    RELAIS_ASSIGN_OR_RETURN(ImportSet set, ReadImportSet(dir, options_));
    ImportTargets targets{host_->registry(), host_->projects(), host_->programmes(), host_->webhooks(),
                          *partners_,        host_->index(),    people_.get()};
    return Import(set, targets, who, dry_run);
  }
  StatusOr<ImportReport> ImportDir(const std::string& dir, bool dry_run = false) {
    return ImportDirAs(dir, {"system:import", {"admin"}, "", {}}, dry_run);
  }

  static const KindCount& Kind(const ImportReport& r, const std::string& kind) {
    for (const KindCount& k : r.kinds)
      if (k.kind == kind) return k;
    static const KindCount kNone{"(missing)", 0, 0};
    ADD_FAILURE() << "no kind " << kind << " in the report";
    return kNone;
  }

  relais::testing::TempDir dir_;
  cli::RelaisConfig config_;
  std::unique_ptr<cli::RuntimeHost> host_;
  std::unique_ptr<partners::PartnerDirectory> partners_;
  std::unique_ptr<people::PersonDirectory> people_;
  ImportOptions options_;
};

TEST_F(ImportTest, TheExampleImportsWholeAndMatchesItsFiles) {
  const Json programme = ReadJson(kExample + "/programme.json");
  const Json partners = ReadJson(kExample + "/partners.json");
  const Json webhooks = ReadJson(kExample + "/webhooks.json");
  const Json assignments = ReadJson(kExample + "/assignments.json");
  const Json projects = ReadJson(kExample + "/projects.json");

  auto report = ImportDir(kExample);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(Kind(*report, "programme").created, 1u);
  EXPECT_EQ(Kind(*report, "partners").created, partners["partners"].size());
  EXPECT_EQ(Kind(*report, "webhook endpoints").created, webhooks["endpoints"].size());
  EXPECT_EQ(Kind(*report, "assignments").created, assignments["assignments"].size());
  EXPECT_EQ(Kind(*report, "projects").created, projects["projects"].size());

  auto state = host_->programmes().Get("sud-val-de-marnais");
  ASSERT_TRUE(state.ok()) << state.status();
  const programme::ProgrammeState& s = **state;
  EXPECT_EQ(s.definition.territory.size(), 6u);
  EXPECT_EQ(s.definition.region, "Île-de-France");
  EXPECT_EQ(s.definition.axes.size(), programme["axes"].size());
  EXPECT_EQ(s.definition.actions.size(), programme["actions"].size());
  EXPECT_EQ(s.assignments.size(), assignments["assignments"].size());
  for (const auto& [id, a] : s.assignments) EXPECT_TRUE(a.active) << a.person;
  size_t reviews = 0;
  for (const auto& [id, m] : s.milestones) reviews += m.kind == "review";
  EXPECT_GT(reviews, 0u) << "the élus' terms start at import: their reviews are ahead";

  auto stored_partners = partners_->List("", 1000);
  ASSERT_TRUE(stored_partners.ok());
  EXPECT_EQ(stored_partners->size(), partners["partners"].size());
  EXPECT_EQ(host_->webhooks().endpoints().List("", "", 1000).size(), webhooks["endpoints"].size());

  for (const Json& p : projects["projects"]) {
    auto project = host_->projects().Load(p["id"].get<std::string>());
    ASSERT_TRUE(project.ok()) << p["id"] << ": " << project.status();
    EXPECT_EQ(project->state.phase, p["initial_phase"].get<std::string>()) << p["id"];
    EXPECT_EQ(project->info.programme, "sud-val-de-marnais");
    EXPECT_EQ(project->info.partners.size(), p["partners"].size()) << p["id"];
    EXPECT_EQ(project->info.members.size(), p["members"].size()) << p["id"];
  }
  // Planned years come from the programme's action, under the workflow's keys.
  auto portage = host_->projects().Load("2a-portage-repas");
  ASSERT_TRUE(portage.ok());
  // The example's plan (import.json: from_import_year) starts in the import year.
  const int shift = options_.today.year - 2003;
  EXPECT_EQ(report->plan_shift_years, shift);
  EXPECT_EQ(portage->info.planned_years,
            (std::map<std::string, int>{{"faisabilite", 2003 + shift}, {"montage", 2004 + shift}}));
  EXPECT_EQ(portage->info.axis, "2A");
}

// import.json "from_import_year": the plan moves as a whole so that its first
// year is the import day's; every planned year keeps its distance.
TEST_F(ImportTest, ARelativePlanIsPlacedFromTheImportDay) {
  options_.today = {2031, 3, 10};
  auto report = ImportDir(kExample);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->plan_relative);
  EXPECT_EQ(report->plan_shift_years, 28);
  EXPECT_EQ(report->plan_years, (std::vector<int>{2031, 2032, 2033}));
  EXPECT_THAT(FormatReport(*report),
              HasSubstr("plan years placed from the import year: 2031-2033 (as written + 28 years)"));
  auto stored = host_->programmes().Get("sud-val-de-marnais");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ((*stored)->definition.plan_years, (std::vector<int>{2031, 2032, 2033}));
  auto portage = host_->projects().Load("2a-portage-repas");
  ASSERT_TRUE(portage.ok());
  EXPECT_EQ(portage->info.planned_years, (std::map<std::string, int>{{"faisabilite", 2031}, {"montage", 2032}}));
  auto parcs = host_->projects().Load("1-besoins-salaries-parcs");
  ASSERT_TRUE(parcs.ok());
  EXPECT_EQ(parcs->info.planned_years,
            (std::map<std::string, int>{{"mobilisation", 2031}, {"faisabilite", 2033}, {"montage", 2033}}));
}

// A re-import in a later year finds the plan where the first import placed
// it: nothing differs, nothing is written.
TEST_F(ImportTest, ARelativePlanImportedAgainALaterYearStaysWhereItWasPlaced) {
  options_.today = {2030, 12, 20};
  ASSERT_TRUE(ImportDir(kExample).ok());
  const uint64_t position = host_->store().LastPosition();
  options_.today = {2031, 1, 15};
  auto again = ImportDir(kExample);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->plan_years, (std::vector<int>{2030, 2031, 2032}));
  EXPECT_EQ(Kind(*again, "programme").present, 1u);
  EXPECT_EQ(Kind(*again, "projects").present, 22u);
  EXPECT_EQ(host_->store().LastPosition(), position);
}

// Without import.json (or with "as_written") the years are the files'.
TEST_F(ImportTest, APlanAsWrittenKeepsItsYears) {
  const std::string dir = CopyOfExample();
  std::ofstream(dir + "/import.json") << R"({"plan_years": "as_written"})";
  options_.today = {2031, 3, 10};
  auto report = ReadImportSet(dir, options_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->programme.plan_years, (std::vector<int>{2003, 2004, 2005}));
  fs::remove(dir + "/import.json");
  auto without = ReadImportSet(dir, options_);
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_FALSE(without->plan_relative);
  EXPECT_EQ(without->programme.plan_years, (std::vector<int>{2003, 2004, 2005}));

  std::ofstream(dir + "/import.json") << R"({"plan_years": "today", "extra": 1})";
  auto bad = ReadImportSet(dir, options_);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("import.json: plan_years: expected \"as_written\" or \"from_import_year\", found \"today\""));
  EXPECT_THAT(bad.status().message(),
              HasSubstr("import.json: (top).extra: unknown member; expected one of plan_years"));
}

// people.json names every person the assignments and members name; the
// directory then names them on pages, in calendars and payloads.
TEST_F(ImportTest, TheExamplesPeopleAreImportedWithTheirNames) {
  const Json people = ReadJson(kExample + "/people.json");
  auto report = ImportDir(kExample);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(Kind(*report, "people").created, people["people"].size());
  auto listed = people_->List("", 1000);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), people["people"].size());
  auto nadia = people_->Get("nadia.benali@ville-lhay-les-roses.example");
  ASSERT_TRUE(nadia.ok()) << nadia.status();
  EXPECT_EQ(people::DisplayName(*nadia), "Mme Nadia Benali");
  EXPECT_EQ(nadia->partner, "ville-lhay-les-roses");
  EXPECT_EQ(nadia->email, nadia->id);
  EXPECT_FALSE(nadia->organisation.empty());
  EXPECT_FALSE(nadia->function.empty());
  // Every person an assignment or a member names has a name.
  auto state = host_->programmes().Get("sud-val-de-marnais");
  ASSERT_TRUE(state.ok());
  for (const auto& [id, a] : (*state)->assignments) {
    auto p = people_->Get(a.person);
    ASSERT_TRUE(p.ok()) << a.person;
    EXPECT_FALSE(p->first_name.empty() || p->last_name.empty() || p->civility.empty()) << a.person;
  }
  for (const Json& project : ReadJson(kExample + "/projects.json")["projects"])
    for (const Json& m : project["members"]) EXPECT_TRUE(people_->Get(m["subject"]).ok()) << m;
}

TEST_F(ImportTest, APersonNamedButMissingFromPeopleJsonIsAProblemAndWithoutTheFileNoneIsChecked) {
  const std::string dir = CopyOfExample();
  Json people = ReadJson(dir + "/people.json");
  const std::string gone = people["people"][4]["id"];
  people["people"].erase(4);
  people["people"][0]["partner"] = "no-such-partner";
  people["people"][1]["civility"] = "Dr";
  WriteJson(dir + "/people.json", people);
  auto report = ImportDir(dir);
  ASSERT_THAT(report, StatusIs(StatusCode::kInvalidArgument));
  const std::string& m = report.status().message();
  EXPECT_THAT(m, HasSubstr("assignments.json: assignments[4].person: no person '" + gone + "' in people.json"));
  EXPECT_THAT(m, HasSubstr(".members[0].subject: no person '" + gone + "' in people.json"));
  EXPECT_THAT(m, HasSubstr("people.json: people[0].partner: no partner 'no-such-partner' in partners.json"));
  EXPECT_THAT(m, HasSubstr("people.json: people[1]: 'civility': expected \"Mme\", \"M.\" or \"\""));
  EXPECT_EQ(people_->List("", 10)->size(), 0u);

  // Without people.json the import works as before: people stay bare ids.
  std::filesystem::remove(dir + "/people.json");
  auto plain = ImportDir(dir);
  ASSERT_TRUE(plain.ok()) << plain.status();
  for (const KindCount& k : plain->kinds) EXPECT_NE(k.kind, "people");
  EXPECT_EQ(people_->List("", 10)->size(), 0u);
}

TEST_F(ImportTest, ANameChangedInTheStoreIsADifferenceNotOverwritten) {
  ASSERT_THAT(ImportDir(kExample), IsOk());
  people::PersonFields renamed;
  renamed.last_name = "Benali-Martin";
  ASSERT_THAT(people_->Update("nadia.benali@ville-lhay-les-roses.example", renamed).status(), IsOk());
  auto again = ImportDir(kExample);
  ASSERT_THAT(again, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(again.status().message(),
              HasSubstr("people.json: people[4].last_name: the store has \"Benali-Martin\", the file has \"Benali\""));
  EXPECT_EQ(people_->Get("nadia.benali@ville-lhay-les-roses.example")->last_name, "Benali-Martin");
}

// Issue 16 §5: after the import, read back from the store on disk, no person
// (the coordinator attends every review) has two reviews at the same time,
// nor more than the daily maximum, and each lies in working hours.
TEST_F(ImportTest, TheExamplesReviewsNeverCollideForAnyPerson) {
  auto report = ImportDir(kExample);
  ASSERT_TRUE(report.ok()) << report.status();
  host_.reset();  // reopen: what is checked is what the store holds
  auto host = cli::RuntimeHost::Open(config_, true);
  ASSERT_TRUE(host.ok()) << host.status();
  host_ = std::move(host).value();
  auto state = host_->programmes().Get("sud-val-de-marnais");
  ASSERT_TRUE(state.ok()) << state.status();
  const programme::ProgrammeState& s = **state;
  const programme::SlotRules rules = host_->programmes().SlotRulesOf(s.definition);
  const auto cal = programme::CalendarOf(s.definition);
  struct Slot {
    int start, end;
    std::string id;
  };
  std::map<std::string, std::map<calendar::CivilDate, std::vector<Slot>>> diary;
  std::set<std::string> instants;
  size_t reviews = 0;
  for (const auto& [id, m] : s.milestones) {
    if (m.status != programme::MilestoneStatus::kScheduled) continue;
    const int start = programme::MinuteOfDay(m.at);
    const int end = start + (m.duration_minutes > 0 ? m.duration_minutes : rules.duration_minutes);
    if (m.kind == "review") {
      ++reviews;
      instants.insert(m.at.date.ToString() + "T" + std::to_string(start));
      EXPECT_TRUE(cal.IsWorkingDay(m.at.date)) << id;
      EXPECT_TRUE(std::any_of(rules.windows.begin(), rules.windows.end(),
                              [&](const programme::WorkingWindow& w) { return w.start <= start && end <= w.end; }))
          << id << " at " << m.at.hour << ":" << m.at.minute;
    }
    for (const std::string& person : s.NotifyFor(m)) diary[person][m.at.date].push_back({start, end, id});
  }
  EXPECT_EQ(reviews, 54u) << "six élus, 9 reviews each over a 3-year term";
  EXPECT_EQ(instants.size(), reviews) << "the coordinator attends all: every review has its own time";
  for (auto& [person, days] : diary)
    for (auto& [day, slots] : days) {
      EXPECT_LE(static_cast<int>(slots.size()), rules.max_per_day) << person << " on " << day.ToString();
      std::sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.start < b.start; });
      for (size_t i = 1; i < slots.size(); ++i)
        EXPECT_LE(slots[i - 1].end, slots[i].start)
            << person << " on " << day.ToString() << ": " << slots[i - 1].id << " overlaps " << slots[i].id;
    }
}

TEST_F(ImportTest, ImportingTwiceAppendsNothingAndReportsEverythingPresent) {
  auto first = ImportDir(kExample);
  ASSERT_TRUE(first.ok()) << first.status();
  const uint64_t position = host_->store().LastPosition();
  auto second = ImportDir(kExample);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(host_->store().LastPosition(), position);
  ASSERT_EQ(second->kinds.size(), first->kinds.size());
  for (size_t i = 0; i < first->kinds.size(); ++i) {
    EXPECT_EQ(second->kinds[i].created, 0u) << second->kinds[i].kind;
    EXPECT_EQ(second->kinds[i].present, first->kinds[i].created) << second->kinds[i].kind;
  }
  EXPECT_EQ(host_->webhooks().endpoints().List("", "", 1000).size(),
            ReadJson(kExample + "/webhooks.json")["endpoints"].size());
}

TEST_F(ImportTest, ADryRunCountsAndWritesNothing) {
  const uint64_t position = host_->store().LastPosition();
  auto report = ImportDir(kExample, /*dry_run=*/true);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(Kind(*report, "projects").created, ReadJson(kExample + "/projects.json")["projects"].size());
  EXPECT_EQ(host_->store().LastPosition(), position);
  EXPECT_EQ(partners_->List("", 10)->size(), 0u);
}

// The importer asks the Authorizer as the API does: a coordinator of
// another programme may register partners, but not define this programme,
// assign in it, create its actions or register endpoints of its partners;
// every refusal is listed before the first write, and nothing is written.
TEST_F(ImportTest, ACoordinatorOfAnotherProgrammeIsRefusedEveryWriteOutsideTheirScopeAndNothingIsWritten) {
  const uint64_t position = host_->store().LastPosition();
  auto report = ImportDirAs(kExample, {"coord@other.example", {"coordinator"}, "", {"other-prog"}});
  ASSERT_THAT(report, StatusIs(StatusCode::kInvalidArgument, HasSubstr("nothing was written")));
  const std::string& m = report.status().message();
  EXPECT_THAT(m, HasSubstr("programme.json: coord@other.example may not define programme 'sud-val-de-marnais' "
                           "(only coordinators of programme 'sud-val-de-marnais' and admins define it)"));
  EXPECT_THAT(m, HasSubstr("may not assign people in programme 'sud-val-de-marnais'"));
  EXPECT_THAT(m, HasSubstr("projects.json: projects[0]: coord@other.example may not create action"));
  EXPECT_THAT(m, HasSubstr("(programme 'sud-val-de-marnais' is not one of yours)"));
  EXPECT_THAT(m, HasSubstr("may not register a webhook endpoint of partner"));
  EXPECT_THAT(m, HasSubstr("(it is outside their scope)"));
  EXPECT_THAT(m, Not(HasSubstr("may not register partner"))) << "any coordinator registers partners";
  EXPECT_EQ(host_->store().LastPosition(), position);
  EXPECT_EQ(partners_->List("", 10)->size(), 0u);
}

TEST_F(ImportTest, AnObserverMayNotImportAndACoordinatorOfTheProgrammeMay) {
  auto observer = ImportDirAs(kExample, {"obs@example", {"observer"}, "", {}}, /*dry_run=*/true);
  ASSERT_THAT(observer, StatusIs(StatusCode::kInvalidArgument, HasSubstr("obs@example may not register partner")));
  EXPECT_THAT(observer.status().message(), HasSubstr("observers may only read"));
  auto coordinator = ImportDirAs(kExample, {"claire@example", {"coordinator"}, "", {"sud-val-de-marnais"}});
  ASSERT_THAT(coordinator, IsOk());
  EXPECT_EQ(Kind(*coordinator, "projects").created, ReadJson(kExample + "/projects.json")["projects"].size());
  auto events = host_->store().ReadStream(runtime::ProjectStream("2a-portage-repas"), 1, 10);
  ASSERT_THAT(events, IsOk());
  ASSERT_FALSE(events->empty());
  EXPECT_EQ(events->front().metadata.actor, "claire@example") << "the importer is the recorded actor";
}

TEST_F(ImportTest, AMalformedFileNamesFileAndFieldAndWritesNothing) {
  const std::string dir = CopyOfExample();
  Json assignments = ReadJson(dir + "/assignments.json");
  assignments["assignments"][2]["axis"] = "9";
  WriteJson(dir + "/assignments.json", assignments);
  Json partners = ReadJson(dir + "/partners.json");
  partners["partners"][1].erase("name");
  WriteJson(dir + "/partners.json", partners);
  const uint64_t position = host_->store().LastPosition();

  auto report = ImportDir(dir);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(report.status().message(), HasSubstr("assignments.json: assignments[2].axis: no axis '9'"));
  EXPECT_THAT(report.status().message(), HasSubstr("partners.json: partners[1].name: is required"));
  EXPECT_EQ(host_->store().LastPosition(), position);
  EXPECT_EQ(partners_->List("", 10)->size(), 0u);
}

TEST_F(ImportTest, WhatOnlyTheStoreCanCheckIsCheckedBeforeTheFirstWrite) {
  const std::string dir = CopyOfExample();
  Json projects = ReadJson(dir + "/projects.json");
  projects["projects"][3]["initial_phase"] = "portage_direct";
  WriteJson(dir + "/projects.json", projects);
  Json programme = ReadJson(dir + "/programme.json");
  programme["actions"][4]["planned_years"]["etude"] = 2003;  // the workflow plans étude under 'faisabilite'
  WriteJson(dir + "/programme.json", programme);
  const uint64_t position = host_->store().LastPosition();

  auto report = ImportDir(dir);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(report.status().message(),
              HasSubstr("projects.json: projects[3].initial_phase: workflow cbe_action cannot start a project in "
                        "'portage_direct'; expected one of"));
  EXPECT_THAT(report.status().message(),
              HasSubstr("programme.json: programme.actions[4].planned_years.etude: workflow cbe_action has no phase "
                        "planned under 'etude'; expected one of mobilisation, faisabilite, montage, portage"));
  EXPECT_EQ(host_->store().LastPosition(), position);
  EXPECT_EQ(partners_->List("", 10)->size(), 0u);
}

TEST_F(ImportTest, AReceiverAddressTheSsrfGuardRefusesIsAProblem) {
  const std::string dir = CopyOfExample();
  options_.webhook_base_url = "http://10.1.2.3:8090";  // private, and not in allowed_ranges
  auto report = ImportDir(dir);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("webhooks.json: endpoints[0].path: url http://10.1.2.3:8090/"));
  EXPECT_EQ(partners_->List("", 10)->size(), 0u);
}

TEST_F(ImportTest, ADifferenceWithTheStoreIsReportedNotOverwritten) {
  ASSERT_TRUE(ImportDir(kExample).ok());
  const std::string dir = CopyOfExample();
  Json partners = ReadJson(dir + "/partners.json");
  const std::string stored_name = partners["partners"][0]["name"];
  partners["partners"][0]["name"] = "Mairie (nouveau nom)";
  WriteJson(dir + "/partners.json", partners);
  Json programme = ReadJson(dir + "/programme.json");
  programme["title"] = "Autre titre";
  WriteJson(dir + "/programme.json", programme);
  const uint64_t position = host_->store().LastPosition();

  auto report = ImportDir(dir);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(report.status().message(), HasSubstr("partners.json: partners[0].name: the store has"));
  EXPECT_THAT(report.status().message(), HasSubstr("programme.json: programme.title: the store has"));
  EXPECT_EQ(host_->store().LastPosition(), position);
  auto partner = partners_->Get(partners["partners"][0]["id"]);
  ASSERT_TRUE(partner.ok());
  EXPECT_EQ(partner->name, stored_name);
}

TEST_F(ImportTest, TermsStartingAtImportAreComparedByLengthOnALaterImport) {
  ASSERT_TRUE(ImportDir(kExample).ok());
  const uint64_t position = host_->store().LastPosition();
  const calendar::CivilDate first_day = options_.today;
  options_.today = first_day.AddDays(45);  // the same files, a month and a half later
  auto later = ImportDir(kExample);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(Kind(*later, "assignments").created, 0u);
  EXPECT_EQ(host_->store().LastPosition(), position);

  // A term given by dates is compared by its dates.
  const std::string dir = CopyOfExample();
  Json assignments = ReadJson(dir + "/assignments.json");
  Json& coordinator = assignments["assignments"][0];
  coordinator["start"] = first_day.ToString();
  coordinator.erase("years");
  coordinator["end"] = TermEnd(first_day, 2).ToString();
  WriteJson(dir + "/assignments.json", assignments);
  auto changed = ImportDir(dir);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(changed.status().message(),
              HasSubstr("assignments.json: assignments[0].end: the store has \"" + TermEnd(first_day, 3).ToString() +
                        "\", the file has \"" + TermEnd(first_day, 2).ToString() + "\""));
  EXPECT_EQ(host_->store().LastPosition(), position);
}

// Every action of the 2003-2004-2005 plan of the seed document (DOMAIN.md),
// by axis, with the phase it starts in and its planned years.
struct SeedAction {
  const char* id;
  const char* axis;
  const char* initial_phase;
  std::map<std::string, int> planned_years;
};

const std::vector<SeedAction>& SeedPlan() {
  static const std::vector<SeedAction> plan = {
      {"1-salaries-tpe", "1", "en_continu", {}},
      {"1-besoins-salaries-parcs",
       "1",
       "mobilisation",
       {{"mobilisation", 2003}, {"faisabilite", 2005}, {"montage", 2005}}},
      {"1-restauration", "1", "mobilisation", {{"mobilisation", 2004}, {"faisabilite", 2005}, {"montage", 2005}}},
      {"1-pressing", "1", "etude", {{"faisabilite", 2003}, {"montage", 2003}}},
      {"2a-portage-repas", "2A", "etude", {{"faisabilite", 2003}, {"montage", 2004}}},
      {"2a-personne-de-compagnie",
       "2A",
       "mobilisation",
       {{"mobilisation", 2004}, {"faisabilite", 2004}, {"montage", 2005}}},
      {"2a-associations-territoire",
       "2A",
       "mobilisation",
       {{"mobilisation", 2003}, {"faisabilite", 2004}, {"montage", 2004}}},
      {"2a-horaires-decales", "2A", "mobilisation", {{"mobilisation", 2003}, {"faisabilite", 2004}, {"montage", 2004}}},
      {"2a-metiers-auxiliaire", "2A", "en_continu", {}},
      {"2a-passerelle-anpe-afpa", "2A", "montage", {{"montage", 2003}}},
      {"2b-associations-territoire",
       "2B",
       "mobilisation",
       {{"mobilisation", 2003}, {"faisabilite", 2004}, {"montage", 2004}}},
      {"2b-diversification-offre",
       "2B",
       "mobilisation",
       {{"mobilisation", 2004}, {"faisabilite", 2005}, {"montage", 2005}}},
      {"2b-metiers-garde", "2B", "en_continu", {}},
      {"2b-recrutement-intervenants", "2B", "etude", {{"faisabilite", 2003}, {"montage", 2003}}},
      {"3-besoins-mobilite-zones",
       "3",
       "mobilisation",
       {{"mobilisation", 2003}, {"faisabilite", 2004}, {"montage", 2003}}},
      {"3-mobilite-intracommunale",
       "3",
       "mobilisation",
       {{"mobilisation", 2004}, {"faisabilite", 2005}, {"montage", 2005}}},
      {"3-mobilite-insertion", "3", "etude", {{"faisabilite", 2003}, {"montage", 2004}}},
      {"3-mobilite-personnes-agees", "3", "etude", {{"faisabilite", 2004}, {"montage", 2004}}},
      {"4-mobilisation-ran-fle",
       "4",
       "mobilisation",
       {{"mobilisation", 2004}, {"faisabilite", 2004}, {"montage", 2005}}},
      {"4-interim-insertion", "4", "etude", {{"faisabilite", 2003}, {"montage", 2004}}},
      {"4-placement-menage", "4", "etude", {{"faisabilite", 2003}, {"montage", 2004}}},
      {"4-localisation-quartiers", "4", "en_continu", {}},
  };
  return plan;
}

TEST_F(ImportTest, IdsOutsideThePatternAndDuplicateKeysAreProblemsNamingTheirPlace) {
  const std::string dir = CopyOfExample();
  Json partners = ReadJson(dir + "/partners.json");
  partners["partners"][0]["id"] = "..";
  WriteJson(dir + "/partners.json", partners);
  Json assignments = ReadJson(dir + "/assignments.json");
  assignments["assignments"][1]["person"] = "bernard/lemaire";
  WriteJson(dir + "/assignments.json", assignments);
  Json programme = ReadJson(dir + "/programme.json");
  programme["actions"][0]["id"] = ".";
  WriteJson(dir + "/programme.json", programme);
  // A member named twice in one object: the last would silently win.
  std::string projects_text = ReadJson(dir + "/projects.json").dump(2);
  const std::string first_key = "\"workflow\":";
  ASSERT_NE(projects_text.find(first_key), std::string::npos);
  projects_text.insert(projects_text.find(first_key), "\"workflow\": \"autre\",\n  ");
  std::ofstream(dir + "/projects.json") << projects_text;
  const uint64_t position = host_->store().LastPosition();

  auto report = ImportDir(dir);
  ASSERT_FALSE(report.ok());
  const std::string& message = report.status().message();
  EXPECT_THAT(message, HasSubstr("partners.json: partners[0].id: partner id '..': expected"));
  EXPECT_THAT(message, HasSubstr("assignments.json: assignments[1].person: person 'bernard/lemaire': expected"));
  EXPECT_THAT(message, HasSubstr("programme.actions[0].id '.': expected"));
  EXPECT_THAT(message, HasSubstr("projects.json: not valid JSON: duplicate key 'workflow' at $.workflow"));
  EXPECT_EQ(host_->store().LastPosition(), position);
}

TEST(ExampleCoverageTest, TheExampleHasEveryActionOfTheSeedPlanAndNothingElse) {
  ImportOptions options;
  options.today = {2003, 1, 15};  // the plan's own first year: its years as written
  auto set = ReadImportSet(kExample, options);
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->projects.size(), SeedPlan().size());
  for (const SeedAction& want : SeedPlan()) {
    const ProjectItem* found = nullptr;
    for (const ProjectItem& p : set->projects)
      if (p.info.id == want.id) found = &p;
    ASSERT_NE(found, nullptr) << want.id;
    EXPECT_EQ(found->info.axis, want.axis) << want.id;
    EXPECT_EQ(found->initial_phase, want.initial_phase) << want.id;
    EXPECT_EQ(found->info.planned_years, want.planned_years) << want.id;
    EXPECT_FALSE(found->info.title.empty()) << want.id;
  }
  EXPECT_EQ(set->programme.territory,
            (std::vector<std::string>{"Chevilly-Larue", "Fresnes", "L'Haÿ-les-Roses", "Orly", "Rungis", "Thiais"}));
  std::vector<std::string> axes;
  for (const programme::Axis& a : set->programme.axes) axes.push_back(a.id + (a.parent.empty() ? "" : "<" + a.parent));
  EXPECT_EQ(axes, (std::vector<std::string>{"1", "2", "2A<2", "2B<2", "3", "4"}));
  // One élu référent and one référent technique per axis, and a coordinator.
  std::map<std::string, int> roles;
  for (const AssignmentItem& a : set->assignments) ++roles[a.request.role];
  EXPECT_EQ(roles["coordinator"], 1);
  EXPECT_EQ(roles["elu_referent"], 6);
  EXPECT_EQ(roles["referent_technique"], 6);
}

}  // namespace
}  // namespace relais::importer
