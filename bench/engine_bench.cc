// ./scripts/bench engine: CBE workflow transitions per second over 10,000
// projects, in memory on one core and on RocksDB with 64 concurrent clients
// (against the store's own durable append rate at 64 appenders, measured in
// the same run), and the time to load a project of 1,000 events with and
// without a snapshot.
//
// Usage: relais_bench_engine [--dir DIR] [--projects N] [--results DIR] [--workflows DIR]
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "bench/bench_report.h"
#include "engine/runtime/project_service.h"
#include "engine/runtime/workflow_registry.h"
#include "engine/store/memory_event_store.h"
#include "engine/store/rocksdb_event_store.h"
#include "engine/util/uuid.h"

namespace relais::bench {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
using runtime::Actor;

struct Args {
  std::string dir = "var/bench/engine";
  int projects = 10'000;
  std::string results = "bench/results";
  std::string workflows = "workflows";
  std::string only;  // memory | rocksdb | load; empty: all
};

const Actor kCoordinator{"person:bench", {"coordinator"}};
const Actor kElu{"person:elu", {"elu"}};

// The CBE path every project walks: each step is one accepted transition.
struct Step {
  const char* type;
  Json data;
  const Actor* actor;
};
const std::vector<Step>& Path() {
  static const std::vector<Step> steps = {
      {"mobilisation_avancee", {{"volet", "partenaires"}, {"etape", "mobilises"}}, &kCoordinator},
      {"etude_lancee", Json::object(), &kCoordinator},
      {"porteur_identifie", {{"nom", "Association Sud"}, {"nature", "association"}}, &kCoordinator},
      {"verdict_faisabilite", {{"verdict", "positif"}}, &kElu},
      {"convention_signee", {{"intitule", "Convention"}, {"signataires", {"CBE"}}}, &kCoordinator},
      {"activite_demarree", {{"date", "2004-09-01"}}, &kCoordinator},
      {"indicateur_enregistre", {{"indicateur", "emplois_crees"}, {"valeur", 3}}, &kCoordinator},
  };
  return steps;
}

struct Engine {
  Engine(EventStore& store, const std::string& workflows, runtime::RuntimeOptions options = {})
      : registry(store), projects(store, registry, SystemClock::Instance(), options) {
    if (Status s = registry.DeployDirectory(workflows); !s.ok()) {
      std::fprintf(stderr, "deploy: %s\n", s.ToString().c_str());
      std::exit(1);
    }
  }
  runtime::WorkflowRegistry registry;
  runtime::ProjectService projects;
};

void CreateProjects(Engine& e, int from, int to) {
  for (int i = from; i < to; ++i) {
    runtime::CreateRequest req;
    req.info.id = "action-" + std::to_string(i);
    req.info.workflow = "cbe_action";
    req.info.axis = "2A";
    req.actor = kCoordinator;
    auto out = e.projects.Create(std::move(req));
    if (!out.ok() || out->refusal) {
      std::fprintf(stderr, "create failed\n");
      std::exit(1);
    }
  }
}

// Walks projects [from, to) through the path; returns accepted transitions.
uint64_t Walk(Engine& e, int from, int to) {
  uint64_t accepted = 0;
  for (const Step& step : Path()) {
    for (int i = from; i < to; ++i) {
      runtime::CommandRequest req;
      req.project_id = "action-" + std::to_string(i);
      req.event_type = step.type;
      req.data = step.data;
      req.actor = *step.actor;
      auto out = e.projects.Execute(std::move(req));
      if (!out.ok() || out->refusal) {
        std::fprintf(stderr, "%s refused: %s\n", step.type,
                     out.ok() ? out->refusal->message.c_str() : out.status().ToString().c_str());
        std::exit(1);
      }
      ++accepted;
    }
  }
  return accepted;
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Runs work over `threads` slices; returns wall seconds, and in *cpu_seconds
// the CPU time the working threads used (robust to other load on the machine).
double RunParallel(int threads, int projects, const std::function<uint64_t(int, int)>& work, uint64_t& total,
                   double* cpu_seconds = nullptr) {
  std::vector<std::thread> pool;
  std::vector<uint64_t> counts(threads);
  std::vector<double> cpu(threads);
  auto start = SteadyClock::now();
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      double c0 = ThreadCpuSeconds();
      counts[t] = work(projects * t / threads, projects * (t + 1) / threads);
      cpu[t] = ThreadCpuSeconds() - c0;
    });
  for (auto& th : pool) th.join();
  double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  total = 0;
  for (auto c : counts) total += c;
  if (cpu_seconds) {
    *cpu_seconds = 0;
    for (double c : cpu) *cpu_seconds += c;
  }
  return seconds;
}

std::unique_ptr<RocksDbEventStore> OpenFresh(const std::string& path) {
  fs::remove_all(path);
  RocksDbStoreOptions o;
  o.path = path;
  return std::move(RocksDbEventStore::Open(o)).value();
}

// The store alone: one-event appends by 64 threads for `seconds`.
double StoreAppendRate(const std::string& path, int threads, double seconds) {
  auto store = OpenFresh(path);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> total{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      while (!stop) {
        NewEvent e;
        e.event_id = NewUuid();
        e.type = "bench";
        e.data = {{"note", std::string(200, 'x')}};
        if (store->Append("s" + std::to_string(t), ExpectedVersion::Any(), {std::move(e)}).ok()) ++total;
      }
    });
  auto start = SteadyClock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  return static_cast<double>(total) / std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// Median time of loading a 1,000-event project with a cold cache.
double LoadMs(EventStore& store, const std::string& workflows, bool with_snapshot) {
  runtime::RuntimeOptions options;
  options.project_cache_capacity = 0;  // every Load reads the store
  options.snapshot_every = with_snapshot ? 100 : UINT64_MAX / 2;
  Engine e(store, workflows, options);
  std::string id = with_snapshot ? "long-snap" : "long-nosnap";
  runtime::CreateRequest req;
  req.info.id = id;
  req.info.workflow = "cbe_action";
  req.actor = kCoordinator;
  if (!e.projects.Create(std::move(req)).ok()) std::exit(1);
  for (int i = 0; i < 998; ++i) {
    runtime::CommandRequest c;
    c.project_id = id;
    c.event_type = "indicateur_enregistre";
    c.data = {{"indicateur", "autre"}, {"valeur", i}};
    c.actor = kCoordinator;
    if (!e.projects.Execute(std::move(c)).ok()) std::exit(1);
  }
  std::vector<double> samples;
  for (int i = 0; i < 21; ++i) {
    auto t0 = SteadyClock::now();
    auto p = e.projects.Load(id);
    samples.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
    if (!p.ok() || p->version != 1000) {
      std::fprintf(stderr, "load: unexpected version\n");
      std::exit(1);
    }
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

int Main(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--dir")
      args.dir = v;
    else if (k == "--projects")
      args.projects = std::stoi(v);
    else if (k == "--results")
      args.results = v;
    else if (k == "--workflows")
      args.workflows = v;
    else if (k == "--only")
      args.only = v;
  }
  fs::create_directories(args.dir);
  std::vector<Figure> figures;
  Json details = {{"projects", args.projects}, {"transitions_per_project", Path().size()}};

  auto wanted = [&](const char* part) { return args.only.empty() || args.only == part; };
  if (wanted("memory")) {  // In memory, one thread (one core).
    MemoryEventStore store;
    Engine e(store, args.workflows);
    CreateProjects(e, 0, args.projects);
    uint64_t n = 0;
    double cpu = 0;
    double s = RunParallel(
        1, args.projects, [&](int a, int b) { return Walk(e, a, b); }, n, &cpu);
    double per_cpu_second = static_cast<double>(n) / cpu;
    figures.push_back(
        {"CBE transitions/s, in memory, 1 thread (wall clock)", static_cast<double>(n) / s, "per s", "", true});
    figures.push_back({"CBE transitions per CPU-second, in memory (one core)", per_cpu_second, "per s", ">= 100000",
                       per_cpu_second >= 100000});
  }
  if (wanted("rocksdb")) {  // RocksDB, 64 concurrent clients on disjoint projects.
    std::printf("measuring the store at 64 appenders...\n");
    std::fflush(stdout);
    double store_rate = StoreAppendRate(args.dir + "/store", 64, 3);
    auto store = OpenFresh(args.dir + "/engine");
    Engine e(*store, args.workflows);
    uint64_t created = 0;
    RunParallel(
        64, args.projects,
        [&](int a, int b) {
          CreateProjects(e, a, b);
          return uint64_t(b - a);
        },
        created);
    uint64_t n = 0;
    double s = RunParallel(
        64, args.projects, [&](int a, int b) { return Walk(e, a, b); }, n);
    double rate = static_cast<double>(n) / s;
    double ratio = rate / store_rate;
    figures.push_back({"CBE transitions/s, RocksDB, 64 clients", rate, "per s", "", true});
    figures.push_back({"store durable appends/s, 64 appenders (same run)", store_rate, "per s", "", true});
    figures.push_back({"transitions / store appends at 64", ratio * 100, "%", ">= 70", ratio >= 0.70});
  }
  if (wanted("load")) {
    auto store = OpenFresh(args.dir + "/load");
    double without = LoadMs(*store, args.workflows, false);
    double with = LoadMs(*store, args.workflows, true);
    figures.push_back({"load 1,000-event project, no snapshot (median)", without, "ms", "", true});
    figures.push_back({"load 1,000-event project, from snapshot (median)", with, "ms", "< 1", with < 1});
  }
  fs::remove_all(args.dir);
  Report("engine", figures, details, args.results);
  return 0;
}

}  // namespace
}  // namespace relais::bench

int main(int argc, char** argv) { return relais::bench::Main(argc, argv); }
