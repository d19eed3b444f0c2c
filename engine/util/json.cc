#include "engine/util/json.h"

#include <string>

namespace relais {

StatusOr<Json> ParseJson(std::string_view text, size_t max_depth) {
  // nlohmann/json parses recursively; bound the depth first with a linear scan
  // so hostile input cannot overflow the stack.
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > max_depth)
        return InvalidArgument("JSON nested deeper than " + std::to_string(max_depth) +
                               " levels at byte offset " + std::to_string(i));
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    std::string what = e.what();
    // e.byte is 1-based; we report 0-based offsets.
    // e.what() reads "[json.exception.parse_error.101] parse error at line 1, column 5: ...".
    auto pos = what.find("] ");
    if (pos != std::string::npos) what = what.substr(pos + 2);
    return InvalidArgument("invalid JSON at byte offset " + std::to_string(e.byte > 0 ? e.byte - 1 : 0) + ": " + what);
  } catch (const Json::exception& e) {
    // out_of_range for a number beyond a double (1e999), and any other refusal.
    std::string what = e.what();
    auto pos = what.find("] ");
    if (pos != std::string::npos) what = what.substr(pos + 2);
    return InvalidArgument("invalid JSON: " + what);
  }
}

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace relais
