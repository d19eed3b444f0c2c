#include "bench/bench_report.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "engine/util/time_format.h"

namespace relais::bench {

void LatencyRecorder::Merge(const LatencyRecorder& other) {
  samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
  sorted_ = false;
}

double LatencyRecorder::PercentileMs(double q) {
  if (samples_.empty()) return 0;
  if (!sorted_) std::sort(samples_.begin(), samples_.end());
  sorted_ = true;
  size_t i = std::min(samples_.size() - 1, static_cast<size_t>(q * static_cast<double>(samples_.size())));
  return static_cast<double>(samples_[i]) / 1e6;
}

void Report(const std::string& benchmark, const std::vector<Figure>& figures, const Json& extra,
            const std::string& results_dir) {
  std::printf("\n%-58s %14s  %-10s %s\n", ("benchmark: " + benchmark).c_str(), "value", "unit", "target");
  std::printf("%s\n", std::string(100, '-').c_str());
  Json rows = Json::array();
  for (const Figure& f : figures) {
    std::printf("%-58s %14.3f  %-10s %s%s\n", f.name.c_str(), f.value, f.unit.c_str(), f.target.c_str(),
                f.target.empty() ? "" : (f.met ? "  (met)" : "  (NOT met)"));
    Json row = {{"name", f.name}, {"value", f.value}, {"unit", f.unit}};
    if (!f.target.empty()) {
      row["target"] = f.target;
      row["met"] = f.met;
    }
    rows.push_back(row);
  }
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  std::string at = FormatIso8601(SystemClock::Instance().Now());
  Json doc = {{"benchmark", benchmark},
              {"at", at},
              {"machine", {{"host", host}, {"cores", std::thread::hardware_concurrency()}}},
              {"figures", rows},
              {"details", extra}};
  std::filesystem::create_directories(results_dir);
  std::string stamp = at.substr(0, 19);
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  for (const std::string& name : {benchmark + "-" + stamp + ".json", benchmark + "-latest.json"}) {
    std::ofstream(std::filesystem::path(results_dir) / name) << doc.dump(2) << "\n";
  }
  std::printf("\nresults written to %s/%s-latest.json\n", results_dir.c_str(), benchmark.c_str());
}

}  // namespace relais::bench
