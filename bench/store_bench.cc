// ./scripts/bench store: durable append throughput and latency of the RocksDB
// event store with 1, 16 and 64 concurrent appenders (one ~300-byte event per
// append), the time to read a 1,000-event stream, and Debian's db_bench
// (fillrandom, sync, 300-byte values) at the same thread counts, on the same disk in the same
// run as the raw RocksDB ceiling.
//
// Usage: relais_bench_store [--dir DIR] [--seconds N] [--results DIR] [--db-bench PATH]
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_report.h"
#include "engine/store/codec.h"
#include "engine/store/rocksdb_event_store.h"
#include "engine/util/uuid.h"

namespace relais::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string dir = "var/bench/store";
  double seconds = 4;
  std::string results = "bench/results";
  std::string db_bench = "/usr/bin/db_bench";
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--dir")
      a.dir = v;
    else if (k == "--seconds")
      a.seconds = std::stod(v);
    else if (k == "--results")
      a.results = v;
    else if (k == "--db-bench")
      a.db_bench = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

// A payload size that makes one encoded event about 300 bytes.
size_t PadFor300Bytes() {
  NewEvent e;
  e.event_id = NewUuid();
  e.type = "bench.event";
  e.metadata.actor = "bench";
  e.data = {{"note", ""}};
  size_t base = codec::EncodeEvent(e, "bench-00", {}).size();
  return base < 300 ? 300 - base : 0;
}

std::unique_ptr<RocksDbEventStore> OpenFresh(const std::string& path) {
  fs::remove_all(path);
  RocksDbStoreOptions o;
  o.path = path;
  auto s = RocksDbEventStore::Open(o);
  if (!s.ok()) {
    std::fprintf(stderr, "open %s: %s\n", path.c_str(), s.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(s).value();
}

struct AppendFigures {
  int appenders;
  double events_per_s;
  double p50_ms, p99_ms;
  double events_per_sync;
};

AppendFigures RunAppenders(const Args& args, int appenders, size_t pad) {
  auto store = OpenFresh(args.dir + "/appenders-" + std::to_string(appenders));
  std::atomic<bool> stop{false};
  std::vector<LatencyRecorder> latencies(appenders);
  std::vector<uint64_t> counts(appenders, 0);
  std::vector<std::thread> threads;
  const std::string note(pad, 'x');
  auto start = Clock::now();
  for (int t = 0; t < appenders; ++t) {
    threads.emplace_back([&, t] {
      std::string stream = "bench-" + std::to_string(t);
      while (!stop.load(std::memory_order_relaxed)) {
        NewEvent e;
        e.event_id = NewUuid();
        e.type = "bench.event";
        e.metadata.actor = "bench";
        e.data = {{"note", note}};
        auto t0 = Clock::now();
        auto r = store->Append(stream, ExpectedVersion::Any(), {std::move(e)});
        latencies[t].Add(Clock::now() - t0);
        if (!r.ok()) {
          std::fprintf(stderr, "append: %s\n", r.status().ToString().c_str());
          std::exit(1);
        }
        ++counts[t];
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(args.seconds));
  stop = true;
  for (auto& th : threads) th.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  LatencyRecorder all;
  uint64_t total = 0;
  for (int t = 0; t < appenders; ++t) {
    all.Merge(latencies[t]);
    total += counts[t];
  }
  StoreStats stats = store->Stats();
  return {appenders, static_cast<double>(total) / elapsed, all.PercentileMs(0.50), all.PercentileMs(0.99),
          stats.commit_groups ? static_cast<double>(stats.appends) / static_cast<double>(stats.commit_groups) : 0};
}

struct ReadFigures {
  double cold_ms, warm_median_ms;
};

ReadFigures RunStreamRead(const Args& args, size_t pad) {
  const std::string path = args.dir + "/read";
  {
    auto store = OpenFresh(path);
    for (int batch = 0; batch < 10; ++batch) {
      std::vector<NewEvent> events;
      for (int i = 0; i < 100; ++i) {
        NewEvent e;
        e.event_id = NewUuid();
        e.type = "bench.event";
        e.metadata.actor = "bench";
        e.data = {{"note", std::string(pad, 'y')}};
        events.push_back(std::move(e));
      }
      if (!store->Append("long-project", ExpectedVersion::Any(), std::move(events)).ok()) std::exit(1);
    }
  }
  RocksDbStoreOptions o;
  o.path = path;
  auto store = std::move(RocksDbEventStore::Open(o)).value();  // reopened: block cache empty
  auto time_read = [&] {
    auto t0 = Clock::now();
    auto events = store->ReadStream("long-project", 1, 1000);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!events.ok() || events->size() != 1000) std::exit(1);
    return ms;
  };
  ReadFigures f;
  f.cold_ms = time_read();
  std::vector<double> warm;
  for (int i = 0; i < 21; ++i) warm.push_back(time_read());
  std::sort(warm.begin(), warm.end());
  f.warm_median_ms = warm[warm.size() / 2];
  return f;
}

// Runs Debian's db_bench (fillrandom, sync, 300-byte values) with `threads`
// writer threads in the same directory tree, about 64,000 writes in all;
// returns ops/s (0 if unavailable).
double RunDbBench(const Args& args, int threads, Json& details) {
  if (!fs::exists(args.db_bench)) {
    details["db_bench"] = "not found at " + args.db_bench;
    return 0;
  }
  std::string dir = args.dir + "/db_bench";
  fs::remove_all(dir);
  const std::string key = "db_bench_" + std::to_string(threads) + "_threads";
  std::string cmd = args.db_bench + " --benchmarks=fillrandom --sync=1 --threads=" + std::to_string(threads) +
                    " --value_size=300 --num=" + std::to_string(64'000 / threads) + " --db=" + dir + " 2>&1";
  details[key + "_command"] = cmd;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return 0;
  char line[1024];
  double ops = 0;
  while (std::fgets(line, sizeof line, p)) {
    std::string s(line);
    if (s.rfind("fillrandom", 0) == 0) {
      details[key + "_output"] = s.substr(0, s.find_last_not_of("\n") + 1);
      auto at = s.find(" ops/sec");
      auto begin = s.rfind(' ', at - 1);
      if (at != std::string::npos && begin != std::string::npos) ops = std::stod(s.substr(begin + 1, at - begin - 1));
    }
  }
  pclose(p);
  fs::remove_all(dir);
  return ops;
}

int Main(int argc, char** argv) {
  Args args = ParseArgs(argc, argv);
  fs::create_directories(args.dir);
  size_t pad = PadFor300Bytes();
  Json details;
  details["event_bytes"] = 300;
  details["seconds_per_level"] = args.seconds;
  details["dir"] = fs::absolute(args.dir).string();

  // Each level beside db_bench at the same thread count, run right after it
  // on the same disk: like compared with like.
  std::vector<AppendFigures> levels;
  std::vector<double> raw;
  for (int appenders : {1, 16, 64}) {
    std::printf("appending with %d appender(s) for %.1f s...\n", appenders, args.seconds);
    std::fflush(stdout);
    levels.push_back(RunAppenders(args, appenders, pad));
    std::printf("db_bench fillrandom, sync, %d thread(s), 300-byte values...\n", appenders);
    std::fflush(stdout);
    raw.push_back(RunDbBench(args, appenders, details));
  }
  std::printf("reading a 1,000-event stream...\n");
  ReadFigures read = RunStreamRead(args, pad);
  fs::remove_all(args.dir);

  std::vector<Figure> figures;
  for (size_t i = 0; i < levels.size(); ++i) {
    const AppendFigures& l = levels[i];
    std::string n = std::to_string(l.appenders) + " appender" + (l.appenders > 1 ? "s" : "");
    Figure tput{"durable appends/s, " + n, l.events_per_s, "events/s", "", true};
    Figure p99{"p99 ack latency, " + n, l.p99_ms, "ms", "", true};
    if (l.appenders == 64) {
      p99.target = "<= 10";
      p99.met = l.p99_ms <= 10;
    }
    figures.push_back(tput);
    figures.push_back({"p50 ack latency, " + n, l.p50_ms, "ms", "", true});
    figures.push_back(p99);
    figures.push_back({"appends per WAL sync, " + n, l.events_per_sync, "appends", "", true});
    const std::string t = std::to_string(l.appenders) + " thread" + (l.appenders > 1 ? "s" : "");
    figures.push_back({"db_bench fillrandom sync, " + t + " (raw RocksDB)", raw[i], "ops/s", "", true});
    if (raw[i] > 0) {
      const double ratio = l.events_per_s / raw[i];
      Figure r{n + " / db_bench " + t, ratio, "x", "", true};
      if (l.appenders == 64) {
        r.target = ">= 2.5";
        r.met = ratio >= 2.5;
      }
      figures.push_back(r);
    }
  }
  figures.push_back({"read 1,000-event stream, first read after reopen", read.cold_ms, "ms", "", true});
  figures.push_back({"read 1,000-event stream, median warm", read.warm_median_ms, "ms", "", true});
  Report("store", figures, details, args.results);
  return 0;
}

}  // namespace
}  // namespace relais::bench

int main(int argc, char** argv) { return relais::bench::Main(argc, argv); }
