// Review placement at scale: 1,000 élus × 9 reviews (3 a year over a 3-year
// term) placed in slots through the real ProgrammeService on a RocksDB store,
// then every programme folded back from disk and checked: no person has two
// overlapping reviews, none more than max_per_day on a day, every review on a
// working day inside working hours.
//
// The élus are spread over programmes (--programmes, default 100 of 10 élus),
// not put in one: a coordinator attends every review of a programme, and
// 9,000 one-hour reviews at most 3 a day need some 3,000 working days, far
// beyond a 3-year term; a real plate-forme has 5 to 20 élus. To exercise the
// cross-programme rule, each coordinator serves two programmes
// (--programmes-per-coordinator), and every term starts the same day, so all
// nominal review dates collide: the worst case for the planner.
//
// Usage: relais_bench_review_placement [--dir DIR] [--results DIR]
//                                      [--elus N] [--programmes N]
//                                      [--programmes-per-coordinator N]
// Timed: the 1,000 élu assignments (placement, its diary reads and the
// durable append of each, one after another: 1,000 fsyncs). Target: under
// 1 s. Also printed: the same placements by the planner alone, in memory.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>

#include "bench/bench_report.h"
#include "engine/programme/programme_service.h"
#include "engine/programme/review_placement.h"
#include "engine/store/rocksdb_event_store.h"
#include "engine/util/time_format.h"

namespace relais::bench {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
using programme::CivilDate;

struct Args {
  std::string dir = "var/bench/review-placement";
  std::string results = "bench/results";
  int elus = 1'000;
  int programmes = 100;
  int programmes_per_coordinator = 2;
};

programme::ProgrammeDefinition Definition(int index, int axes) {
  programme::ProgrammeDefinition d;
  d.id = "plateforme-" + std::to_string(index);
  d.title = "Plate-forme " + std::to_string(index);
  d.plan_years = {2027, 2028, 2029};
  for (int a = 0; a < axes; ++a) d.axes.push_back({"axe-" + std::to_string(a), "Axe " + std::to_string(a), ""});
  d.reviews.per_year = 3;
  return d;
}

struct Check {
  size_t reviews = 0;
  size_t overlaps = 0;
  size_t over_max = 0;
  size_t outside = 0;
};

// Folds each programme back and checks every person's reviews.
Check Verify(programme::ProgrammeService& service, const std::vector<std::string>& ids) {
  Check c;
  struct Slot {
    int start, end;
  };
  std::map<std::string, std::map<CivilDate, std::vector<Slot>>> diary;
  for (const std::string& id : ids) {
    auto state = service.Get(id);
    if (!state.ok()) {
      std::fprintf(stderr, "%s: %s\n", id.c_str(), state.status().ToString().c_str());
      ++c.overlaps;
      continue;
    }
    const programme::SlotRules rules = service.SlotRulesOf((*state)->definition);
    const auto cal = programme::CalendarOf((*state)->definition);
    for (const auto& [mid, m] : (*state)->milestones) {
      if (m.kind != "review" || m.status != programme::MilestoneStatus::kScheduled) continue;
      ++c.reviews;
      const int start = programme::MinuteOfDay(m.at), end = start + m.duration_minutes;
      const bool inside =
          std::any_of(rules.windows.begin(), rules.windows.end(),
                      [&](const programme::WorkingWindow& w) { return w.start <= start && end <= w.end; });
      if (!inside || !cal.IsWorkingDay(m.at.date)) ++c.outside;
      for (const std::string& person : (*state)->NotifyFor(m)) diary[person][m.at.date].push_back({start, end});
    }
  }
  for (auto& [person, days] : diary)
    for (auto& [day, slots] : days) {
      if (static_cast<int>(slots.size()) > service.options().review_defaults.max_per_day) ++c.over_max;
      std::sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.start < b.start; });
      for (size_t i = 1; i < slots.size(); ++i)
        if (slots[i].start < slots[i - 1].end) ++c.overlaps;
    }
  return c;
}

// The same 9,000 placements by the planner alone, in memory (no store, no
// fsync): the compute part of the figure. Returns seconds; *placed counts.
double PlanInMemory(const Args& args, size_t* placed) {
  const programme::SlotRules rules;
  const calendar::WorkingCalendar cal;
  programme::Diary diary;
  const auto started = SteadyClock::now();
  const CivilDate start{2027, 1, 4}, end = programme::AddYears(start, 3).AddDays(-1);
  programme::ReviewRule rule;
  rule.per_year = 3;
  const std::vector<CivilDate> dates = programme::ReviewDates(rule, cal, start, end);
  *placed = 0;
  for (int e = 0; e < args.elus; ++e) {
    const int p = e % args.programmes;
    const std::string coordinator = "coordinator-" + std::to_string(p / args.programmes_per_coordinator);
    const std::vector<std::string> who = {coordinator, "elu-" + std::to_string(e)};
    for (const CivilDate& d : dates) {
      auto slot = programme::FirstFreeSlot(rules, cal, diary, who, d, end);
      if (!slot) continue;
      const int s = programme::MinuteOfDay(*slot);
      for (const std::string& person : who) diary.Add(person, slot->date, {s, s + rules.duration_minutes, "p", "m"});
      ++*placed;
    }
  }
  return std::chrono::duration<double>(SteadyClock::now() - started).count();
}

int Run(const Args& args) {
  fs::remove_all(args.dir);
  fs::create_directories(args.dir);
  ManualClock clock(*ParseIso8601("2026-12-01T08:00:00Z"));
  RocksDbStoreOptions options;
  options.path = args.dir + "/db";
  options.clock = &clock;
  auto store = RocksDbEventStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  programme::ProgrammeService service(**store, clock);
  const int per_programme = (args.elus + args.programmes - 1) / args.programmes;
  std::vector<std::string> ids;
  for (int p = 0; p < args.programmes; ++p) {
    auto def = Definition(p, per_programme);
    if (auto s = service.Define(def, "bench"); !s.ok()) {
      std::fprintf(stderr, "define: %s\n", s.status().ToString().c_str());
      return 1;
    }
    ids.push_back(def.id);
    programme::AssignRequest coordinator{
        "coordinator-" + std::to_string(p / args.programmes_per_coordinator) + "@bench.example",
        std::string(programme::kRoleCoordinator), "", CivilDate{2027, 1, 4}, CivilDate{2029, 12, 31}};
    if (auto a = service.Assign(def.id, coordinator, "bench"); !a.ok()) {
      std::fprintf(stderr, "coordinator: %s\n", a.status().ToString().c_str());
      return 1;
    }
  }
  const auto started = SteadyClock::now();
  for (int e = 0; e < args.elus; ++e) {
    const int p = e % args.programmes, axis = e / args.programmes;
    programme::AssignRequest elu{"elu-" + std::to_string(e) + "@bench.example",
                                 std::string(programme::kRoleEluReferent), "axe-" + std::to_string(axis),
                                 CivilDate{2027, 1, 4}, programme::AddYears(CivilDate{2027, 1, 4}, 3).AddDays(-1)};
    if (auto a = service.Assign(ids[p], elu, "bench"); !a.ok()) {
      std::fprintf(stderr, "élu %d: %s\n", e, a.status().ToString().c_str());
      return 1;
    }
  }
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  const Check check = Verify(service, ids);
  size_t planned = 0;
  const double planner_seconds = PlanInMemory(args, &planned);
  const bool clean = check.overlaps == 0 && check.over_max == 0 && check.outside == 0;
  std::printf(
      "%d élus in %d programmes (%d per coordinator): %zu reviews placed in %.3f s (target < 1 s: %s); "
      "overlaps %zu, days over max %zu, outside hours %zu: %s\n",
      args.elus, args.programmes, args.programmes_per_coordinator, check.reviews, seconds,
      seconds < 1.0 ? "met" : "NOT met", check.overlaps, check.over_max, check.outside,
      clean ? "no collision" : "COLLISIONS");
  std::printf("the planner alone (in memory, no store): %zu reviews in %.3f s\n", planned, planner_seconds);
  std::vector<Figure> figures = {
      {"placement_seconds", seconds, "s", "< 1", seconds < 1.0},
      {"planner_only_seconds", planner_seconds, "s", "", true},
      {"reviews_placed", static_cast<double>(check.reviews), "reviews", "", true},
      {"reviews_per_second", check.reviews / seconds, "reviews/s", "", true},
      {"collisions", static_cast<double>(check.overlaps + check.over_max + check.outside), "", "0", clean},
  };
  Report("review-placement", figures,
         {{"elus", args.elus},
          {"programmes", args.programmes},
          {"programmes_per_coordinator", args.programmes_per_coordinator}},
         args.results);
  return clean ? 0 : 2;
}

}  // namespace
}  // namespace relais::bench

int main(int argc, char** argv) {
  relais::bench::Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--dir")
      args.dir = next();
    else if (a == "--results")
      args.results = next();
    else if (a == "--elus")
      args.elus = std::max(1, std::atoi(next().c_str()));
    else if (a == "--programmes")
      args.programmes = std::max(1, std::atoi(next().c_str()));
    else if (a == "--programmes-per-coordinator")
      args.programmes_per_coordinator = std::max(1, std::atoi(next().c_str()));
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 64;
    }
  }
  return relais::bench::Run(args);
}
