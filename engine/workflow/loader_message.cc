#include "engine/workflow/loader_message.h"

namespace relais::workflow {
namespace {

constexpr const char* kExpected = "a text, or {fr: \"...\", en: \"...\"}";

// One language's text: present, non-empty, bounded.
std::optional<std::string> ReadText(YamlReader& reader, const YAML::Node& node, const std::string& what,
                                    SourceLocation fallback) {
  auto text = reader.String(node, what, fallback);
  if (!text) return std::nullopt;
  const SourceLocation at = YamlReader::Loc(node).line ? YamlReader::Loc(node) : fallback;
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
    reader.diag().Error(at, "bad-message", what + " is empty", "an empty text", kExpected,
                        "say why the command is refused, or remove the message");
    return std::nullopt;
  }
  if (text->size() > reader.limits().max_message_bytes) {
    reader.diag().Error(at, "bad-message", what + " is too long", std::to_string(text->size()) + " bytes",
                        "at most " + std::to_string(reader.limits().max_message_bytes) + " bytes");
    return std::nullopt;
  }
  return text;
}

}  // namespace

std::optional<Message> ReadMessage(YamlReader& reader, const YAML::Node& node, SourceLocation fallback) {
  const SourceLocation at = YamlReader::Loc(node).line ? YamlReader::Loc(node) : fallback;
  Message message;
  if (IsScalarNode(node)) {
    auto text = ReadText(reader, node, "message", fallback);
    if (!text) return std::nullopt;
    message.fr = message.en = *text;
    return message;
  }
  if (!IsMapNode(node)) {
    reader.diag().Error(at, "bad-message", "message must be a text or a text per language", YamlReader::Describe(node),
                        kExpected, "one text is shown in both languages");
    return std::nullopt;
  }
  reader.CheckKeys(node, {"fr", "en"}, "a message");
  bool ok = true;
  for (const char* lang : {"fr", "en"}) {
    if (!node[lang].IsDefined()) {
      reader.diag().Error(at, "missing", std::string("message ") + lang + " is required",
                          "{" + std::string(lang == std::string("fr") ? "en" : "fr") + ": ...} alone",
                          "{fr: \"...\", en: \"...\"}", "give both languages, or one text for both");
      ok = false;
      continue;
    }
    auto text = ReadText(reader, node[lang], std::string("message ") + lang, at);
    if (!text) {
      ok = false;
      continue;
    }
    (std::string(lang) == "fr" ? message.fr : message.en) = *text;
  }
  if (!ok) return std::nullopt;
  message.per_language = true;
  return message;
}

}  // namespace relais::workflow
