// relais validate / relais render: the workflow files, before anything runs.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "engine/cli/commands.h"
#include "engine/workflow/loader.h"
#include "engine/workflow/render.h"
#include "engine/workflow/render_svg.h"

namespace relais::cli {
namespace {

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// The workflows a file being validated may name (children:): the files
// given on the command line, else a file named after the workflow beside it
// (<dir>/<name>.yaml or .yml), loaded once.
class LinkedFiles {
 public:
  void Add(const std::string& text, const std::string& path) {
    auto def = workflow::LoadWorkflowWithDiagnostics(text, path).definition;
    if (def) given_.emplace(def->name, std::move(*def));
  }

  const workflow::WorkflowDefinition* Find(const std::string& name, const std::filesystem::path& dir) {
    if (auto it = given_.find(name); it != given_.end()) return &it->second;
    for (const char* ext : {".yaml", ".yml"}) {
      const std::string path = (dir / (name + ext)).string();
      if (auto it = beside_.find(path); it != beside_.end()) return it->second ? &*it->second : nullptr;
      std::string text;
      if (!ReadFile(path, text)) continue;
      auto def = workflow::LoadWorkflowWithDiagnostics(text, path).definition;
      auto& slot = beside_[path];
      if (def && def->name == name) slot = std::move(def);
      return slot ? &*slot : nullptr;
    }
    return nullptr;
  }

 private:
  std::map<std::string, workflow::WorkflowDefinition> given_;
  std::map<std::string, std::optional<workflow::WorkflowDefinition>> beside_;
};

}  // namespace

int Validate(const Args& args) {
  if (args.empty()) {
    std::fputs("usage: relais validate FILE...\n", stderr);
    return 2;
  }
  size_t errors = 0, warnings = 0;
  std::vector<std::string> texts(args.size());
  std::vector<bool> readable(args.size());
  for (size_t i = 0; i < args.size(); ++i) readable[i] = ReadFile(args[i], texts[i]);
  LinkedFiles linked;
  for (size_t i = 0; i < args.size(); ++i)
    if (readable[i]) linked.Add(texts[i], args[i]);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& path = args[i];
    const std::string& text = texts[i];
    if (!readable[i]) {
      std::fprintf(stderr, "%s: error: cannot read the file\n", path.c_str());
      ++errors;
      continue;
    }
    auto result = workflow::LoadWorkflowWithDiagnostics(
        text, path, workflow::DefaultLimits(),
        [&](const std::string& name) { return linked.Find(name, std::filesystem::path(path).parent_path()); });
    const auto& d = result.diagnostics;
    if (!d.items().empty()) std::fputs(d.ToString().c_str(), stderr);
    errors += d.error_count();
    warnings += d.warning_count();
    if (!d.has_errors())
      std::printf("%s: ok (%s, version %d, content %s)\n", path.c_str(), result.definition->name.c_str(),
                  result.definition->version, result.definition->content_hash.substr(0, 12).c_str());
  }
  std::printf("%zu error(s), %zu warning(s)\n", errors, warnings);
  return errors ? 1 : 0;
}

constexpr const char* kRenderUsage = R"(usage: relais render [--format mermaid|dot|svg] [--lang fr|en] FILE

Draws a workflow file: phases, tracks as parallel regions, transitions with
their event, roles and guard, `requires:` gates, timers and suspension.

  --format mermaid   Mermaid stateDiagram-v2 text, for Markdown pages (default)
  --format dot       Graphviz DOT text
  --format svg       an SVG picture, laid out by Graphviz's dot (Debian package graphviz)
  --lang fr|en       the language of the labels (default fr)
  -h, --help         this text

The drawing goes to standard output; errors to standard error (exit 1: the
file does not load or Graphviz failed, exit 2: wrong usage).
)";

int RenderUsageError(const std::string& what) {
  std::fprintf(stderr, "relais render: %s\n\n%s", what.c_str(), kRenderUsage);
  return 2;
}

int Render(const Args& args) {
  std::string format = "mermaid", path;
  workflow::DrawingLanguage language = workflow::DrawingLanguage::kFr;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kRenderUsage, stdout);
      return 0;
    }
    if (a == "--format" || a == "--lang") {
      if (i + 1 >= args.size()) return RenderUsageError(a + " needs a value");
      const std::string& value = args[++i];
      if (a == "--format" && value != "mermaid" && value != "dot" && value != "svg")
        return RenderUsageError("unknown format '" + value + "' (expected mermaid, dot or svg)");
      if (a == "--lang" && !workflow::ParseDrawingLanguage(value, language))
        return RenderUsageError("unknown language '" + value + "' (expected fr or en)");
      if (a == "--format") format = value;
    } else if (a.size() > 1 && a[0] == '-') {
      return RenderUsageError("unknown option '" + a + "'");
    } else if (!path.empty()) {
      return RenderUsageError("one FILE only (got '" + path + "' and '" + a + "')");
    } else {
      path = a;
    }
  }
  if (path.empty()) return RenderUsageError("missing FILE");
  auto def = workflow::LoadWorkflowFile(path);
  if (!def.ok()) {
    std::fprintf(stderr, "%s\n", def.status().message().c_str());
    return 1;
  }
  const workflow::Drawing drawing = workflow::BuildDrawing(*def, language);
  if (format == "svg") {
    auto svg = workflow::RenderSvg(drawing);
    if (!svg.ok()) {
      std::fprintf(stderr, "relais render: %s\n", svg.status().message().c_str());
      return 1;
    }
    std::fputs(svg->c_str(), stdout);
    return 0;
  }
  std::fputs((format == "dot" ? workflow::RenderDot(drawing) : workflow::RenderMermaid(drawing)).c_str(), stdout);
  return 0;
}

}  // namespace relais::cli
