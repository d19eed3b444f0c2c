#include "engine/util/json.h"

#include <cctype>
#include <charconv>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace relais {
namespace {

// Follows the parser's events to know where it is, and remembers the first
// member named twice in one object.
class DuplicateKeyFinder {
 public:
  bool OnEvent(Json::parse_event_t event, const Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        BeginElement();
        frames_.push_back({true, {}, {}, 0});
        break;
      case Json::parse_event_t::array_start:
        BeginElement();
        frames_.push_back({false, {}, {}, 0});
        break;
      case Json::parse_event_t::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second && !duplicate_)
          duplicate_ = "duplicate key '" + top.key + "' at " + Path();
        break;
      }
      case Json::parse_event_t::value: BeginElement(); break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        if (!frames_.empty()) frames_.pop_back();
        break;
    }
    return true;
  }
  const std::optional<std::string>& duplicate() const { return duplicate_; }

 private:
  struct Frame {
    bool object;
    std::set<std::string> keys;  // objects: the members named so far
    std::string key;             // objects: the member being read
    size_t count;                // arrays: the elements begun so far
  };
  void BeginElement() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().count;
  }
  std::string Path() const {
    std::string path = "$";
    for (const Frame& f : frames_)
      path = f.object ? JsonMemberPath(path, f.key) : path + "[" + std::to_string(f.count - 1) + "]";
    return path;
  }
  std::vector<Frame> frames_;
  std::optional<std::string> duplicate_;
};

std::string WhatOf(const Json::exception& e) {
  // e.what() reads "[json.exception.parse_error.101] parse error at line 1, column 5: ...".
  std::string what = e.what();
  auto pos = what.find("] ");
  if (pos != std::string::npos) what = what.substr(pos + 2);
  return what;
}

StatusOr<Json> Parse(std::string_view text, size_t max_depth, bool strict) {
  // nlohmann/json parses recursively; bound the depth first with a linear scan
  // so hostile input cannot overflow the stack.
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > max_depth)
        return InvalidArgument("JSON nested deeper than " + std::to_string(max_depth) + " levels at byte offset " +
                               std::to_string(i));
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  try {
    if (!strict) return Json::parse(text.begin(), text.end());
    DuplicateKeyFinder finder;
    Json value = Json::parse(text.begin(), text.end(), [&finder](int, Json::parse_event_t event, Json& parsed) {
      return finder.OnEvent(event, parsed);
    });
    if (finder.duplicate()) return InvalidArgument(*finder.duplicate() + ": an object names each member once");
    return value;
  } catch (const Json::parse_error& e) {
    // e.byte is 1-based; we report 0-based offsets.
    return InvalidArgument("invalid JSON at byte offset " + std::to_string(e.byte > 0 ? e.byte - 1 : 0) + ": " +
                           WhatOf(e));
  } catch (const Json::exception& e) {
    // out_of_range for a number beyond a double (1e999), and any other refusal.
    return InvalidArgument("invalid JSON: " + WhatOf(e));
  }
}

}  // namespace

StatusOr<Json> ParseJson(std::string_view text, size_t max_depth) { return Parse(text, max_depth, false); }

StatusOr<Json> ParseJsonStrict(std::string_view text, size_t max_depth) { return Parse(text, max_depth, true); }

std::string JsonMemberPath(const std::string& parent, const std::string& key) {
  bool plain = !key.empty() && !std::isdigit(static_cast<unsigned char>(key[0]));
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) plain = false;
  return plain ? parent + "." + key : parent + "[" + DumpJson(Json(key)) + "]";
}

namespace {

// nlohmann's own serializer, appending to out: for what the fast path below
// does not write itself (floats, strings that need escaping or hold non-ASCII
// bytes, binary), so that every byte stays what Json::dump writes.
void DumpWithNlohmann(const Json& value, std::string& out) {
  nlohmann::detail::serializer<Json> serializer(nlohmann::detail::output_adapter<char>(out), ' ',
                                                Json::error_handler_t::replace);
  serializer.dump(value, false, false, 0);
}

// Printable ASCII without '"' or '\\': written as is between quotes.
bool NeedsNoEscape(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
  return true;
}

void DumpString(const std::string& s, std::string& out) {
  if (!NeedsNoEscape(s)) return DumpWithNlohmann(Json(s), out);
  out += '"';
  out += s;
  out += '"';
}

template <typename Integer>
void DumpInteger(Integer n, std::string& out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, end);
}

// Json::dump(-1) without its per-byte UTF-8 decoding of plain ASCII text
// (most of what is stored): the same bytes, several times faster.
void DumpTo(const Json& value, std::string& out) {
  switch (value.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const Json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        DumpString(key, out);
        out += ':';
        DumpTo(member, out);
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const Json& item : value.get_ref<const Json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        DumpTo(item, out);
      }
      out += ']';
      return;
    }
    case Json::value_t::string: return DumpString(value.get_ref<const std::string&>(), out);
    case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case Json::value_t::null: out += "null"; return;
    case Json::value_t::number_integer: return DumpInteger(value.get<int64_t>(), out);
    case Json::value_t::number_unsigned: return DumpInteger(value.get<uint64_t>(), out);
    default: return DumpWithNlohmann(value, out);  // float, binary, discarded
  }
}

}  // namespace

std::string DumpJson(const Json& value) {
  std::string out;
  DumpTo(value, out);
  return out;
}

void AppendJson(const Json& value, std::string& out) { DumpTo(value, out); }

void AppendJsonString(const std::string& text, std::string& out) { DumpString(text, out); }

}  // namespace relais
