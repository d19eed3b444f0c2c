// The read model: incremental folding equals a rebuild from scratch, equals
// each project's own history; filters; resuming after a restart.
#include <gtest/gtest.h>

#include <random>

#include "tests/runtime/runtime_fixture.h"
#include "tests/testing/status_matchers.h"

namespace relais::runtime {
namespace {

using relais::testing::IsOk;
using testing::T;

// Every command a coordinator might try, valid or not, with plausible data.
const std::vector<std::pair<std::string, Json>> kCommands = {
    {"mobilisation_avancee", {{"volet", "partenaires"}, {"etape", "mobilises"}}},
    {"mobilisation_avancee", {{"volet", "publics"}, {"etape", "en_cours"}}},
    {"etude_lancee", Json::object()},
    {"porteur_identifie", testing::kPorteur},
    {"verdict_faisabilite", {{"verdict", "positif"}}},
    {"verdict_faisabilite", {{"verdict", "negatif"}, {"suite", "retour_mobilisation"}}},
    {"convention_signee", {{"intitule", "Convention"}, {"signataires", {"CBE"}}}},
    {"financement_accorde", {{"financeur", "FSE"}, {"montant", 1000}}},
    {"activite_demarree", {{"date", "2004-09-01"}}},
    {"suspendre", {{"motif", "élections"}}},
    {"reprendre", Json::object()},
    {"partenaire_rejoint", {{"partenaire", "AFPA"}}},
    {"indicateur_enregistre", {{"indicateur", "emplois_crees"}, {"valeur", 2}}},
    {"action_transmise", Json::object()},
    {"abandonner", {{"motif", "x"}}},
};

TEST(ProjectIndexTest, IncrementalEqualsRebuildEqualsHistory) {
  relais::testing::TempDir dir;
  ManualClock clock(T("2003-02-03T09:00:00Z"));
  auto store = testing::OpenRocksStore(dir.Sub("store"), clock);
  ASSERT_NE(store, nullptr);
  testing::Runtime rt(*store, clock);
  ProjectIndex incremental(*store, rt.projects.definitions(), {.page_events = 7, .persist_every_events = 50});
  ASSERT_THAT(incremental.Open(), IsOk());
  std::mt19937 rng(42);
  std::set<std::string> phases;  // visited along the walk
  const std::vector<std::string> axes = {"1", "2A", "2B", "3", "4"};
  for (int i = 0; i < 12; ++i) rt.Create("action-" + std::to_string(i), axes[i % axes.size()]);
  for (int step = 0; step < 600; ++step) {
    clock.Advance(std::chrono::hours(rng() % 200));
    std::string id = "action-" + std::to_string(rng() % 12);
    // Ending commands (the last two) are rare, so the walk reaches later phases.
    size_t pick = rng() % 40 == 0 ? kCommands.size() - 1 - rng() % 2 : rng() % (kCommands.size() - 2);
    const auto& [type, data] = kCommands[pick];
    auto out = rt.Fire(id, type, data, rng() % 4 == 0 ? testing::kElu : testing::kCoordinator);
    ASSERT_THAT(out, IsOk());
    phases.insert(out->phase);
    if (step % 37 == 0) {
      ASSERT_THAT(incremental.CatchUp(), IsOk());
    }
  }
  ASSERT_THAT(rt.timers.FireDue(), IsOk());
  ASSERT_THAT(incremental.CatchUp(), IsOk());
  EXPECT_EQ(incremental.checkpoint(), store->LastPosition());
  ASSERT_THAT(incremental.Flush(), IsOk());

  ProjectIndex rebuilt(*store, rt.projects.definitions());
  ASSERT_THAT(rebuilt.Open(), IsOk());
  ASSERT_THAT(rebuilt.Rebuild(), IsOk());
  auto a = incremental.All(), b = rebuilt.All();
  ASSERT_EQ(a.size(), 12u);
  ASSERT_EQ(b.size(), 12u);
  for (const auto& [id, p] : a) {
    EXPECT_EQ(p.ToJson(), b.at(id).ToJson()) << id;
    EXPECT_EQ(p.ToJson(), rt.projects.LoadFromHistory(id)->ToJson()) << id;
    EXPECT_EQ(p.ToJson(), rt.projects.Load(id)->ToJson()) << id;
  }
  EXPECT_GE(phases.size(), 3u) << "the random walk should visit several phases";

  // A restart resumes from the persisted checkpoint.
  ProjectIndex reopened(*store, rt.projects.definitions());
  ASSERT_THAT(reopened.Open(), IsOk());
  EXPECT_EQ(reopened.checkpoint(), store->LastPosition());
  rt.Create("late-comer");
  ASSERT_THAT(reopened.CatchUp(), IsOk());
  ASSERT_TRUE(reopened.Get("late-comer").has_value());
  EXPECT_EQ(reopened.Get("late-comer")->ToJson(), rt.projects.Load("late-comer")->ToJson());
}

TEST(ProjectIndexTest, ARestartWithoutFlushFoldsTheRestAgain) {
  relais::testing::TempDir dir;
  ManualClock clock(T("2003-02-03T09:00:00Z"));
  auto store = testing::OpenRocksStore(dir.Sub("store"), clock);
  ASSERT_NE(store, nullptr);
  testing::Runtime rt(*store, clock);
  for (int i = 0; i < 5; ++i) rt.Create("a" + std::to_string(i));
  {
    ProjectIndex index(*store, rt.projects.definitions(), {.page_events = 4, .persist_every_events = 6});
    ASSERT_THAT(index.Open(), IsOk());
    ASSERT_THAT(index.CatchUp(), IsOk());
    for (int i = 0; i < 5; ++i) rt.Accept("a" + std::to_string(i), "partenaire_rejoint", {{"partenaire", "AFPA"}});
    ASSERT_THAT(index.CatchUp(), IsOk());
    // Dropped without Flush, as in a crash: the last events were not persisted.
  }
  ProjectIndex reopened(*store, rt.projects.definitions());
  ASSERT_THAT(reopened.Open(), IsOk());
  EXPECT_LT(reopened.checkpoint(), store->LastPosition());
  EXPECT_GT(reopened.checkpoint(), 0u) << "some pages were persisted on the way";
  ASSERT_THAT(reopened.CatchUp(), IsOk());
  for (int i = 0; i < 5; ++i) {
    std::string id = "a" + std::to_string(i);
    ASSERT_TRUE(reopened.Get(id).has_value());
    EXPECT_EQ(reopened.Get(id)->ToJson(), rt.projects.LoadFromHistory(id)->ToJson()) << id;
  }
}

TEST(ProjectIndexTest, FiltersSortAndPages) {
  ManualClock clock(T("2003-02-03T09:00:00Z"));
  MemoryEventStore store(clock);
  testing::Runtime rt(store, clock);
  rt.Create("a", "1", {{"mobilisation", 2003}});
  rt.Create("b", "2A", {{"mobilisation", 2004}});
  rt.Create("c", "2A", {{"faisabilite", 2003}});  // étude is planned under the plan key "faisabilite"
  rt.ToEtude("c");
  ProjectIndex index(store, rt.projects.definitions());
  ASSERT_THAT(index.Open(), IsOk());
  ASSERT_THAT(index.CatchUp(), IsOk());
  TimePoint in_2004 = T("2004-06-01T00:00:00Z");
  auto ids = [](const ProjectPage& page) {
    std::vector<std::string> out;
    for (const auto& p : page.projects) out.push_back(p.info.id);
    return out;
  };
  EXPECT_EQ(ids(index.Query({.axis = "2A"}, ProjectSort::kId, 0, 10, in_2004)), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(ids(index.Query({.phase = "etude"}, ProjectSort::kId, 0, 10, in_2004)), std::vector<std::string>{"c"});
  EXPECT_EQ(ids(index.Query({.partner = "anpe-orly"}, ProjectSort::kId, 0, 10, in_2004)).size(), 3u);
  EXPECT_TRUE(ids(index.Query({.partner = "nobody"}, ProjectSort::kId, 0, 10, in_2004)).empty());
  // Late: still in a phase after its planned year.
  EXPECT_EQ(ids(index.Query({.late = true}, ProjectSort::kId, 0, 10, in_2004)), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(ids(index.Query({.late = false}, ProjectSort::kId, 0, 10, in_2004)), std::vector<std::string>{"b"});
  auto page = index.Query({}, ProjectSort::kUpdatedDesc, 1, 1, in_2004);
  EXPECT_EQ(page.total, 3u);
  ASSERT_EQ(page.projects.size(), 1u);
}

}  // namespace
}  // namespace relais::runtime
