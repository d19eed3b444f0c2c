// Milestone timers at scale: 1,000,000 pending milestones (élus' reviews) in
// a RocksDB store; then, in a fresh process state, the time from opening to
// ready (first timer known), resident memory, and the lateness of firing
// when 10,000 reminders fall due in the same second (the real TimerScheduler
// on a clock shifted so the burst comes right after ready), measured twice:
// right after the restart, while RocksDB compacts what the populate wrote,
// and again once the store has settled. Lateness is reported to the event's
// recorded time (the firing) and to the commit of its append (durable).
//
// Usage: relais_bench_timers [--dir DIR] [--results DIR] [--assignments N]
//                            [--fire-threads N] [--fire-batch N]
// Each assignment is one élu with 100 monthly reviews (8 years 4 months), so
// N = 10,000 gives 1,000,000 milestones, and the reminders of their first
// review all fall due at the same instant.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "bench/bench_report.h"
#include "engine/programme/programme_service.h"
#include "engine/runtime/project_service.h"
#include "engine/runtime/timer_scheduler.h"
#include "engine/runtime/timer_service.h"
#include "engine/runtime/workflow_registry.h"
#include "engine/store/rocksdb_event_store.h"
#include "engine/util/time_format.h"

namespace relais::bench {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr int kAxesPerProgramme = 10;
constexpr int kReviewsPerAssignment = 100;

struct Args {
  std::string dir = "var/bench/timers";
  std::string results = "bench/results";
  int assignments = 10'000;
  runtime::TimerOptions timers;  // --fire-threads, --fire-batch: as runtime.timer_fire_threads, timer_fire_batch
};

// System time shifted by an offset (so far-future due times come now).
class ShiftedClock final : public Clock {
 public:
  TimePoint Now() const override { return SystemClock::Instance().Now() + std::chrono::microseconds(offset_.load()); }
  void ShiftTo(TimePoint now) { offset_ = ToMicros(now) - ToMicros(SystemClock::Instance().Now()); }

 private:
  std::atomic<int64_t> offset_{0};
};

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double RssMb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

std::unique_ptr<RocksDbEventStore> Open(const std::string& path, const Clock& clock) {
  RocksDbStoreOptions options;
  options.path = path;
  options.clock = &clock;
  auto store = RocksDbEventStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open %s: %s\n", path.c_str(), store.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(store).value();
}

Json Definition(int p) {
  Json axes = Json::array();
  for (int a = 0; a < kAxesPerProgramme; ++a) axes.push_back({{"id", "axe" + std::to_string(a)}});
  return {{"id", "prog" + std::to_string(p)},
          {"plan_years", {2027, 2028, 2029}},
          {"axes", axes},
          {"reviews", {{"months", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}}, {"day", 15}}}};
}

// Child process: fills the store; writes the milestone count to count_file.
int Populate(const Args& args, const std::string& count_file) {
  ManualClock clock(*ParseIso8601("2026-12-01T08:00:00Z"));
  auto store = Open(args.dir + "/db", clock);
  programme::ProgrammeOptions options;
  options.max_term_years = 10;
  programme::ProgrammeService service(*store, clock, options);
  const int programmes = (args.assignments + kAxesPerProgramme - 1) / kAxesPerProgramme;
  std::atomic<int> next{0};
  std::atomic<uint64_t> milestones{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&] {
      for (int p = next++; p < programmes && !failed; p = next++) {
        auto def = programme::ProgrammeDefinition::FromJson(Definition(p));
        auto defined = def.ok() ? service.Define(*def, "bench") : StatusOr<programme::StatePtr>(def.status());
        if (!defined.ok()) {
          std::fprintf(stderr, "define: %s\n", defined.status().ToString().c_str());
          failed = true;
          return;
        }
        for (int a = 0; a < kAxesPerProgramme && p * kAxesPerProgramme + a < args.assignments; ++a) {
          auto assigned = service.Assign(def->id,
                                         {"person:elu" + std::to_string(p) + "-" + std::to_string(a),
                                          "elu_referent",
                                          "axe" + std::to_string(a),
                                          {2027, 1, 1},
                                          {2035, 4, 30}},
                                         "bench");
          if (!assigned.ok()) {
            std::fprintf(stderr, "assign: %s\n", assigned.status().ToString().c_str());
            failed = true;
            return;
          }
          milestones += kReviewsPerAssignment;
        }
      }
    });
  for (auto& t : threads) t.join();
  std::ofstream(count_file) << milestones.load();
  return failed ? 1 : 0;
}

int Main(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--dir")
      args.dir = v;
    else if (k == "--results")
      args.results = v;
    else if (k == "--assignments")
      args.assignments = std::stoi(v);
    else if (k == "--fire-threads")
      args.timers.fire_threads = std::stoul(v);
    else if (k == "--fire-batch")
      args.timers.fire_batch = std::stoul(v);
  }
  fs::remove_all(args.dir);
  fs::create_directories(args.dir);
  const std::string count_file = args.dir + "/count";

  // 1. Populate in a child process, so what it allocated does not count below.
  std::printf("populating %d assignments x %d reviews...\n", args.assignments, kReviewsPerAssignment);
  std::fflush(stdout);
  const auto populate_start = SteadyClock::now();
  pid_t child = fork();
  if (child == 0) _exit(Populate(args, count_file));
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "populate failed\n");
    return 1;
  }
  const double populate_s = std::chrono::duration<double>(SteadyClock::now() - populate_start).count();
  uint64_t milestones = 0;
  std::ifstream(count_file) >> milestones;

  // 2. Restart: open the store and the services until the first due timer is known.
  ShiftedClock clock;
  const double rss_before = RssMb();
  const auto open_start = SteadyClock::now();
  auto store = Open(args.dir + "/db", clock);
  const double open_s = std::chrono::duration<double>(SteadyClock::now() - open_start).count();
  runtime::WorkflowRegistry registry(*store);
  if (Status s = registry.LoadPersisted(); !s.ok()) return 1;
  runtime::ProjectService projects(*store, registry, clock);
  runtime::TimerService timers(*store, projects, clock, args.timers);
  programme::ProgrammeService programmes(*store, clock);
  timers.RouteFires(std::string(programme::kFiresPrefix),
                    [&](const std::vector<runtime::DueTimer>& due) { return programmes.FireTimers(due); });
  auto first_due = timers.NextDue();
  const double ready_s = std::chrono::duration<double>(SteadyClock::now() - open_start).count();
  if (!first_due.ok() || !*first_due) {
    std::fprintf(stderr, "no pending timer after restart\n");
    return 1;
  }
  const double rss_ready = RssMb();
  std::printf("ready in %.3f s (store open %.3f s), RSS %.1f MB; first due %s\n", ready_s, open_s, rss_ready,
              FormatIso8601(**first_due).c_str());

  // 3. Bursts: the first reminders of every élu fall due at the same instant,
  // right after the restart (programmes not loaded, the store still
  // compacting what the populate wrote); then, once the store has settled, a
  // week later, the reviews themselves. Each burst runs the real
  // TimerScheduler, started one second before the instant.
  const uint64_t burst = static_cast<uint64_t>(args.assignments);
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  struct BurstResult {
    size_t fired = 0;
    double p50 = -1, p99 = -1, max = -1, seconds = 0;
    double durable_p50 = -1, durable_p99 = -1, durable_max = -1;  // instant -> the firing's append committed
    double cpu_seconds = 0;  // process CPU time (all threads, RocksDB's included) from the instant to the last firing
  };
  // When each commit group became durable (steady time, last position): the
  // store calls this listener after each group's synced write.
  std::mutex commits_mu;
  std::vector<std::pair<SteadyClock::time_point, uint64_t>> commits;
  auto subscription = store->Subscribe([&](uint64_t last_position) {
    std::lock_guard lock(commits_mu);
    commits.emplace_back(SteadyClock::now(), last_position);
  });
  // Waits until the store runs no flush or compaction (what the populate
  // left to compact), at most 10 minutes; returns the seconds waited.
  auto settle = [&]() -> double {
    const auto start = SteadyClock::now();
    while (store->Stats().background_jobs > 0 && SteadyClock::now() - start < std::chrono::minutes(10))
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return std::chrono::duration<double>(SteadyClock::now() - start).count();
  };
  auto run_burst = [&]() -> BurstResult {
    BurstResult out;
    auto due = timers.NextDue();
    if (!due.ok() || !*due) return out;
    const TimePoint instant = **due;
    const uint64_t start_position = store->LastPosition();
    clock.ShiftTo(instant - std::chrono::seconds(1));
    const SteadyClock::time_point steady_instant = SteadyClock::now() + std::chrono::seconds(1);
    {
      std::lock_guard lock(commits_mu);
      commits.clear();
    }
    runtime::TimerScheduler scheduler(io, *store, timers, clock);
    scheduler.Start();
    std::this_thread::sleep_until(steady_instant);
    const double cpu_at_instant = CpuSeconds();
    const auto begin = SteadyClock::now() - std::chrono::seconds(1);
    while (store->LastPosition() < start_position + burst && SteadyClock::now() - begin < std::chrono::seconds(900))
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    out.seconds = std::chrono::duration<double>(SteadyClock::now() - begin).count() - 1.0;
    out.cpu_seconds = CpuSeconds() - cpu_at_instant;
    scheduler.Stop();
    LatencyRecorder lateness, durable;
    std::vector<std::pair<SteadyClock::time_point, uint64_t>> groups;
    {
      std::lock_guard lock(commits_mu);
      groups = commits;
    }
    for (uint64_t pos = start_position + 1;;) {
      auto page = store->ReadAll(pos, 4096);
      if (!page.ok() || page->events.empty()) break;
      for (const RecordedEvent& e : page->events) {
        if (e.type != "reminder_sent" && e.type != "milestone_due") continue;
        lateness.Add(std::chrono::duration_cast<std::chrono::nanoseconds>(e.metadata.recorded_at - instant));
        auto group = std::lower_bound(groups.begin(), groups.end(), e.position,
                                      [](const auto& g, uint64_t position) { return g.second < position; });
        if (group != groups.end())
          durable.Add(std::chrono::duration_cast<std::chrono::nanoseconds>(group->first - steady_instant));
      }
      pos = page->next_position;
    }
    out.fired = lateness.count();
    if (out.fired) {
      out.p50 = lateness.PercentileMs(0.5);
      out.p99 = lateness.PercentileMs(0.99);
      out.max = lateness.PercentileMs(1.0);
    }
    if (durable.count() == out.fired && out.fired) {
      out.durable_p50 = durable.PercentileMs(0.5);
      out.durable_p99 = durable.PercentileMs(0.99);
      out.durable_max = durable.PercentileMs(1.0);
    }
    std::printf(
        "burst: %zu fired in %.2f s, %.2f s of CPU; lateness p50 %.1f ms, p99 %.1f ms, max %.1f ms; durable p50 %.1f "
        "ms, "
        "p99 %.1f ms, max %.1f ms\n",
        out.fired, out.seconds, out.cpu_seconds, out.p50, out.p99, out.max, out.durable_p50, out.durable_p99,
        out.durable_max);
    std::fflush(stdout);
    return out;
  };
  const BurstResult restart = run_burst();
  const double rss_after = RssMb();
  const double settle_s = settle();
  std::printf("store settled after %.1f s\n", settle_s);
  std::fflush(stdout);
  const BurstResult settled = run_burst();
  work.reset();
  io.stop();
  io_thread.join();

  std::vector<Figure> figures;
  figures.push_back({"pending milestones", static_cast<double>(milestones), "", ">= 1000000", milestones >= 1'000'000});
  figures.push_back({"populate (10,000 élus assigned, durable)", populate_s, "s", "", true});
  figures.push_back({"restart: open store to ready (first due timer known)", ready_s, "s", "<= 3", ready_s <= 3});
  figures.push_back({"of which RocksDB::Open", open_s, "s", "", true});
  figures.push_back({"resident memory when ready", rss_ready, "MB", "<= 300", rss_ready <= 300});
  auto add_burst = [&](const std::string& name, const BurstResult& r) {
    figures.push_back(
        {name + ": timers fired", static_cast<double>(r.fired), "", "= " + std::to_string(burst), r.fired == burst});
    figures.push_back({name + ": lateness to the event's record, p50", r.p50, "ms", "", true});
    figures.push_back(
        {name + ": lateness to the event's record, p99", r.p99, "ms", "<= 100", r.p99 >= 0 && r.p99 <= 100});
    figures.push_back({name + ": lateness to the durable commit, p99", r.durable_p99, "ms", "<= 100",
                       r.durable_p99 >= 0 && r.durable_p99 <= 100});
    figures.push_back({name + ": lateness to the durable commit, max", r.durable_max, "ms", "", true});
    figures.push_back({name + ": CPU time used until the last firing (2 cores)", r.cpu_seconds, "s", "", true});
  };
  add_burst("burst 1 (right after restart, store compacting)", restart);
  figures.push_back({"wait until the store settled (no flush or compaction)", settle_s, "s", "", true});
  add_burst("burst 2 (settled store)", settled);
  figures.push_back({"resident memory after burst 1", rss_after, "MB", "", true});
  Json details = {{"assignments", args.assignments},
                  {"reviews_per_assignment", kReviewsPerAssignment},
                  {"burst", burst},
                  {"rss_before_open_mb", rss_before}};
  store.reset();
  fs::remove_all(args.dir);
  Report("timers", figures, details, args.results);
  return 0;
}

}  // namespace
}  // namespace relais::bench

int main(int argc, char** argv) { return relais::bench::Main(argc, argv); }
