#include "engine/workflow/yaml_document.h"

#include <sstream>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

namespace relais::workflow {
namespace {

// Records where documents start; ignores their content.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  std::vector<YAML::Mark> starts;
};

SourceLocation At(const YAML::Mark& m) {
  if (m.is_null() || m.line < 0) return {1, 1};
  return {m.line + 1, m.column + 1};
}

}  // namespace

std::optional<YAML::Node> ParseSingleDocument(std::string_view text, Diagnostics& diagnostics) {
  std::string copy(text);
  try {
    std::istringstream in(copy);
    YAML::Parser parser(in);
    DocumentStarts starts;
    // One document is expected; a second is an error. A third call tells a
    // real second document from the parser standing still.
    for (int i = 0; i < 3 && parser.HandleNextDocument(starts); ++i) {
    }
    const auto& s = starts.starts;
    if (s.size() >= 2) {
      const YAML::Mark& second = s[1];
      bool stuck = second.pos <= s[0].pos || (s.size() >= 3 && s[2].pos <= second.pos);
      if (stuck) {
        // The parser did not move: yaml-cpp's "stray flow indicator" loop.
        std::string found = second.pos >= 0 && static_cast<size_t>(second.pos) < copy.size()
                                ? "'" + std::string(1, copy[static_cast<size_t>(second.pos)]) + "'"
                                : "";
        diagnostics.Error(At(second), "syntax", "YAML/JSON syntax error: unexpected character", found,
                          "a mapping of workflow keys", "',' only separates items inside [...] or {...}");
      } else {
        diagnostics.Error(At(second), "syntax", "a workflow file holds one document", "a second '---' document",
                          "a single document");
      }
      return std::nullopt;
    }
    return YAML::Load(copy);
  } catch (const YAML::Exception& e) {
    diagnostics.Error(At(e.mark), "syntax", "YAML/JSON syntax error: " + e.msg, {}, {},
                      "check indentation, quotes and brackets around this position");
    return std::nullopt;
  }
}

}  // namespace relais::workflow
