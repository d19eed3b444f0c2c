#include "engine/server/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace relais::server {
namespace {

enum Type { kCounter = 0, kGauge = 1, kHistogram = 2 };

const char* TypeName(int type) {
  switch (type) {
    case kCounter: return "counter";
    case kGauge: return "gauge";
    default: return "histogram";
  }
}

bool IsValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

Labels Canonical(const Labels& labels) {
  Labels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (!IsValidName(sorted[i].first, false) || sorted[i].first.starts_with("__") || sorted[i].first == "le") {
      throw std::invalid_argument("bad metric label name: " + sorted[i].first);
    }
    if (i > 0 && sorted[i].first == sorted[i - 1].first) {
      throw std::invalid_argument("duplicate metric label: " + sorted[i].first);
    }
  }
  return sorted;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, ptr) : std::string("NaN");
}

void AppendEscaped(std::string& out, std::string_view text, bool quotes) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quotes)
      out += "\\\"";
    else
      out += c;
  }
}

// {a="x",b="y"} plus an optional extra pair (le for buckets); "" if empty.
std::string LabelText(const Labels& labels, std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [n, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += n;
    out += "=\"";
    AppendEscaped(out, v, true);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

struct Metrics::Family {
  int type;
  std::string help;
  std::vector<double> bounds;  // histograms only
  std::map<Labels, std::unique_ptr<Counter>> counters;
  std::map<Labels, std::unique_ptr<Gauge>> gauges;
  std::map<Labels, std::unique_ptr<Histogram>> histograms;
  struct Callback {
    CallbackId id;
    Labels labels;
    std::function<double()> fn;
  };
  std::vector<Callback> callbacks;
};

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Family& Metrics::FamilyFor(std::string_view name, std::string_view help, int type) {
  if (!IsValidName(name, true)) throw std::invalid_argument("bad metric name: " + std::string(name));
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto family = std::make_unique<Family>();
    family->type = type;
    family->help = std::string(help);
    it = families_.emplace(std::string(name), std::move(family)).first;
  } else if (it->second->type != type) {
    throw std::invalid_argument("metric " + std::string(name) + " is already a " + TypeName(it->second->type));
  }
  return *it->second;
}

Counter& Metrics::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  Labels key = Canonical(labels);
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = FamilyFor(name, help, kCounter).counters[key];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Metrics::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  Labels key = Canonical(labels);
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = FamilyFor(name, help, kGauge).gauges[key];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Metrics::GetHistogram(std::string_view name, std::string_view help, const Labels& labels,
                                 std::vector<double> bounds) {
  Labels key = Canonical(labels);
  for (size_t i = 1; i < bounds.size(); ++i) {
    if (!(bounds[i - 1] < bounds[i])) throw std::invalid_argument("histogram bounds must increase");
  }
  if (!bounds.empty() && std::isinf(bounds.back())) bounds.pop_back();  // +Inf is implicit
  std::lock_guard<std::mutex> lock(mu_);
  Family& family = FamilyFor(name, help, kHistogram);
  if (family.histograms.empty() && family.bounds.empty()) family.bounds = std::move(bounds);
  auto& slot = family.histograms[key];
  if (!slot) slot = std::make_unique<Histogram>(family.bounds);
  return *slot;
}

Metrics::CallbackId Metrics::AddGaugeCallback(std::string_view name, std::string_view help, const Labels& labels,
                                              std::function<double()> fn) {
  Labels key = Canonical(labels);
  std::lock_guard<std::mutex> lock(mu_);
  Family& family = FamilyFor(name, help, kGauge);
  CallbackId id = next_callback_id_++;
  family.callbacks.push_back({id, std::move(key), std::move(fn)});
  return id;
}

void Metrics::RemoveGaugeCallback(CallbackId id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, family] : families_) {
    std::erase_if(family->callbacks, [id](const Family::Callback& c) { return c.id == id; });
  }
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + ' ';
    AppendEscaped(out, family->help, false);
    out += "\n# TYPE " + name + ' ' + TypeName(family->type) + '\n';
    for (const auto& [labels, c] : family->counters) {
      out += name + LabelText(labels) + ' ' + std::to_string(c->value()) + '\n';
    }
    for (const auto& [labels, g] : family->gauges) {
      out += name + LabelText(labels) + ' ' + FormatDouble(g->value()) + '\n';
    }
    for (const auto& cb : family->callbacks) {
      double v = cb.fn ? cb.fn() : 0;
      out += name + LabelText(cb.labels) + ' ' + FormatDouble(v) + '\n';
    }
    for (const auto& [labels, h] : family->histograms) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i <= h->bounds().size(); ++i) {
        cumulative += h->bucket_count(i);
        std::string le = i < h->bounds().size() ? FormatDouble(h->bounds()[i]) : "+Inf";
        out += name + "_bucket" + LabelText(labels, "le", le) + ' ' + std::to_string(cumulative) + '\n';
      }
      out += name + "_sum" + LabelText(labels) + ' ' + FormatDouble(h->sum()) + '\n';
      out += name + "_count" + LabelText(labels) + ' ' + std::to_string(cumulative) + '\n';
    }
  }
  return out;
}

}  // namespace relais::server
