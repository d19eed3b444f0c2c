#include "engine/workflow/render.h"

#include "engine/workflow/graph_checks.h"

namespace relais::workflow {
namespace {

struct Edge {
  std::string from, to, label;
};

// One edge per (event, transition, allowed phase); events allowed in every
// open phase (abandon, suspend) are drawn once per phase, which is the truth.
std::vector<Edge> Edges(const WorkflowDefinition& def) {
  std::vector<Edge> out;
  for (const auto& e : def.events) {
    for (const auto& from : PhasesAllowing(def, e)) {
      for (const auto& t : e.transitions) {
        if (!t.to || *t.to == from) continue;
        std::string label = e.type;
        if (t.when) label += " [" + t.when->guard.source() + "]";
        out.push_back({from, *t.to, label});
      }
    }
  }
  return out;
}

std::string Escape(const std::string& s, bool dot) {
  std::string out;
  for (char c : s) {
    if (c == '"')
      out += dot ? "\\\"" : "#quot;";
    else if (c == '\\' && dot)
      out += "\\\\";
    else if (c == '\n')
      out += ' ';
    else if (!dot && c == ':')
      out += "#58;";  // ':' ends a Mermaid transition label early
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string RenderMermaid(const WorkflowDefinition& def) {
  std::string out = "stateDiagram-v2\n";
  out += "  %% " + def.name + " v" + std::to_string(def.version) + " (" + def.content_hash.substr(0, 12) + ")\n";
  for (const auto& p : def.phases) out += "  " + p.id + " : " + Escape(p.labels.fr, false) + "\n";
  for (const auto& p : def.initial_phases) out += "  [*] --> " + p + "\n";
  for (const auto& e : Edges(def)) out += "  " + e.from + " --> " + e.to + " : " + Escape(e.label, false) + "\n";
  for (const auto& p : def.phases)
    if (p.terminal) out += "  " + p.id + " --> [*]\n";
  return out;
}

std::string RenderDot(const WorkflowDefinition& def) {
  std::string out = "digraph \"" + Escape(def.name, true) + "\" {\n  rankdir=LR;\n";
  out += "  __start [shape=point];\n";
  for (const auto& p : def.phases) {
    out += "  \"" + p.id + "\" [label=\"" + Escape(p.labels.fr, true) + "\"" +
           (p.terminal ? ", shape=doublecircle" : ", shape=box, style=rounded") + "];\n";
  }
  for (const auto& p : def.initial_phases) out += "  __start -> \"" + p + "\";\n";
  for (const auto& e : Edges(def))
    out += "  \"" + e.from + "\" -> \"" + e.to + "\" [label=\"" + Escape(e.label, true) + "\"];\n";
  out += "}\n";
  return out;
}

}  // namespace relais::workflow
