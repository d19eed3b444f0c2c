// Diagnostics: what the workflow loader reports to the person who wrote the
// file: every error and warning with file:line:column, what was found, what
// was expected and a hint.
//
// Thread-safety: plain values; distinct objects may be used from different threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace relais::workflow {

// 1-based line and column in the source file; 0 means "unknown".
struct SourceLocation {
  int line = 0;
  int column = 0;
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;
  SourceLocation location;
  std::string code;      // stable kebab-case id, e.g. "unknown-phase"
  std::string message;   // what is wrong, one line
  std::string found;     // what the file says (may be empty)
  std::string expected;  // what would be accepted (may be empty)
  std::string hint;      // how to fix it (may be empty)

  // "cbe.yaml:12:7: error[unknown-phase]: ... (found 'x'; expected ...)\n  hint: ..."
  std::string ToString() const;
};

class Diagnostics {
 public:
  explicit Diagnostics(std::string file, size_t max_kept = 200) : file_(std::move(file)), max_kept_(max_kept) {}

  void Error(SourceLocation at, std::string code, std::string message, std::string found = {},
             std::string expected = {}, std::string hint = {});
  void Warning(SourceLocation at, std::string code, std::string message, std::string found = {},
               std::string expected = {}, std::string hint = {});

  bool has_errors() const { return error_count_ > 0; }
  size_t error_count() const { return error_count_; }
  size_t warning_count() const { return warning_count_; }
  const std::vector<Diagnostic>& items() const { return items_; }
  const std::string& file() const { return file_; }

  // All diagnostics sorted by position, one per line (hints on their own line).
  std::string ToString() const;

 private:
  void Add(Diagnostic d);

  std::string file_;
  size_t max_kept_;
  size_t error_count_ = 0;
  size_t warning_count_ = 0;
  size_t dropped_ = 0;
  std::vector<Diagnostic> items_;
};

// Edit distance, for "did you mean" hints.
size_t EditDistance(std::string_view a, std::string_view b);

// "did you mean 'montage'?" when one candidate is close to `name`, else "".
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

// "a, b, c" (at most `max_shown`, then "…").
std::string JoinNames(const std::vector<std::string>& names, size_t max_shown = 12);

}  // namespace relais::workflow
