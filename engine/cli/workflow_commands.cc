// relais validate / relais render: the workflow files, before anything runs.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "engine/cli/commands.h"
#include "engine/workflow/loader.h"
#include "engine/workflow/render.h"

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

}  // namespace

int Validate(const Args& args) {
  if (args.empty()) {
    std::fputs("usage: relais validate FILE...\n", stderr);
    return 2;
  }
  size_t errors = 0, warnings = 0;
  for (const std::string& path : args) {
    std::string text;
    if (!ReadFile(path, text)) {
      std::fprintf(stderr, "%s: error: cannot read the file\n", path.c_str());
      ++errors;
      continue;
    }
    auto result = workflow::LoadWorkflowWithDiagnostics(text, path);
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

int Render(const Args& args) {
  std::string format = "mermaid", path;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--format" && i + 1 < args.size())
      format = args[++i];
    else
      path = args[i];
  }
  if (path.empty() || (format != "mermaid" && format != "dot")) {
    std::fputs("usage: relais render [--format mermaid|dot] FILE\n", stderr);
    return 2;
  }
  auto def = workflow::LoadWorkflowFile(path);
  if (!def.ok()) {
    std::fprintf(stderr, "%s\n", def.status().message().c_str());
    return 1;
  }
  std::fputs((format == "dot" ? workflow::RenderDot(*def) : workflow::RenderMermaid(*def)).c_str(), stdout);
  return 0;
}

}  // namespace relais::cli
