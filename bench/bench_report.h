// Helpers shared by the benchmark programs: latency percentiles, a printed
// table and the JSON results file under bench/results/.
//
// Thread-safety: LatencyRecorder is not thread-safe (one per thread, then Merge).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engine/util/json.h"

namespace relais::bench {

class LatencyRecorder {
 public:
  void Add(std::chrono::nanoseconds d) { samples_.push_back(d.count()); }
  void Merge(const LatencyRecorder& other);
  size_t count() const { return samples_.size(); }
  // q in [0, 1]; milliseconds. Sorts lazily.
  double PercentileMs(double q);

 private:
  std::vector<int64_t> samples_;
  bool sorted_ = false;
};

// One row of results: name, value, unit, and optional target text.
struct Figure {
  std::string name;
  double value;
  std::string unit;
  std::string target;  // e.g. ">= 50000"; empty when none
  bool met = true;
};

// Prints the figures as a table and writes {"benchmark", "at", "machine", "figures": [...]}
// to results_dir/<benchmark>-<timestamp>.json and results_dir/<benchmark>-latest.json.
void Report(const std::string& benchmark, const std::vector<Figure>& figures, const Json& extra,
            const std::string& results_dir);

}  // namespace relais::bench
