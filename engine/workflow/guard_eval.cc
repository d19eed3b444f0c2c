// Evaluation of parsed guards and value expressions (the parser is in
// guard.cc). Never throws: what can not be computed becomes an
// ExpressionError naming the sub-expression and the values it saw.
#include <cmath>
#include <limits>

#include "engine/workflow/guard.h"

namespace relais::workflow {
namespace {

// A value seen during evaluation: a reference into the context when the
// value is there already (a path that crosses no list: no copy), else owned.
class Val {
 public:
  Val() = default;  // null
  explicit Val(const Json* ref) : ref_(ref) {}
  explicit Val(Json owned) : owned_(std::move(owned)) {}
  const Json& get() const { return ref_ ? *ref_ : owned_; }
  Json take() && { return ref_ ? *ref_ : std::move(owned_); }

 private:
  const Json* ref_ = nullptr;
  Json owned_;
};

struct Evaluation {
  std::map<std::string, Json>* observed = nullptr;  // null: do not record (inside item conditions)
  std::optional<ExpressionError> error;
};

bool Truthy(const Json& v) { return v.is_boolean() && v.get<bool>(); }

// Appends the values at path[i...] below v to out; lists met on the way are
// flattened and missing or null values skipped.
void ProjectInto(const Json& v, const std::vector<std::string>& path, size_t i, Json& out) {
  if (i == path.size()) {
    if (v.is_array()) {
      for (const auto& e : v)
        if (!e.is_null()) out.push_back(e);
    } else if (!v.is_null()) {
      out.push_back(v);
    }
    return;
  }
  if (v.is_array()) {
    for (const auto& e : v) ProjectInto(e, path, i, out);
    return;
  }
  if (!v.is_object()) return;
  auto it = v.find(path[i]);
  if (it != v.end()) ProjectInto(*it, path, i + 1, out);
}

Val ActorValue(const std::vector<std::string>& path, const ActorView* actor) {
  if (actor == nullptr) return Val();
  auto roles = [&] { return actor->roles ? Json(*actor->roles) : Json::array(); };
  auto partner = [&] { return actor->partner ? Json(std::string(*actor->partner)) : Json(nullptr); };
  if (path.size() == 1)
    return Val(Json{{"subject", std::string(actor->subject)}, {"partner", partner()}, {"roles", roles()}});
  if (path.size() != 2) return Val();
  if (path[1] == "subject") return Val(Json(std::string(actor->subject)));
  if (path[1] == "partner") return Val(partner());
  if (path[1] == "roles") return Val(roles());
  return Val();
}

Val Lookup(const std::vector<std::string>& path, const GuardContext& ctx) {
  if (path.empty()) return Val();
  const std::string& root = path[0];
  if (root == kActorRoot) return ActorValue(path, ctx.actor);
  const Json* cur = root == kStateRoot     ? ctx.state
                    : root == kEventRoot   ? ctx.event
                    : root == kProjectRoot ? (ctx.project || !ctx.lazy_project ? ctx.project : &ctx.lazy_project->Get())
                    : root == kItemRoot    ? ctx.item
                                           : nullptr;
  for (size_t i = 1; cur != nullptr && i < path.size(); ++i) {
    if (cur->is_array()) {
      Json out = Json::array();
      ProjectInto(*cur, path, i, out);
      return Val(std::move(out));
    }
    if (!cur->is_object()) return Val();
    auto it = cur->find(path[i]);
    if (it == cur->end()) return Val();
    cur = &*it;
  }
  return cur == nullptr ? Val() : Val(cur);
}

// Numbers compare by value whatever their JSON representation.
bool Ordered(GuardOp op, const Json& a, const Json& b) {
  int cmp = 0;
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    cmp = x < y ? -1 : (x > y ? 1 : 0);
  } else if (a.is_string() && b.is_string()) {
    const auto& x = a.get_ref<const std::string&>();
    const auto& y = b.get_ref<const std::string&>();
    cmp = x.compare(y) < 0 ? -1 : (x.compare(y) > 0 ? 1 : 0);
  } else {
    return false;  // incomparable types: the guard fails, it never throws
  }
  switch (op) {
    case GuardOp::kLt: return cmp < 0;
    case GuardOp::kLe: return cmp <= 0;
    case GuardOp::kGt: return cmp > 0;
    case GuardOp::kGe: return cmp >= 0;
    default: return false;
  }
}

bool Equal(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

// A JSON number as int64 when it is one, else as a double.
struct Number {
  bool integer = true;
  int64_t i = 0;
  double d = 0;
  double AsDouble() const { return integer ? static_cast<double>(i) : d; }
};

std::optional<Number> ToNumber(const Json& v) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return Number{true, static_cast<int64_t>(u), 0};
    return Number{false, 0, static_cast<double>(u)};
  }
  if (v.is_number_integer()) return Number{true, v.get<int64_t>(), 0};
  if (v.is_number_float()) return Number{false, 0, v.get<double>()};
  return std::nullopt;
}

enum class ArithFailure { kNone, kDivisionByZero, kOverflow };

// Integers stay integers when the result is exact (7 / 2 = 3.5, 6 / 3 = 2).
ArithFailure Compute(GuardOp op, Number a, Number b, Json& out) {
  if (a.integer && b.integer) {
    int64_t r = 0;
    bool overflow = false;
    switch (op) {
      case GuardOp::kAdd: overflow = __builtin_add_overflow(a.i, b.i, &r); break;
      case GuardOp::kSub: overflow = __builtin_sub_overflow(a.i, b.i, &r); break;
      case GuardOp::kMul: overflow = __builtin_mul_overflow(a.i, b.i, &r); break;
      default:
        if (b.i == 0) return ArithFailure::kDivisionByZero;
        if (a.i == std::numeric_limits<int64_t>::min() && b.i == -1) return ArithFailure::kOverflow;
        if (a.i % b.i != 0) {
          out = static_cast<double>(a.i) / static_cast<double>(b.i);
          return ArithFailure::kNone;
        }
        r = a.i / b.i;
    }
    if (overflow) return ArithFailure::kOverflow;
    out = r;
    return ArithFailure::kNone;
  }
  double x = a.AsDouble(), y = b.AsDouble(), r = 0;
  switch (op) {
    case GuardOp::kAdd: r = x + y; break;
    case GuardOp::kSub: r = x - y; break;
    case GuardOp::kMul: r = x * y; break;
    default:
      if (y == 0) return ArithFailure::kDivisionByZero;
      r = x / y;
  }
  if (!std::isfinite(r)) return ArithFailure::kOverflow;
  out = r;
  return ArithFailure::kNone;
}

// "state.total" / "count(state.x)" / "3": how a message names an operand.
std::string NameOf(const GuardNode& n) {
  if (n.op == GuardOp::kPath) return JoinPath(n.path);
  if (n.op == GuardOp::kLiteral) return DumpJson(n.literal);
  return n.text.empty() ? "(...)" : n.text;
}

std::string Shown(const GuardNode& n, const Json& v) { return NameOf(n) + " = " + DumpJson(v); }

class Evaluator {
 public:
  explicit Evaluator(Evaluation& ev) : ev_(ev) {}

  Val Eval(const GuardNode& n, const GuardContext& ctx) {
    switch (n.op) {
      case GuardOp::kLiteral: return Val(&n.literal);
      case GuardOp::kList: return Val();  // only read by kIn
      case GuardOp::kPath: return Observe(n, Lookup(n.path, ctx));
      case GuardOp::kExists: return Val(Json(!Observe(n, Lookup(n.path, ctx)).get().is_null()));
      case GuardOp::kCount:
        if (n.children.empty()) return CountAll(n, ctx);
        return Aggregate(n, ctx);
      case GuardOp::kAny:
      case GuardOp::kAll:
      case GuardOp::kSum:
      case GuardOp::kMin:
      case GuardOp::kMax: return Aggregate(n, ctx);
      case GuardOp::kNot: {
        Val v = Eval(*n.children[0], ctx);
        return Failed() ? Val() : Val(Json(!Truthy(v.get())));
      }
      case GuardOp::kAnd:
      case GuardOp::kOr: {
        const bool is_and = n.op == GuardOp::kAnd;
        for (const auto& c : n.children) {
          Val v = Eval(*c, ctx);
          if (Failed()) return Val();
          if (Truthy(v.get()) != is_and) return Val(Json(!is_and));
        }
        return Val(Json(is_and));
      }
      case GuardOp::kEq:
      case GuardOp::kNe:
      case GuardOp::kLt:
      case GuardOp::kLe:
      case GuardOp::kGt:
      case GuardOp::kGe: {
        Val a = Eval(*n.children[0], ctx);
        if (Failed()) return Val();
        Val b = Eval(*n.children[1], ctx);
        if (Failed()) return Val();
        if (n.op == GuardOp::kEq) return Val(Json(Equal(a.get(), b.get())));
        if (n.op == GuardOp::kNe) return Val(Json(!Equal(a.get(), b.get())));
        return Val(Json(Ordered(n.op, a.get(), b.get())));
      }
      case GuardOp::kIn: return In(n, ctx);
      case GuardOp::kAdd:
      case GuardOp::kSub:
      case GuardOp::kMul:
      case GuardOp::kDiv:
      case GuardOp::kNeg: return Arithmetic(n, ctx);
    }
    return Val();
  }

  bool Failed() const { return ev_.error.has_value(); }

 private:
  Val Observe(const GuardNode& n, Val v) {
    if (ev_.observed && n.path.front() != kItemRoot) (*ev_.observed)[JoinPath(n.path)] = v.get();
    return v;
  }

  void Fail(int column, std::string message) {
    if (!ev_.error) ev_.error = ExpressionError{column, std::move(message)};
  }

  // count(p): size of a list or object, 0 when absent, 1 for any other value.
  Val CountAll(const GuardNode& n, const GuardContext& ctx) {
    Val v = Observe(n, Lookup(n.path, ctx));
    const Json& x = v.get();
    if (x.is_array() || x.is_object()) return Val(Json(static_cast<int64_t>(x.size())));
    return Val(Json(x.is_null() ? 0 : 1));
  }

  Val In(const GuardNode& n, const GuardContext& ctx) {
    Val v = Eval(*n.children[0], ctx);
    if (Failed()) return Val();
    const GuardNode& right = *n.children[1];
    if (right.op == GuardOp::kList) {
      for (const auto& item : right.children)
        if (Equal(v.get(), item->literal)) return Val(Json(true));
      return Val(Json(false));
    }
    Val list = Eval(right, ctx);
    if (Failed() || !list.get().is_array()) return Val(Json(false));
    for (const auto& item : list.get())
      if (Equal(v.get(), item)) return Val(Json(true));
    return Val(Json(false));
  }

  // count(p, cond), any, all, sum, min, max over the list at n.path.
  Val Aggregate(const GuardNode& n, const GuardContext& ctx) {
    Val list = Lookup(n.path, ctx);
    const Json& items = list.get();
    if (!items.is_null() && !items.is_array()) {
      Fail(n.column, n.text + " needs a list (" + JoinPath(n.path) + " = " + DumpJson(items) + ")");
      return Val();
    }
    static const Json kEmpty = Json::array();
    const Json& each = items.is_null() ? kEmpty : items;
    Json result = n.op == GuardOp::kCount || n.op == GuardOp::kAny || n.op == GuardOp::kAll ? Matching(n, ctx, each)
                                                                                            : Numeric(n, each);
    if (Failed()) return Val();
    if (ev_.observed) (*ev_.observed)[n.text] = result;
    return Val(std::move(result));
  }

  Json Matching(const GuardNode& n, const GuardContext& ctx, const Json& items) {
    GuardContext inner = ctx;
    // Item conditions are not recorded: one value per item would bury the message.
    auto* observed = ev_.observed;
    ev_.observed = nullptr;
    int64_t matched = 0;
    size_t seen = 0;
    for (const auto& item : items) {
      inner.item = &item;
      Val v = Eval(*n.children[0], inner);
      if (Failed()) break;
      ++seen;
      if (Truthy(v.get())) {
        ++matched;
        if (n.op == GuardOp::kAny) break;
      } else if (n.op == GuardOp::kAll) {
        break;
      }
    }
    ev_.observed = observed;
    if (n.op == GuardOp::kAny) return matched > 0;
    if (n.op == GuardOp::kAll) return static_cast<size_t>(matched) == seen;
    return matched;
  }

  // sum (0 for no item), min and max (null for no item); null items are skipped.
  Json Numeric(const GuardNode& n, const Json& items) {
    Json acc;  // null until the first number
    size_t index = 0;
    for (const auto& item : items) {
      ++index;
      if (item.is_null()) continue;
      std::optional<Number> x = ToNumber(item);
      if (!x) {
        Fail(n.column, n.text + ": item " + std::to_string(index) + " is not a number (" + DumpJson(item) + ")");
        return nullptr;
      }
      if (acc.is_null()) {
        acc = item;
        continue;
      }
      Number a = *ToNumber(acc);
      if (n.op == GuardOp::kSum) {
        Json next;
        if (Compute(GuardOp::kAdd, a, *x, next) != ArithFailure::kNone) {
          Fail(n.column,
               std::string(a.integer && x->integer ? "integer overflow: " : "number out of range: ") + n.text);
          return nullptr;
        }
        acc = std::move(next);
      } else if (n.op == GuardOp::kMin ? x->AsDouble() < a.AsDouble() : x->AsDouble() > a.AsDouble()) {
        acc = item;
      }
    }
    if (acc.is_null() && n.op == GuardOp::kSum) return 0;
    return acc;
  }

  Val Arithmetic(const GuardNode& n, const GuardContext& ctx) {
    const GuardNode& left = *n.children[0];
    Val a = Eval(left, ctx);
    if (Failed()) return Val();
    std::optional<Number> x = Operand(n, left, a.get());
    if (!x) return Val();
    if (n.op == GuardOp::kNeg) {
      if (!x->integer) return Val(Json(-x->d));
      if (x->i == std::numeric_limits<int64_t>::min()) {
        Fail(n.column, "integer overflow: " + n.text + " (" + Shown(left, a.get()) + ")");
        return Val();
      }
      return Val(Json(-x->i));
    }
    const GuardNode& right = *n.children[1];
    Val b = Eval(right, ctx);
    if (Failed()) return Val();
    std::optional<Number> y = Operand(n, right, b.get());
    if (!y) return Val();
    Json out;
    switch (Compute(n.op, *x, *y, out)) {
      case ArithFailure::kNone: return Val(std::move(out));
      case ArithFailure::kDivisionByZero:
        Fail(right.column, "division by zero: " + n.text + " (" + Shown(right, b.get()) + ")");
        return Val();
      case ArithFailure::kOverflow:
        Fail(n.column, std::string(x->integer && y->integer ? "integer overflow: " : "number out of range: ") + n.text +
                           " (" + Shown(left, a.get()) + ", " + Shown(right, b.get()) + ")");
        return Val();
    }
    return Val();
  }

  // The number an arithmetic operand holds, or an error naming it.
  std::optional<Number> Operand(const GuardNode& n, const GuardNode& operand, const Json& v) {
    if (auto x = ToNumber(v)) return x;
    Fail(operand.column, std::string(v.is_null() ? "null operand in arithmetic: " : "operand is not a number: ") +
                             n.text + " (" + Shown(operand, v) + ")");
    return std::nullopt;
  }

  Evaluation& ev_;
};

}  // namespace

GuardResult Guard::Evaluate(const GuardContext& context) const {
  GuardResult result;
  Evaluation ev{&result.observed, std::nullopt};
  Val v = Evaluator(ev).Eval(*root_, context);
  if (ev.error) {
    result.error = std::move(ev.error);
    return result;
  }
  result.passed = Truthy(v.get());
  return result;
}

GuardResult Guard::EvaluateExplainingFailure(const GuardContext& context) const {
  Evaluation ev;
  Val v = Evaluator(ev).Eval(*root_, context);
  if (!ev.error && Truthy(v.get())) return GuardResult{true, {}, std::nullopt};
  return Evaluate(context);
}

ValueResult Guard::EvaluateValue(const GuardContext& context) const {
  Evaluation ev;
  Val v = Evaluator(ev).Eval(*root_, context);
  if (ev.error) return ValueResult{Json(), std::move(ev.error)};
  return ValueResult{std::move(v).take(), std::nullopt};
}

Json ResolvePath(const std::vector<std::string>& path, const GuardContext& context) {
  return Lookup(path, context).take();
}

}  // namespace relais::workflow
