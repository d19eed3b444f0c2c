// Guard expressions: the small condition language of workflow files, e.g.
//   exists(state.porteur) and event.verdict == 'positif'
//   count(state.conventions) >= 1 or not (project.phase in ['etude', 'montage'])
// A guard is parsed once at load time by a recursive-descent parser that
// reports precise columns; evaluation never fails (a missing field is null, a
// comparison between incompatible types is false), so a loaded guard can not
// crash or throw at run time. Grammar and semantics: docs/workflow-language.md.
//
// Thread-safety: a parsed Guard is immutable; safe to evaluate from many threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/util/json.h"
#include "engine/workflow/limits.h"

namespace relais::workflow {

enum class GuardOp {
  kLiteral,  // literal
  kList,     // [a, b, ...]; only as the right side of `in`
  kPath,     // path
  kExists,   // exists(path)
  kCount,    // count(path)
  kNot,
  kAnd,  // n-ary: every child, left to right, short-circuit
  kOr,   // n-ary
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,
};

struct GuardNode {
  GuardOp op = GuardOp::kLiteral;
  int column = 1;                 // 1-based column of the node's first token
  Json literal;                   // kLiteral
  std::vector<std::string> path;  // kPath, kExists, kCount: {"state", "porteur"}
  std::vector<std::shared_ptr<const GuardNode>> children;
};

// "state.porteur"
std::string JoinPath(const std::vector<std::string>& path);

struct GuardParseError {
  int column = 1;  // 1-based, in the expression text
  std::string message;
  std::string found;
  std::string expected;
};

// The roots a path may start with.
inline constexpr std::string_view kStateRoot = "state";
inline constexpr std::string_view kEventRoot = "event";
inline constexpr std::string_view kProjectRoot = "project";

// What a guard is evaluated against. All pointers must remain live during Evaluate.
struct GuardContext {
  const Json* state = nullptr;    // the project's state fields (object)
  const Json* event = nullptr;    // the command's data (object); null when absent
  const Json* project = nullptr;  // {"phase": ..., "suspended": ..., "tracks": {...}}
};

// The outcome of evaluating a guard, with the values it looked at so that a
// refusal can say "state.porteur = null".
struct GuardResult {
  bool passed = false;
  std::map<std::string, Json> observed;  // path -> value seen (null when missing)
};

class Guard {
 public:
  // Parses `text`. On error returns the error (never throws, bounded recursion).
  static std::variant<Guard, GuardParseError> Parse(std::string_view text,
                                                    const WorkflowLimits& limits = DefaultLimits());
  // Parses a value expression (a literal or a path), used by `set:`/`append:`.
  static std::variant<Guard, GuardParseError> ParseValue(std::string_view text,
                                                         const WorkflowLimits& limits = DefaultLimits());

  const std::string& source() const { return source_; }
  const GuardNode& root() const { return *root_; }

  // Every path node (including exists/count arguments), in source order.
  std::vector<const GuardNode*> Paths() const;

  // Evaluates as a condition: true only if the expression yields boolean true.
  GuardResult Evaluate(const GuardContext& context) const;
  // Evaluates as a value (for set/append).
  Json EvaluateValue(const GuardContext& context) const;

 private:
  std::string source_;
  std::shared_ptr<const GuardNode> root_;
};

// Looks `path` up in the context; missing → null.
Json ResolvePath(const std::vector<std::string>& path, const GuardContext& context);

}  // namespace relais::workflow
