#include "engine/workflow/expression_types.h"

#include <algorithm>

#include "engine/workflow/diagnostics.h"
#include "engine/workflow/json_schema.h"

namespace relais::workflow {
namespace {

const std::vector<std::string> kActorFields = {"subject", "partner", "roles"};

bool HasType(const std::vector<std::string>& types, std::string_view t) {
  return std::find(types.begin(), types.end(), t) != types.end();
}

const Json* ItemsOf(const Json& schema) {
  if (!HasType(SchemaTypes(schema), "array")) return nullptr;
  auto it = schema.find("items");
  return it != schema.end() && it->is_object() ? &*it : nullptr;
}

// What the loader knows of an expression's value: its JSON types (empty =
// unknown) and, for a list, the schema of its items when declared.
struct Type {
  std::vector<std::string> types;
  const Json* items = nullptr;
  bool known() const { return !types.empty(); }
  bool Has(std::string_view t) const { return HasType(types, t); }
  bool Numeric() const { return Has("number") || Has("integer"); }
};

Type OfSchema(const Json& schema) { return Type{SchemaTypes(schema), ItemsOf(schema)}; }

std::string Named(const GuardNode& n) {
  if (n.op == GuardOp::kPath) return JoinPath(n.path);
  if (n.op == GuardOp::kLiteral) return DumpJson(n.literal);
  return n.text;
}

std::string FunctionName(GuardOp op) {
  switch (op) {
    case GuardOp::kCount: return "count";
    case GuardOp::kSum: return "sum";
    case GuardOp::kMin: return "min";
    case GuardOp::kMax: return "max";
    case GuardOp::kAny: return "any";
    case GuardOp::kAll: return "all";
    default: return "?";
  }
}

class Checker {
 public:
  explicit Checker(const ExpressionScope& scope) : scope_(scope) {}

  void Check(const GuardNode& n) {
    if (!n.path.empty()) CheckRoot(n);
    switch (n.op) {
      case GuardOp::kAdd:
      case GuardOp::kSub:
      case GuardOp::kMul:
      case GuardOp::kDiv:
      case GuardOp::kNeg:
        for (const auto& c : n.children) {
          Check(*c);
          CheckNumeric(*c);
        }
        if (n.op == GuardOp::kDiv && IsLiteralZero(*n.children[1]))
          Problem(n.children[1]->column, "division-by-zero", "division by the literal 0", Named(*n.children[1]),
                  "a divisor other than 0", "this expression could never be computed");
        return;
      case GuardOp::kSum:
      case GuardOp::kMin:
      case GuardOp::kMax: CheckNumberList(n); return;
      case GuardOp::kAny:
      case GuardOp::kAll:
      case GuardOp::kCount: {
        if (n.children.empty()) return;  // count(p): the loader's CheckPath
        Type list = PathType(n);
        if (list.known() && !list.Has("array"))
          Problem(n.column, "guard-type", FunctionName(n.op) + "(list, condition) needs a list",
                  "'" + JoinPath(n.path) + "' of type " + JoinNames(list.types), "a field of type array");
        items_.push_back(list.items);
        Check(*n.children[0]);
        items_.pop_back();
        return;
      }
      case GuardOp::kIn: {
        Check(*n.children[0]);
        const GuardNode& right = *n.children[1];
        if (right.op != GuardOp::kPath) return;
        Check(right);
        Type t = PathType(right);
        if (t.known() && !t.Has("array"))
          Problem(right.column, "guard-type", "'in' needs a list",
                  "'" + JoinPath(right.path) + "' of type " + JoinNames(t.types),
                  "a field of type array, or a list of literals ['a', 'b']");
        return;
      }
      default:
        for (const auto& c : n.children) Check(*c);
    }
  }

  std::vector<ExpressionProblem> problems() && { return std::move(problems_); }

  std::vector<std::string> TypesOf(const GuardNode& n) { return TypeOf(n).types; }

 private:
  void Problem(int column, std::string code, std::string message, std::string found, std::string expected,
               std::string hint = {}) {
    problems_.push_back(
        {column, std::move(code), std::move(message), std::move(found), std::move(expected), std::move(hint)});
  }

  static bool IsLiteralZero(const GuardNode& n) {
    return n.op == GuardOp::kLiteral && n.literal.is_number() && n.literal.get<double>() == 0;
  }

  void CheckNumeric(const GuardNode& operand) {
    Type t = TypeOf(operand);
    if (!t.known() || t.Numeric()) return;
    Problem(operand.column, "guard-type", "arithmetic on a value that is not a number",
            "'" + Named(operand) + "' of type " + JoinNames(t.types), "a number: a field of type number or integer",
            "+ - * / apply to numbers only");
  }

  void CheckNumberList(const GuardNode& n) {
    const std::string fn = FunctionName(n.op);
    const std::string path = JoinPath(n.path);
    Type list = PathType(n);
    if (list.known() && !list.Has("array")) {
      Problem(n.column, "guard-type", fn + "() needs a list of numbers",
              "'" + path + "' of type " + JoinNames(list.types), "a field of type array whose items are numbers");
      return;
    }
    if (list.items == nullptr) return;
    Type item = OfSchema(*list.items);
    if (!item.known() || item.Numeric()) return;
    std::vector<std::string> numeric;
    if (auto props = list.items->find("properties"); props != list.items->end() && props->is_object())
      for (const auto& [k, v] : props->items())
        if (OfSchema(v).Numeric()) numeric.push_back(k);
    Problem(n.column, "guard-type", fn + "() over a list whose items are not numbers",
            "items of '" + path + "' of type " + JoinNames(item.types), "a list of numbers, or a projection",
            numeric.empty()
                ? "project a numeric field of the items: " + fn + "(" + path + ".<field>)"
                : "project a numeric field of the items, e.g. " + fn + "(" + path + "." + numeric.front() + ")");
  }

  // actor.* and item.*: the loader's CheckPath knows state, event and project.
  void CheckRoot(const GuardNode& p) {
    const std::string full = JoinPath(p.path);
    if (p.path[0] == kActorRoot) {
      if (p.path.size() == 1) return;
      if (p.path.size() == 2 && HasType(kActorFields, p.path[1])) return;
      Problem(p.column, "unknown-field", "unknown actor field", "'" + full + "'",
              "actor.subject, actor.partner or actor.roles", DidYouMean(p.path[1], kActorFields));
      return;
    }
    if (p.path[0] != kItemRoot || p.path.size() == 1 || items_.empty() || items_.back() == nullptr) return;
    // Walk as far as declared, to name the first unknown segment.
    const Json* schema = items_.back();
    for (size_t i = 1; i < p.path.size(); ++i) {
      bool crossed = false;
      const Json* step = SchemaThrough(*schema, {p.path[i]}, 0, &crossed);
      if (step != nullptr) {
        schema = step;
        continue;
      }
      std::vector<std::string> declared;
      auto props = schema->find("properties");
      if (props != schema->end() && props->is_object())
        for (const auto& [k, v] : props->items()) declared.push_back(k);
      Type t = OfSchema(*schema);
      if (declared.empty() && (!t.known() || t.Has("object"))) return;  // an open object: any field
      Problem(p.column, "unknown-field", "the list's items have no field '" + p.path[i] + "'", "'" + full + "'",
              declared.empty() ? "items of type " + JoinNames(t.types) + " have no fields"
                               : "one of " + JoinNames(declared),
              DidYouMean(p.path[i], declared));
      return;
    }
  }

  Type TypeOf(const GuardNode& n) {
    switch (n.op) {
      case GuardOp::kLiteral:
        if (n.literal.is_number()) return Type{{"number"}};
        if (n.literal.is_string()) return Type{{"string"}};
        if (n.literal.is_boolean()) return Type{{"boolean"}};
        return Type{{"null"}};
      case GuardOp::kList: return Type{{"array"}};
      case GuardOp::kPath: return PathType(n);
      case GuardOp::kAdd:
      case GuardOp::kSub:
      case GuardOp::kMul:
      case GuardOp::kDiv:
      case GuardOp::kNeg:
      case GuardOp::kCount:
      case GuardOp::kSum: return Type{{"number"}};
      case GuardOp::kMin:
      case GuardOp::kMax: return Type{{"number", "null"}};
      default: return Type{{"boolean"}};
    }
  }

  Type PathType(const GuardNode& p) {
    static const Json kRoles = {{"type", "array"}, {"items", {{"type", "string"}}}};
    const std::string& root = p.path[0];
    if (root == kActorRoot) {
      if (p.path.size() != 2) return {};
      if (p.path[1] == "roles") return OfSchema(kRoles);
      if (p.path[1] == "partner") return Type{{"string", "null"}};
      return p.path[1] == "subject" ? Type{{"string"}} : Type{};
    }
    if (root == kProjectRoot) {
      if (p.path.size() == 2 && p.path[1] == "phase") return Type{{"string"}};
      if (p.path.size() == 2 && p.path[1] == "suspended") return Type{{"boolean"}};
      if (p.path.size() >= 3 && p.path[1] == "tracks" && scope_.keyed_tracks != nullptr)
        if (auto keyed = scope_.keyed_tracks->find(p.path[2]); keyed != scope_.keyed_tracks->end())
          return Through(*keyed, p.path, 3);  // [{key, step}...], or a projection of it
      if (p.path.size() == 3 && p.path[1] == "tracks") return Type{{"string"}};
      if (p.path.size() >= 4 && p.path[1] == "children") return Type{{"integer"}};
      return {};
    }
    const Json* schema = root == kStateRoot   ? scope_.state_schema
                         : root == kEventRoot ? scope_.event_schema
                         : items_.empty()     ? nullptr
                                              : items_.back();
    if (schema == nullptr) return {};
    return Through(*schema, p.path, 1);
  }

  // The type of path[first...] from `schema`.
  static Type Through(const Json& schema, const std::vector<std::string>& path, size_t first) {
    bool crossed = false;
    const Json* at = SchemaThrough(schema, path, first, &crossed);
    if (at == nullptr) return {};
    if (!crossed) return OfSchema(*at);
    // A projection is a list of the values reached (lists among them flattened).
    const Json* items = ItemsOf(*at);
    return Type{{"array"}, items ? items : at};
  }

  const ExpressionScope& scope_;
  std::vector<const Json*> items_;  // item schemas of the enclosing conditions, innermost last
  std::vector<ExpressionProblem> problems_;
};

}  // namespace

const Json* SchemaThrough(const Json& schema, const std::vector<std::string>& path, size_t first, bool* crossed_list) {
  const Json* cur = &schema;
  for (size_t i = first; i < path.size(); ++i) {
    const Json* next = SchemaAt(*cur, {path[i]}, 0);
    // A field of the items of a list (of lists...): the path projects.
    for (const Json* items = ItemsOf(*cur); next == nullptr && items != nullptr; items = ItemsOf(*items)) {
      next = SchemaAt(*items, {path[i]}, 0);
      if (next != nullptr) *crossed_list = true;
    }
    if (next == nullptr) return nullptr;
    cur = next;
  }
  return cur;
}

std::vector<std::string> ExpressionValueTypes(const GuardNode& root, const ExpressionScope& scope) {
  Checker checker(scope);
  return checker.TypesOf(root);
}

std::vector<ExpressionProblem> CheckExpressionTypes(const GuardNode& root, const ExpressionScope& scope) {
  Checker checker(scope);
  checker.Check(root);
  return std::move(checker).problems();
}

}  // namespace relais::workflow
