// Guard expressions: the small condition language of workflow files, e.g.
//   exists(state.porteur) and event.verdict == 'positif'
//   count(state.conventions) >= 1 or not (project.phase in ['etude', 'montage'])
//   state.montant_accorde + event.montant <= state.plafond
//   count(state.lettres, item.type == 'soutien') >= 3 and actor.partner in state.financeurs
// A guard is parsed once at load time by a recursive-descent parser that
// reports precise columns. Evaluation never throws or crashes: a missing field
// is null, a comparison between incompatible types is false; what can not be
// computed (division by zero, integer overflow, arithmetic on null) yields an
// ExpressionError that the caller turns into a refusal. Grammar and
// semantics: docs/workflow-language.md, section 5.
//
// Thread-safety: a parsed Guard is immutable; safe to evaluate from many threads.
#pragma once

#include <functional>
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
  kIn,  // children[1]: a kList, or a path to a list
  // Arithmetic over numbers: children {a, b} (kNeg: {a}).
  kAdd,
  kSub,
  kMul,
  kDiv,
  kNeg,
  // Aggregates over the list at `path` (a path through a list projects).
  // kCount may carry a condition over `item` (children {cond}); kAny and kAll always do.
  kSum,
  kMin,
  kMax,
  kAny,
  kAll,
};

struct GuardNode {
  GuardOp op = GuardOp::kLiteral;
  int column = 1;                 // 1-based column of the node's first token
  Json literal;                   // kLiteral
  std::vector<std::string> path;  // kPath and the functions: {"state", "porteur"}
  std::vector<std::shared_ptr<const GuardNode>> children;
  std::string text;  // arithmetic and aggregates: their source text, for messages
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
inline constexpr std::string_view kActorRoot = "actor";  // actor.subject, actor.partner, actor.roles
inline constexpr std::string_view kItemRoot = "item";    // the element, inside count/any/all(list, condition)

// Who sends the command, as guards see it (`actor.*`). Views: the strings
// must outlive the evaluation.
struct ActorView {
  std::string_view subject;
  std::optional<std::string_view> partner;          // the partner the actor acts for; absent = null
  const std::vector<std::string>* roles = nullptr;  // null = no roles
};

// A JSON value built on its first read, for a value most evaluations never
// read (the project view: few guards say `project.`).
// Thread-safety: not thread-safe (one evaluation's context).
class LazyJson {
 public:
  explicit LazyJson(std::function<Json()> build) : build_(std::move(build)) {}
  const Json& Get() const {
    if (!value_) value_ = build_();
    return *value_;
  }

 private:
  std::function<Json()> build_;
  mutable std::optional<Json> value_;
};

// What a guard is evaluated against. All pointers must remain live during Evaluate.
struct GuardContext {
  const Json* state = nullptr;             // the project's state fields (object)
  const Json* event = nullptr;             // the command's data (object); null when absent
  const Json* project = nullptr;           // {"phase": ..., "suspended": ..., "tracks": {...}}
  const ActorView* actor = nullptr;        // null: every actor.* path is null
  const Json* item = nullptr;              // set by the evaluator inside count/any/all(list, condition)
  const LazyJson* lazy_project = nullptr;  // read for `project.` when project is null
};

// Why an expression could not be computed: division by zero, integer
// overflow, arithmetic on null or on a non-number, an aggregate over a
// non-number. message names the sub-expression and the values, e.g.
// "division by zero: state.total / state.nb_personnes (state.nb_personnes = 0)".
struct ExpressionError {
  int column = 1;  // 1-based, of the failing sub-expression in the expression text
  std::string message;
};

// The outcome of evaluating a guard, with the values it looked at so that a
// refusal can say "state.porteur = null". When error is set, passed is false.
struct GuardResult {
  bool passed = false;
  std::map<std::string, Json> observed;  // path or aggregate -> value seen (null when missing)
  std::optional<ExpressionError> error;
};

// The outcome of evaluating a value expression (set:/append:/remove:).
struct ValueResult {
  Json value;  // null when error is set
  std::optional<ExpressionError> error;
};

class Guard {
 public:
  // Parses `text`. On error returns the error (never throws, bounded recursion).
  static std::variant<Guard, GuardParseError> Parse(std::string_view text,
                                                    const WorkflowLimits& limits = DefaultLimits());
  // Parses a value expression (a literal, a path, arithmetic, count/sum/min/max), used by `set:`/`append:`.
  static std::variant<Guard, GuardParseError> ParseValue(std::string_view text,
                                                         const WorkflowLimits& limits = DefaultLimits());

  const std::string& source() const { return source_; }
  const GuardNode& root() const { return *root_; }

  // Every path node (including the functions' arguments), in source order.
  std::vector<const GuardNode*> Paths() const;

  // Evaluates as a condition: true only if the expression yields boolean true.
  GuardResult Evaluate(const GuardContext& context) const;
  // The same, but `observed` is filled only when the guard does not pass
  // (evaluation is pure: a failure is evaluated again, observing): for the
  // command path, which shows observed values only in refusals.
  GuardResult EvaluateExplainingFailure(const GuardContext& context) const;
  // Evaluates as a value (for set/append).
  ValueResult EvaluateValue(const GuardContext& context) const;

 private:
  void Init(std::string_view text, std::shared_ptr<const GuardNode> root);

  std::string source_;
  std::shared_ptr<const GuardNode> root_;
};

// Looks `path` up in the context; missing → null. A path through a list
// projects: state.financements.montant is the list of the items' montant
// (items without it are skipped; lists met on the way are flattened).
Json ResolvePath(const std::vector<std::string>& path, const GuardContext& context);

}  // namespace relais::workflow
