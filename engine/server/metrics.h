// Metrics: a small registry of counters, gauges and histograms with labels,
// rendered in the Prometheus text exposition format (version 0.0.4) for
// GET /metrics. Other units add their own figures (store appends, queue
// depths...) through Get* or through gauge callbacks read at scrape time.
//
// Thread-safety: Metrics, Counter, Gauge and Histogram are safe for
// concurrent access from multiple threads without any external
// synchronization. Get* takes a lock; updating a returned series is a few
// atomic operations, so callers keep the reference for hot paths.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace relais::server {

// Label name/value pairs; order does not matter (they are sorted by name).
using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // REQUIRES: bounds strictly increasing (checked by Metrics).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Non-cumulative count of bucket i (i == bounds().size() is +Inf).
  uint64_t bucket_count(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, 1 ms to 10 s.
std::vector<double> DefaultLatencyBuckets();

class Metrics {
 public:
  using CallbackId = uint64_t;

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The series for name + labels, created on first use. References stay
  // valid for the registry's lifetime. help is kept from the first call.
  // Throws std::invalid_argument on a bad metric or label name, or when
  // name is already registered with another type: programmer errors.
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  // bounds apply when the family is created; later calls reuse them.
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels = {},
                          std::vector<double> bounds = DefaultLatencyBuckets());

  // A gauge whose value is read from fn at every scrape. fn runs under the
  // registry's lock: it must be quick and must not call into this registry.
  // Returns an id for RemoveGaugeCallback; remove it before anything fn
  // refers to dies.
  CallbackId AddGaugeCallback(std::string_view name, std::string_view help, const Labels& labels,
                              std::function<double()> fn);
  void RemoveGaugeCallback(CallbackId id);

  // Prometheus text format, families sorted by name.
  std::string RenderPrometheus() const;

 private:
  struct Family;
  Family& FamilyFor(std::string_view name, std::string_view help, int type);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
  CallbackId next_callback_id_ = 1;
};

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace relais::server
