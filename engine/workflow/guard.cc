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
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kBad,
};

struct Token {
  Tok kind = Tok::kEnd;
  int column = 1;
  std::string text;  // identifier / raw text / decoded string
  Json number;
  size_t end = 0;  // 0-based offset just after the token
};

// Tokens after which '-' is the binary minus, not the sign of a number.
bool EndsOperand(Tok k) {
  return k == Tok::kIdent || k == Tok::kNumber || k == Tok::kString || k == Tok::kRParen || k == Tok::kRBracket;
}

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
    Token t = Scan();
    t.end = pos_;
    previous_ = t.kind;
    return t;
  }

 private:
  Token Scan() {
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
        (c == '-' && !EndsOperand(previous_) && pos_ + 1 < text_.size() &&
         std::isdigit(static_cast<unsigned char>(text_[pos_ + 1])))) {
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
      case '+': return single(Tok::kPlus, 1);
      case '-': return single(Tok::kMinus, 1);
      case '*': return single(Tok::kStar, 1);
      case '/': return single(Tok::kSlash, 1);
      default: break;
    }
    // One whole UTF-8 sequence, so the message shows the character typed.
    size_t len = 1;
    while (pos_ + len < text_.size() && (static_cast<unsigned char>(text_[pos_ + len]) & 0xC0) == 0x80 && len < 4)
      ++len;
    return single(Tok::kBad, len);
  }

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
  Tok previous_ = Tok::kEnd;
};

// Recursive descent with an explicit depth budget:
//   or      := and ('or' and)*
//   and     := not ('and' not)*
//   not     := 'not' not | cmp
//   cmp     := sum (('=='|'!='|'<'|'<='|'>'|'>=') sum | 'in' (list | path))?
//   sum     := product (('+'|'-') product)*
//   product := unary (('*'|'/') unary)*
//   unary   := '-' unary | operand
//   operand := literal | path | function | '(' or ')'
//   function := exists(path) | count(path [',' or]) | sum|min|max(path) | any|all(path ',' or)
class Parser {
 public:
  Parser(std::string_view text, const WorkflowLimits& limits) : text_(text), lexer_(text, limits), limits_(limits) {
    Advance();
  }

  std::shared_ptr<const GuardNode> ParseCondition() {
    auto node = ParseOr();
    ExpectEnd();
    return node;
  }

  std::shared_ptr<const GuardNode> ParseValueOnly() {
    auto node = ParseSum();
    ExpectEnd();
    return node;
  }

  const std::optional<GuardParseError>& error() const { return error_; }

 private:
  using NodePtr = std::shared_ptr<const GuardNode>;

  void Advance() {
    consumed_end_ = current_.end;
    current_ = lexer_.Next();
  }

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
           "an operator ('and', 'or', '==', '+', ...) or the end");
  }

  // Depth guard: '(', 'not', unary '-' and a function's condition are the
  // ways to recurse, each enters one.
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

  // The source text from `column` (1-based) to the end of the last consumed token.
  std::string SourceFrom(int column) const {
    size_t start = static_cast<size_t>(column - 1);
    return consumed_end_ > start ? std::string(text_.substr(start, consumed_end_ - start)) : std::string();
  }

  NodePtr Binary(GuardOp op, int column, NodePtr a, NodePtr b, bool with_text = false) {
    auto n = std::make_shared<GuardNode>();
    n->op = op;
    n->column = column;
    n->children = {std::move(a), std::move(b)};
    if (with_text) n->text = SourceFrom(column);
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
    NodePtr left = ParseSum();
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
          NodePtr list = current_.kind == Tok::kLBracket ? ParseList() : ParseInPath();
          if (error_) return nullptr;
          return Binary(GuardOp::kIn, left->column, left, list);
        }
        return left;
      default: return left;
    }
    Advance();
    NodePtr right = ParseSum();
    if (error_) return nullptr;
    if (current_.kind >= Tok::kEq && current_.kind <= Tok::kGe)
      return Fail(current_, "comparisons can not be chained", "'and' / 'or' between two comparisons");
    return Binary(op, left->column, left, right);
  }

  NodePtr ParseInPath() {
    if (current_.kind != Tok::kIdent || IsKeywordLiteral(current_.text) || IsFunction(current_.text))
      return Fail(current_, "'in' needs a list", "'[' starting a list of literals, or a path to a list field");
    return ParsePath(GuardOp::kPath, current_.column);
  }

  // sum := product (('+'|'-') product)*, left to right; product likewise.
  NodePtr ParseSum() { return ParseArithmetic(Tok::kPlus, Tok::kMinus, GuardOp::kAdd, GuardOp::kSub, true); }
  NodePtr ParseProduct() { return ParseArithmetic(Tok::kStar, Tok::kSlash, GuardOp::kMul, GuardOp::kDiv, false); }

  NodePtr ParseArithmetic(Tok plus, Tok minus, GuardOp add, GuardOp sub, bool sums) {
    NodePtr left = sums ? ParseProduct() : ParseUnary();
    size_t operators = 0;
    while (!error_ && (current_.kind == plus || current_.kind == minus)) {
      if (++operators > limits_.max_guard_chain)
        return Fail(current_, "too many operators in a row",
                    "at most " + std::to_string(limits_.max_guard_chain) + " operators between parentheses");
      GuardOp op = current_.kind == plus ? add : sub;
      Advance();
      NodePtr right = sums ? ParseProduct() : ParseUnary();
      if (error_) return nullptr;
      left = Binary(op, left->column, left, right, /*with_text=*/true);
    }
    return error_ ? nullptr : left;
  }

  NodePtr ParseUnary() {
    if (current_.kind != Tok::kMinus) return ParseOperand();
    DepthScope scope(*this);
    if (TooDeep()) return nullptr;
    int column = current_.column;
    Advance();
    NodePtr inner = ParseUnary();
    if (error_) return nullptr;
    auto n = std::make_shared<GuardNode>();
    n->op = GuardOp::kNeg;
    n->column = column;
    n->children = {inner};
    n->text = SourceFrom(column);
    return n;
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

  static bool IsKeywordLiteral(const std::string& s) { return s == "true" || s == "false" || s == "null"; }
  static bool IsFunction(const std::string& s) {
    return s == "exists" || s == "count" || s == "sum" || s == "min" || s == "max" || s == "any" || s == "all";
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
    Token root_token = current_;
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
    if (root == kItemRoot && predicates_ == 0)
      return Fail(root_token, "'item' is only defined inside a condition over a list",
                  "count(list, condition), any(list, condition) or all(list, condition) around it");
    if (root != kStateRoot && root != kEventRoot && root != kProjectRoot && root != kActorRoot && root != kItemRoot)
      return Fail(root_token, "unknown path root",
                  "a path starting with 'state.', 'event.', 'project.' or 'actor.' ('item.' inside count/any/all)");
    return n;
  }

  // exists(path) | count(path [, cond]) | sum/min/max(path) | any/all(path, cond)
  NodePtr ParseFunction() {
    Token fn = current_;
    Advance();
    if (current_.kind != Tok::kLParen) return Fail(current_, "'" + fn.text + "' is a function", "'(' after " + fn.text);
    Advance();
    GuardOp op = fn.text == "exists"  ? GuardOp::kExists
                 : fn.text == "count" ? GuardOp::kCount
                 : fn.text == "sum"   ? GuardOp::kSum
                 : fn.text == "min"   ? GuardOp::kMin
                 : fn.text == "max"   ? GuardOp::kMax
                 : fn.text == "any"   ? GuardOp::kAny
                                      : GuardOp::kAll;
    NodePtr path = ParsePath(op, fn.column);
    if (error_) return nullptr;
    auto n = std::make_shared<GuardNode>(*path);  // the function node: its path, then its condition
    const bool takes_condition = op == GuardOp::kCount || op == GuardOp::kAny || op == GuardOp::kAll;
    const bool needs_condition = op == GuardOp::kAny || op == GuardOp::kAll;
    if (takes_condition && current_.kind == Tok::kComma) {
      Advance();
      DepthScope scope(*this);
      if (TooDeep()) return nullptr;
      ++predicates_;
      NodePtr condition = ParseOr();
      --predicates_;
      if (error_) return nullptr;
      n->children.push_back(condition);
    } else if (needs_condition) {
      return Fail(current_, fn.text + "() needs a condition over each item",
                  "',' then a condition, e.g. " + fn.text + "(state.lettres, item.type == 'soutien')");
    }
    if (current_.kind != Tok::kRParen) return Fail(current_, "unbalanced parenthesis", "')' closing " + fn.text + "(");
    Advance();
    n->text = SourceFrom(fn.column);
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
        if (IsKeywordLiteral(current_.text)) return ParseLiteral();
        if (IsFunction(current_.text)) return ParseFunction();
        return ParsePath(GuardOp::kPath, current_.column);
      }
      case Tok::kBad: return Fail(current_, "invalid token", "a literal, a path, a function such as count(...) or '('");
      default: return Fail(current_, "expected a value", "a literal, a path, a function such as count(...) or '('");
    }
  }

  std::string_view text_;
  Lexer lexer_;
  const WorkflowLimits& limits_;
  Token current_;
  size_t consumed_end_ = 0;
  size_t depth_ = 0;
  size_t predicates_ = 0;  // how many count/any/all conditions enclose the current token
  std::optional<GuardParseError> error_;
};

void CollectPaths(const GuardNode& n, std::vector<const GuardNode*>& out) {
  if (!n.path.empty()) out.push_back(&n);
  for (const auto& c : n.children) CollectPaths(*c, out);
}

// What a `set:`/`append:` value may be: a datum or a calculation, not a condition.
bool IsValueNode(GuardOp op) {
  switch (op) {
    case GuardOp::kLiteral:
    case GuardOp::kPath:
    case GuardOp::kAdd:
    case GuardOp::kSub:
    case GuardOp::kMul:
    case GuardOp::kDiv:
    case GuardOp::kNeg:
    case GuardOp::kCount:
    case GuardOp::kSum:
    case GuardOp::kMin:
    case GuardOp::kMax: return true;
    default: return false;
  }
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
  g.Init(text, std::move(root));
  return g;
}

std::variant<Guard, GuardParseError> Guard::ParseValue(std::string_view text, const WorkflowLimits& limits) {
  if (text.size() > limits.max_guard_length)
    return GuardParseError{1, "expression too long", std::to_string(text.size()) + " characters",
                           "at most " + std::to_string(limits.max_guard_length)};
  Parser parser(text, limits);
  auto root = parser.ParseValueOnly();
  if (parser.error()) return *parser.error();
  if (!IsValueNode(root->op))
    return GuardParseError{root->column, "a value must be a literal, a path or a calculation", "a condition",
                           "a literal, a path such as event.porteur, arithmetic, count/sum/min/max(...)"};
  Guard g;
  g.Init(text, std::move(root));
  return g;
}

std::vector<const GuardNode*> Guard::Paths() const {
  std::vector<const GuardNode*> out;
  if (root_) CollectPaths(*root_, out);
  return out;
}

void Guard::Init(std::string_view text, std::shared_ptr<const GuardNode> root) {
  source_ = std::string(text);
  root_ = std::move(root);
}

}  // namespace relais::workflow
