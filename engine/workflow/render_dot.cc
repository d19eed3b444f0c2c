// Graphviz DOT from a Drawing: a phase with tracks is a cluster holding one
// cluster per track; edges reach the phase's cluster through an invisible
// anchor node (compound=true, lhead/ltail). Notes are note-shaped nodes
// joined to their phase by a dotted line.
#include "engine/workflow/render.h"

namespace relais::workflow {
namespace {

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out + "\"";
}

std::string EdgeText(const DrawingEdge& e) {
  std::string text = e.label;
  if (!e.guard.empty()) text += "\n[" + e.guard + "]";
  if (!e.timer.empty()) text += "\n(" + e.timer + ")";
  return text;
}

// Like Quoted, but "\n" in the text becomes a DOT line break.
std::string QuotedLines(const std::string& s, const char* line_break) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (c == '\n')
      out += line_break;
    else if (c != '\r')
      out += c;
  }
  return out + "\"";
}

class DotWriter {
 public:
  explicit DotWriter(const Drawing& d) : d_(d) {}

  std::string Write() {
    out_ = "digraph " + Quoted(d_.name) + " {\n";
    out_ +=
        "  graph [rankdir=LR, compound=true, fontname=\"sans-serif\", label=" + Quoted(d_.title) + ", labelloc=t];\n";
    out_ += "  node [fontname=\"sans-serif\", fontsize=11];\n";
    out_ += "  edge [fontname=\"sans-serif\", fontsize=9];\n";
    out_ += "  __start [shape=point, width=0.15, label=\"\"];\n";
    for (const auto& n : d_.nodes) {
      if (!n.region.empty()) continue;
      if (n.kind == NodeKind::kComposite)
        Cluster(n);
      else
        out_ += "  " + Quoted(n.id) + " [label=" + Quoted(n.label) + ", " + Style(n.kind) + "];\n";
    }
    for (const auto& e : d_.edges) {
      if (!e.region.empty() || e.kind == EdgeKind::kEnd) continue;  // terminal phases have a double border
      out_ += "  " + (e.from.empty() ? std::string("__start") : Quoted(e.from)) + " -> " + Quoted(e.to);
      std::string attrs;
      if (e.kind != EdgeKind::kStart) attrs = "label=" + QuotedLines(EdgeText(e), "\\n");
      if (e.kind == EdgeKind::kTimerEvent) attrs += ", style=dashed";
      if (IsComposite(e.from)) attrs += ", ltail=" + Quoted("cluster_" + e.from);
      if (IsComposite(e.to)) attrs += ", lhead=" + Quoted("cluster_" + e.to);
      if (attrs.rfind(", ", 0) == 0) attrs.erase(0, 2);
      out_ += (attrs.empty() ? "" : " [" + attrs + "]") + ";\n";
    }
    Notes();
    out_ += "}\n";
    return std::move(out_);
  }

 private:
  static std::string Style(NodeKind kind) {
    switch (kind) {
      case NodeKind::kTerminal: return "shape=box, style=rounded, peripheries=2";
      case NodeKind::kSuspended: return "shape=box, style=\"rounded,dashed\"";
      default: return "shape=box, style=rounded";
    }
  }

  bool IsComposite(const std::string& id) const {
    const DrawingNode* n = id.empty() ? nullptr : d_.FindNode(id);
    return n && n->kind == NodeKind::kComposite;
  }

  void Cluster(const DrawingNode& n) {
    out_ += "  subgraph " + Quoted("cluster_" + n.id) + " {\n";
    out_ += "    label=" + Quoted(n.label) + "; style=rounded;\n";
    out_ += "    " + Quoted(n.id) + " [shape=point, style=invis, width=0, label=\"\"];\n";
    for (const Region* r : d_.RegionsOf(n.id)) {
      out_ += "    subgraph " + Quoted("cluster_" + r->id) + " {\n";
      out_ += "      label=" + Quoted(r->label) + "; style=dashed;\n";
      out_ += "      " + Quoted(r->id + "__start") + " [shape=point, width=0.1, label=\"\"];\n";
      for (const auto& step : r->steps)
        out_ +=
            "      " + Quoted(step) + " [label=" + Quoted(d_.FindNode(step)->label) + ", shape=box, style=rounded];\n";
      for (const auto& e : d_.edges) {
        if (e.region != r->id) continue;
        out_ += "      " + Quoted(e.from.empty() ? r->id + "__start" : e.from) + " -> " + Quoted(e.to);
        if (e.kind == EdgeKind::kTrackMove) out_ += " [label=" + QuotedLines(EdgeText(e), "\\n") + "]";
        out_ += ";\n";
      }
      out_ += "    }\n";
    }
    out_ += "  }\n";
  }

  void Notes() {
    int i = 0;
    for (const auto& note : d_.notes) {
      std::string id = "__note" + std::to_string(i++);
      std::string text;
      for (const auto& line : note.lines) text += line + "\n";
      out_ += "  " + Quoted(id) + " [shape=note, fontsize=9, label=" + QuotedLines(text, "\\l") + "];\n";
      if (note.node.empty()) continue;
      out_ += "  " + Quoted(note.node) + " -> " + Quoted(id) + " [style=dotted, arrowhead=none";
      if (IsComposite(note.node)) out_ += ", ltail=" + Quoted("cluster_" + note.node);
      out_ += "];\n";
    }
  }

  const Drawing& d_;
  std::string out_;
};

}  // namespace

std::string RenderDot(const Drawing& drawing) { return DotWriter(drawing).Write(); }

}  // namespace relais::workflow
