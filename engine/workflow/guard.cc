#include "engine/workflow/guard.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace relais::workflow {
namespace {

enum class Tok {
  kEnd,
  kIdent,
  kNumber,
  kString,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
  kNot,
  kBad,
};

struct Token {
  Tok kind = Tok::kEnd;
  int column = 1;
  std::string text;  // identifier / raw text / decoded string
  Json number;
};

std::string Describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd: return "end of expression";
    case Tok::kString: return "string '" + t.text + "'";
    default: return "'" + t.text + "'";
  }
}

// Splits the expression into tokens; a bad character or unterminated string
// becomes a kBad token that the parser reports at its column.
class Lexer {
 public:
  Lexer(std::string_view text, const WorkflowLimits& limits) : text_(text), limits_(limits) {}

  Token Next() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    Token t;
    t.column = static_cast<int>(pos_) + 1;
    if (pos_ >= text_.size()) return t;
    char c = text_[pos_];
    auto two = [&](char next) { return pos_ + 1 < text_.size() && text_[pos_ + 1] == next; };
    auto single = [&](Tok k, size_t len) {
      t.kind = k;
      t.text = std::string(text_.substr(pos_, len));
      pos_ += len;
      return t;
    };
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = pos_;
      while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
        ++pos_;
      t.text = std::string(text_.substr(start, pos_ - start));
      if (t.text == "and")
        t.kind = Tok::kAnd;
      else if (t.text == "or")
        t.kind = Tok::kOr;
      else if (t.text == "not")
        t.kind = Tok::kNot;
      else
        t.kind = Tok::kIdent;
      return t;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '-' && pos_ + 1 < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_ + 1])))) {
      return LexNumber(t);
    }
    if (c == '\'' || c == '"') return LexString(t, c);
    switch (c) {
      case '(': return single(Tok::kLParen, 1);
      case ')': return single(Tok::kRParen, 1);
      case '[': return single(Tok::kLBracket, 1);
      case ']': return single(Tok::kRBracket, 1);
      case ',': return single(Tok::kComma, 1);
      case '.': return single(Tok::kDot, 1);
      case '=': return two('=') ? single(Tok::kEq, 2) : single(Tok::kBad, 1);
      case '!': return two('=') ? single(Tok::kNe, 2) : single(Tok::kNot, 1);
      case '<': return two('=') ? single(Tok::kLe, 2) : single(Tok::kLt, 1);
      case '>': return two('=') ? single(Tok::kGe, 2) : single(Tok::kGt, 1);
      case '&': return two('&') ? single(Tok::kAnd, 2) : single(Tok::kBad, 1);
      case '|': return two('|') ? single(Tok::kOr, 2) : single(Tok::kBad, 1);
      default: break;
    }
    // One whole UTF-8 sequence, so the message shows the character typed.
    size_t len = 1;
    while (pos_ + len < text_.size() && (static_cast<unsigned char>(text_[pos_ + len]) & 0xC0) == 0x80 && len < 4)
      ++len;
    return single(Tok::kBad, len);
  }

 private:
  Token LexNumber(Token& t) {
    size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    bool is_float = false;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (pos_ + 1 < text_.size() && text_[pos_] == '.' && std::isdigit(static_cast<unsigned char>(text_[pos_ + 1]))) {
      is_float = true;
      ++pos_;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    t.text = std::string(text_.substr(start, pos_ - start));
    t.kind = Tok::kNumber;
    if (!is_float) {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
      if (ec == std::errc() && p == t.text.data() + t.text.size()) {
        t.number = v;
        return t;
      }
    }
    double d = 0;
    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), d);
    if (ec != std::errc() || !std::isfinite(d)) {
      t.kind = Tok::kBad;
      return t;
    }
    t.number = d;
    return t;
  }

  Token LexString(Token& t, char quote) {
    ++pos_;
    std::string value;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == quote) {
        t.kind = value.size() > limits_.max_string_literal ? Tok::kBad : Tok::kString;
        t.text = t.kind == Tok::kBad ? "string longer than " + std::to_string(limits_.max_string_literal) : value;
        return t;
      }
      if (c == '\\' && pos_ < text_.size()) {
        char e = text_[pos_++];
        switch (e) {
          case 'n': value += '\n'; break;
          case 't': value += '\t'; break;
          case '\\':
          case '\'':
          case '"': value += e; break;
          default:
            t.kind = Tok::kBad;
            t.text = std::string("\\") + e;
            return t;
        }
        continue;
      }
      value += c;
    }
    t.kind = Tok::kBad;
    t.text = "unterminated string";
    return t;
  }

  std::string_view text_;
  const WorkflowLimits& limits_;
  size_t pos_ = 0;
};

struct ParseFailure {
  GuardParseError error;
};

// Recursive descent with an explicit depth budget:
//   or   := and ('or' and)*
//   and  := not ('and' not)*
//   not  := 'not' not | cmp
//   cmp  := operand (('=='|'!='|'<'|'<='|'>'|'>=') operand | 'in' list)?
//   operand := literal | path | exists(path) | count(path) | '(' or ')'
class Parser {
 public:
  Parser(std::string_view text, const WorkflowLimits& limits) : lexer_(text, limits), limits_(limits) { Advance(); }

  std::shared_ptr<const GuardNode> ParseCondition() {
    auto node = ParseOr();
    ExpectEnd();
    return node;
  }

  std::shared_ptr<const GuardNode> ParseValueOnly() {
    auto node = ParseOperand();
    ExpectEnd();
    return node;
  }

  const std::optional<GuardParseError>& error() const { return error_; }

 private:
  using NodePtr = std::shared_ptr<const GuardNode>;

  void Advance() { current_ = lexer_.Next(); }

  NodePtr Fail(const Token& at, std::string message, std::string expected) {
    if (!error_) {
      std::string found = Describe(at);
      if (at.kind == Tok::kBad && at.text.find(' ') != std::string::npos) found = at.text;
      error_ = GuardParseError{at.column, std::move(message), std::move(found), std::move(expected)};
    }
    return nullptr;
  }

  void ExpectEnd() {
    if (!error_ && current_.kind != Tok::kEnd)
      Fail(current_, "unexpected token after the end of the expression",
           "an operator ('and', 'or', '==', ...) or the end");
  }

  // Depth guard: '(' and 'not' are the only ways to recurse, each enters one.
  struct DepthScope {
    explicit DepthScope(Parser& p) : parser(p) { ++parser.depth_; }
    ~DepthScope() { --parser.depth_; }
    Parser& parser;
  };
  bool TooDeep() {
    if (depth_ > limits_.max_guard_depth) {
      Fail(current_, "expression nested too deeply",
           "at most " + std::to_string(limits_.max_guard_depth) + " levels of nesting");
      return true;
    }
    return false;
  }

  static NodePtr Binary(GuardOp op, int column, NodePtr a, NodePtr b) {
    auto n = std::make_shared<GuardNode>();
    n->op = op;
    n->column = column;
    n->children = {std::move(a), std::move(b)};
    return n;
  }

  // `a or b or c` is one n-ary node, not a chain: a long flat guard must not
  // make a deep tree (evaluation and destruction recurse over the tree).
  NodePtr ParseOr() { return ParseChain(Tok::kOr, GuardOp::kOr, &Parser::ParseAnd); }
  NodePtr ParseAnd() { return ParseChain(Tok::kAnd, GuardOp::kAnd, &Parser::ParseNot); }

  NodePtr ParseChain(Tok separator, GuardOp op, NodePtr (Parser::*operand)()) {
    NodePtr first = (this->*operand)();
    if (error_ || current_.kind != separator) return error_ ? nullptr : first;
    auto n = std::make_shared<GuardNode>();
    n->op = op;
    n->column = first->column;
    n->children.push_back(first);
    while (current_.kind == separator) {
      Advance();
      NodePtr next = (this->*operand)();
      if (error_) return nullptr;
      n->children.push_back(next);
    }
    return n;
  }

  NodePtr ParseNot() {
    if (current_.kind == Tok::kNot) {
      DepthScope scope(*this);
      if (TooDeep()) return nullptr;
      int column = current_.column;
      Advance();
      NodePtr inner = ParseNot();
      if (error_) return nullptr;
      auto n = std::make_shared<GuardNode>();
      n->op = GuardOp::kNot;
      n->column = column;
      n->children = {inner};
      return n;
    }
    return ParseComparison();
  }

  NodePtr ParseComparison() {
    NodePtr left = ParseOperand();
    if (error_) return nullptr;
    GuardOp op;
    switch (current_.kind) {
      case Tok::kEq: op = GuardOp::kEq; break;
      case Tok::kNe: op = GuardOp::kNe; break;
      case Tok::kLt: op = GuardOp::kLt; break;
      case Tok::kLe: op = GuardOp::kLe; break;
      case Tok::kGt: op = GuardOp::kGt; break;
      case Tok::kGe: op = GuardOp::kGe; break;
      case Tok::kIdent:
        if (current_.text == "in") {
          Advance();
          NodePtr list = ParseList();
          if (error_) return nullptr;
          return Binary(GuardOp::kIn, left->column, left, list);
        }
        return left;
      default: return left;
    }
    Advance();
    NodePtr right = ParseOperand();
    if (error_) return nullptr;
    if (current_.kind >= Tok::kEq && current_.kind <= Tok::kGe)
      return Fail(current_, "comparisons can not be chained", "'and' / 'or' between two comparisons");
    return Binary(op, left->column, left, right);
  }

  NodePtr ParseList() {
    if (current_.kind != Tok::kLBracket) return Fail(current_, "'in' needs a list", "'[' starting a list of literals");
    auto n = std::make_shared<GuardNode>();
    n->op = GuardOp::kList;
    n->column = current_.column;
    Advance();
    while (current_.kind != Tok::kRBracket) {
      NodePtr item = ParseLiteral();
      if (error_) return nullptr;
      n->children.push_back(item);
      if (n->children.size() > limits_.max_guard_list_items)
        return Fail(current_, "list too long", "at most " + std::to_string(limits_.max_guard_list_items) + " items");
      if (current_.kind == Tok::kComma) {
        Advance();
        continue;
      }
      if (current_.kind != Tok::kRBracket) return Fail(current_, "bad list", "',' or ']'");
    }
    Advance();
    return n;
  }

  NodePtr ParseLiteral() {
    auto n = std::make_shared<GuardNode>();
    n->op = GuardOp::kLiteral;
    n->column = current_.column;
    switch (current_.kind) {
      case Tok::kNumber: n->literal = current_.number; break;
      case Tok::kString: n->literal = current_.text; break;
      case Tok::kIdent:
        if (current_.text == "true")
          n->literal = true;
        else if (current_.text == "false")
          n->literal = false;
        else if (current_.text == "null")
          n->literal = nullptr;
        else
          return Fail(current_, "expected a literal", "a string, number, true, false or null");
        break;
      default: return Fail(current_, "expected a literal", "a string, number, true, false or null");
    }
    Advance();
    return n;
  }

  NodePtr ParsePath(GuardOp op, int column) {
    auto n = std::make_shared<GuardNode>();
    n->op = op;
    n->column = column;
    if (current_.kind != Tok::kIdent)
      return Fail(current_, "expected a field path", "a path such as state.porteur or event.verdict");
    n->path.push_back(current_.text);
    Advance();
    while (current_.kind == Tok::kDot) {
      Advance();
      if (current_.kind != Tok::kIdent) return Fail(current_, "expected a field name after '.'", "a field name");
      n->path.push_back(current_.text);
      if (n->path.size() > limits_.max_guard_path_segments)
        return Fail(current_, "path too long",
                    "at most " + std::to_string(limits_.max_guard_path_segments) + " segments");
      Advance();
    }
    const std::string& root = n->path.front();
    if (root != kStateRoot && root != kEventRoot && root != kProjectRoot)
      return Fail(Token{Tok::kIdent, column, root, {}}, "unknown path root",
                  "a path starting with 'state.', 'event.' or 'project.'");
    return n;
  }

  NodePtr ParseOperand() {
    switch (current_.kind) {
      case Tok::kLParen: {
        DepthScope scope(*this);
        if (TooDeep()) return nullptr;
        Advance();
        NodePtr inner = ParseOr();
        if (error_) return nullptr;
        if (current_.kind != Tok::kRParen) return Fail(current_, "unbalanced parenthesis", "')'");
        Advance();
        return inner;
      }
      case Tok::kNumber:
      case Tok::kString: return ParseLiteral();
      case Tok::kIdent: {
        if (current_.text == "true" || current_.text == "false" || current_.text == "null") return ParseLiteral();
        if (current_.text == "exists" || current_.text == "count") {
          Token fn = current_;
          Advance();
          if (current_.kind != Tok::kLParen)
            return Fail(current_, "'" + fn.text + "' is a function", "'(' after " + fn.text);
          Advance();
          NodePtr path = ParsePath(fn.text == "exists" ? GuardOp::kExists : GuardOp::kCount, fn.column);
          if (error_) return nullptr;
          if (current_.kind != Tok::kRParen)
            return Fail(current_, "unbalanced parenthesis", "')' closing " + fn.text + "(");
          Advance();
          return path;
        }
        return ParsePath(GuardOp::kPath, current_.column);
      }
      case Tok::kBad: return Fail(current_, "invalid token", "a literal, a path, exists(...), count(...) or '('");
      default: return Fail(current_, "expected a value", "a literal, a path, exists(...), count(...) or '('");
    }
  }

  Lexer lexer_;
  const WorkflowLimits& limits_;
  Token current_;
  size_t depth_ = 0;
  std::optional<GuardParseError> error_;
};

// Numbers compare by value whatever their JSON representation.
bool IsNumber(const Json& v) { return v.is_number(); }

bool Ordered(GuardOp op, const Json& a, const Json& b) {
  int cmp = 0;
  if (IsNumber(a) && IsNumber(b)) {
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
  if (IsNumber(a) && IsNumber(b)) return a.get<double>() == b.get<double>();
  return a == b;
}

Json Eval(const GuardNode& n, const GuardContext& ctx, std::map<std::string, Json>* observed) {
  auto sub = [&](size_t i) { return Eval(*n.children[i], ctx, observed); };
  auto truthy = [](const Json& v) { return v.is_boolean() && v.get<bool>(); };
  switch (n.op) {
    case GuardOp::kLiteral: return n.literal;
    case GuardOp::kList: {
      Json list = Json::array();
      for (size_t i = 0; i < n.children.size(); ++i) list.push_back(sub(i));
      return list;
    }
    case GuardOp::kPath:
    case GuardOp::kExists:
    case GuardOp::kCount: {
      Json v = ResolvePath(n.path, ctx);
      if (observed) (*observed)[JoinPath(n.path)] = v;
      if (n.op == GuardOp::kPath) return v;
      if (n.op == GuardOp::kExists) return !v.is_null();
      if (v.is_array() || v.is_object()) return static_cast<int64_t>(v.size());
      return v.is_null() ? 0 : 1;  // a scalar counts as one
    }
    case GuardOp::kNot: return !truthy(sub(0));
    case GuardOp::kAnd:
      for (size_t i = 0; i < n.children.size(); ++i)
        if (!truthy(sub(i))) return false;
      return true;
    case GuardOp::kOr:
      for (size_t i = 0; i < n.children.size(); ++i)
        if (truthy(sub(i))) return true;
      return false;
    case GuardOp::kEq: return Equal(sub(0), sub(1));
    case GuardOp::kNe: return !Equal(sub(0), sub(1));
    case GuardOp::kLt:
    case GuardOp::kLe:
    case GuardOp::kGt:
    case GuardOp::kGe: return Ordered(n.op, sub(0), sub(1));
    case GuardOp::kIn: {
      Json v = sub(0);
      for (const auto& item : n.children[1]->children)
        if (Equal(v, item->literal)) return true;
      return false;
    }
  }
  return nullptr;
}

void CollectPaths(const GuardNode& n, std::vector<const GuardNode*>& out) {
  if (n.op == GuardOp::kPath || n.op == GuardOp::kExists || n.op == GuardOp::kCount) out.push_back(&n);
  for (const auto& c : n.children) CollectPaths(*c, out);
}

}  // namespace

std::string JoinPath(const std::vector<std::string>& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0) out += '.';
    out += path[i];
  }
  return out;
}

std::variant<Guard, GuardParseError> Guard::Parse(std::string_view text, const WorkflowLimits& limits) {
  if (text.size() > limits.max_guard_length)
    return GuardParseError{1, "expression too long", std::to_string(text.size()) + " characters",
                           "at most " + std::to_string(limits.max_guard_length)};
  Parser parser(text, limits);
  auto root = parser.ParseCondition();
  if (parser.error()) return *parser.error();
  Guard g;
  g.source_ = std::string(text);
  g.root_ = std::move(root);
  return g;
}

std::variant<Guard, GuardParseError> Guard::ParseValue(std::string_view text, const WorkflowLimits& limits) {
  if (text.size() > limits.max_guard_length)
    return GuardParseError{1, "expression too long", std::to_string(text.size()) + " characters",
                           "at most " + std::to_string(limits.max_guard_length)};
  Parser parser(text, limits);
  auto root = parser.ParseValueOnly();
  if (parser.error()) return *parser.error();
  if (root->op != GuardOp::kLiteral && root->op != GuardOp::kPath)
    return GuardParseError{root->column, "a value must be a literal or a path", "a function call",
                           "a literal or a path such as event.porteur"};
  Guard g;
  g.source_ = std::string(text);
  g.root_ = std::move(root);
  return g;
}

std::vector<const GuardNode*> Guard::Paths() const {
  std::vector<const GuardNode*> out;
  if (root_) CollectPaths(*root_, out);
  return out;
}

GuardResult Guard::Evaluate(const GuardContext& context) const {
  GuardResult result;
  Json v = Eval(*root_, context, &result.observed);
  result.passed = v.is_boolean() && v.get<bool>();
  return result;
}

Json Guard::EvaluateValue(const GuardContext& context) const { return Eval(*root_, context, nullptr); }

Json ResolvePath(const std::vector<std::string>& path, const GuardContext& context) {
  if (path.empty()) return nullptr;
  const Json* cur = nullptr;
  if (path[0] == kStateRoot)
    cur = context.state;
  else if (path[0] == kEventRoot)
    cur = context.event;
  else if (path[0] == kProjectRoot)
    cur = context.project;
  for (size_t i = 1; cur != nullptr && i < path.size(); ++i) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(path[i]);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur == nullptr ? Json(nullptr) : *cur;
}

}  // namespace relais::workflow
