// ./scripts/bench engine: CBE workflow transitions per second over 10,000
// projects, in memory on one core and on RocksDB with 64 concurrent clients
// (against the store's own durable append rate at 64 appenders, measured in
// the same run), and the time to load a project of 1,000 events with and
// without a snapshot. With --peer, the xstate peer (../shared/peers) runs in
// the same run and the in-memory figure is divided by its events/s.
//
// Usage: relais_bench_engine [--dir DIR] [--projects N] [--results DIR] [--workflows DIR]
//                            [--only memory|rocksdb|load] [--peer "node .../bench-xstate.mjs"]
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "bench/bench_report.h"
#include "engine/runtime/project_service.h"
#include "engine/runtime/workflow_registry.h"
#include "engine/store/forwarding_event_store.h"
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
  std::string peer;  // a command printing the peer's JSON line; empty: no peer
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

// Runs the peer's command and returns the JSON object of the last line it
// printed; an error names the command and what went wrong.
StatusOr<Json> RunPeer(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return Unavailable("cannot run the peer '" + command + "'");
  std::string out;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int rc = pclose(pipe);
  if (rc != 0) return Unavailable("the peer '" + command + "' exited with status " + std::to_string(rc));
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  const size_t newline = out.rfind('\n');
  const std::string last = newline == std::string::npos ? out : out.substr(newline + 1);
  Json j = Json::parse(last, nullptr, false);
  if (!j.is_object() || !j.contains("events_per_s") || !j["events_per_s"].is_number())
    return InvalidArgument("the peer '" + command + "' printed no JSON line with events_per_s: " + last);
  return j;
}

// The store's reads of streams and snapshots, counted: shows that a timed
// load went to the store (not to the runtime's cache).
class CountingStore : public ForwardingEventStore {
 public:
  using ForwardingEventStore::ForwardingEventStore;
  StatusOr<std::vector<RecordedEvent>> ReadStream(const std::string& s, uint64_t from, size_t n) override {
    ++stream_reads;
    return base_.ReadStream(s, from, n);
  }
  StatusOr<std::optional<Snapshot>> LoadSnapshot(const std::string& s) override {
    ++snapshot_reads;
    return base_.LoadSnapshot(s);
  }
  std::atomic<uint64_t> stream_reads{0};
  std::atomic<uint64_t> snapshot_reads{0};
};

// Median time of loading a 1,000-event project from the store: the cache
// holds one project (its least capacity), and another project is loaded
// before each timed load, so the timed one is never a cache hit. Every
// timed load is checked to have read the store (a snapshot lookup and at
// least one page of events); *reads gets the reads of the last one.
double LoadMs(EventStore& base, const std::string& workflows, bool with_snapshot, Json* reads) {
  CountingStore store(base);
  runtime::RuntimeOptions options;
  options.project_cache_capacity = 1;
  options.snapshot_every = with_snapshot ? 100 : UINT64_MAX / 2;
  Engine e(store, workflows, options);
  std::string id = with_snapshot ? "long-snap" : "long-nosnap";
  runtime::CreateRequest req;
  req.info.id = id;
  req.info.workflow = "cbe_action";
  req.actor = kCoordinator;
  if (!e.projects.Create(std::move(req)).ok()) std::exit(1);
  const std::string other = id + "-other";
  runtime::CreateRequest other_req;
  other_req.info.id = other;
  other_req.info.workflow = "cbe_action";
  other_req.actor = kCoordinator;
  if (!e.projects.Create(std::move(other_req)).ok()) std::exit(1);
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
    if (!e.projects.Load(other).ok()) std::exit(1);  // takes the cache's one place
    const uint64_t streams_before = store.stream_reads, snapshots_before = store.snapshot_reads;
    auto t0 = SteadyClock::now();
    auto p = e.projects.Load(id);
    samples.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
    if (!p.ok() || p->version != 1000) {
      std::fprintf(stderr, "load: unexpected version\n");
      std::exit(1);
    }
    const uint64_t streams = store.stream_reads - streams_before, snapshots = store.snapshot_reads - snapshots_before;
    if (streams == 0 || snapshots == 0) {
      std::fprintf(stderr, "load: the timed load did not read the store (a cache hit)\n");
      std::exit(1);
    }
    *reads = {{"stream_pages", streams}, {"snapshot_lookups", snapshots}};
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
    else if (k == "--peer")
      args.peer = v;
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
    if (!args.peer.empty()) {  // the xstate peer, in the same run, one thread too
      std::printf("running the peer: %s\n", args.peer.c_str());
      std::fflush(stdout);
      auto peer = RunPeer(args.peer);
      if (!peer.ok()) {
        std::fprintf(stderr, "peer not measured: %s\n", peer.status().ToString().c_str());
        details["peer_error"] = peer.status().ToString();
      } else {
        const double peer_rate = (*peer)["events_per_s"].get<double>();
        const double ratio = (static_cast<double>(n) / s) / peer_rate;
        details["peer"] = *peer;
        figures.push_back(
            {"xstate events/s, in memory, 1 thread (same run, not durable)", peer_rate, "per s", "", true});
        figures.push_back(
            {"Relais / xstate, events/s, in memory, 1 thread (wall clock)", ratio, "x", ">= 1.0", ratio >= 1.0});
        figures.push_back({"Relais per CPU-second / xstate events/s", per_cpu_second / peer_rate, "x", "", true});
      }
    }
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
    Json reads_without, reads_with;
    double without = LoadMs(*store, args.workflows, false, &reads_without);
    double with = LoadMs(*store, args.workflows, true, &reads_with);
    details["load_store_reads"] = {{"no_snapshot", reads_without}, {"from_snapshot", reads_with}};
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
