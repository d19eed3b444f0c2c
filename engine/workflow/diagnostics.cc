#include "engine/workflow/diagnostics.h"

#include <algorithm>
#include <sstream>

#include "engine/workflow/limits.h"

namespace relais::workflow {

std::string Diagnostic::ToString() const {
  std::ostringstream os;
  os << file << ':' << location.line << ':' << location.column << ": "
     << (severity == Severity::kError ? "error" : "warning") << '[' << code << "]: " << message;
  if (!found.empty() || !expected.empty()) {
    os << " (";
    if (!found.empty()) os << "found " << found;
    if (!found.empty() && !expected.empty()) os << "; ";
    if (!expected.empty()) os << "expected " << expected;
    os << ')';
  }
  if (!hint.empty()) os << "\n  hint: " << hint;
  return os.str();
}

void Diagnostics::Error(SourceLocation at, std::string code, std::string message, std::string found,
                        std::string expected, std::string hint) {
  Add({Severity::kError, file_, at, std::move(code), std::move(message), std::move(found), std::move(expected),
       std::move(hint)});
}

void Diagnostics::Warning(SourceLocation at, std::string code, std::string message, std::string found,
                          std::string expected, std::string hint) {
  Add({Severity::kWarning, file_, at, std::move(code), std::move(message), std::move(found), std::move(expected),
       std::move(hint)});
}

void Diagnostics::Add(Diagnostic d) {
  if (d.severity == Severity::kError) {
    ++error_count_;
  } else {
    ++warning_count_;
  }
  if (items_.size() >= max_kept_) {
    ++dropped_;
    return;
  }
  items_.push_back(std::move(d));
}

std::string Diagnostics::ToString() const {
  std::vector<const Diagnostic*> sorted;
  for (const auto& d : items_) sorted.push_back(&d);
  // Stable: diagnostics at the same position keep the order they were found in.
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->location.line != b->location.line) return a->location.line < b->location.line;
    return a->location.column < b->location.column;
  });
  std::string out;
  for (const auto* d : sorted) {
    out += d->ToString();
    out += '\n';
  }
  if (dropped_ > 0) out += file_ + ": note: " + std::to_string(dropped_) + " more diagnostics not shown\n";
  return out;
}

// Optimal string alignment: a swap of two adjacent letters ("fni"/"fin")
// is one typo, as people make them.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], before[j - 2] + 1);
    }
    before = prev;
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates) {
  // Only names short enough to compare cheaply (WorkflowLimits::max_suggestion_length);
  // a typo is a small edit.
  const size_t max_length = DefaultLimits().max_suggestion_length;
  if (name.size() > max_length) return {};
  const std::string* best = nullptr;
  size_t best_distance = 0;
  for (const auto& c : candidates) {
    if (c.size() > max_length) continue;
    size_t d = EditDistance(name, c);
    if (best == nullptr || d < best_distance) {
      best = &c;
      best_distance = d;
    }
  }
  size_t allowed = std::max<size_t>(1, name.size() / 3);
  if (best == nullptr || best_distance == 0 || best_distance > allowed) return {};
  return "did you mean '" + *best + "'?";
}

std::string JoinNames(const std::vector<std::string>& names, size_t max_shown) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i == max_shown) {
      out += ", …";
      break;
    }
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

}  // namespace relais::workflow
