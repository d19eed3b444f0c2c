// Graphviz DOT from a Drawing: a phase with tracks is a cluster holding one
// cluster per track; edges reach the phase's cluster through an invisible
// anchor node (compound=true, lhead/ltail). Notes are note-shaped nodes
// joined to their phase by a dotted line; kinds of children are folders
// joined to the phases that count them, spawned projects 3-D boxes; a
// keyed track's cluster has a thicker border.
#include "engine/workflow/render.h"

namespace relais::workflow {
namespace {

std::string EdgeText(const DrawingEdge& e) {
  std::string text = e.label;
  if (!e.guard.empty()) text += "\n[" + e.guard + "]";
  if (!e.timer.empty()) text += "\n(" + e.timer + ")";
  return text;
}

class DotWriter {
 public:
  explicit DotWriter(const Drawing& d) : d_(d) {}

  std::string Write() {
    out_ = "digraph " + DoubleQuoted(d_.name) + " {\n";
    out_ += "  graph [rankdir=LR, compound=true, fontname=\"sans-serif\", label=" + DoubleQuoted(d_.title) +
            ", labelloc=t];\n";
    out_ += "  node [fontname=\"sans-serif\", fontsize=11];\n";
    out_ += "  edge [fontname=\"sans-serif\", fontsize=9];\n";
    out_ += "  __start [shape=point, width=0.15, label=\"\"];\n";
    for (const auto& n : d_.nodes) {
      if (!n.region.empty()) continue;
      if (n.kind == NodeKind::kComposite)
        Cluster(n);
      else
        out_ += "  " + DoubleQuoted(n.id) + " [label=" + DoubleQuoted(n.label) + ", " + Style(n.kind) + "];\n";
    }
    for (const auto& e : d_.edges) {
      if (!e.region.empty() || e.kind == EdgeKind::kEnd) continue;  // terminal phases have a double border
      out_ += "  " + (e.from.empty() ? std::string("__start") : DoubleQuoted(e.from)) + " -> " + DoubleQuoted(e.to);
      std::string attrs;
      if (e.kind != EdgeKind::kStart) attrs = "label=" + DoubleQuoted(EdgeText(e), "\\n");
      if (e.kind == EdgeKind::kTimerEvent) attrs += ", style=dashed";
      if (e.kind == EdgeKind::kCounts) attrs += ", style=dotted, arrowhead=odot";
      if (e.kind == EdgeKind::kSpawn) attrs += ", style=dashed, arrowhead=empty";
      if (IsComposite(e.from)) attrs += ", ltail=" + DoubleQuoted("cluster_" + e.from);
      if (IsComposite(e.to)) attrs += ", lhead=" + DoubleQuoted("cluster_" + e.to);
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
      case NodeKind::kChildren: return "shape=folder, style=dashed";
      case NodeKind::kSpawned: return "shape=box3d, style=dashed";
      default: return "shape=box, style=rounded";
    }
  }

  bool IsComposite(const std::string& id) const {
    const DrawingNode* n = id.empty() ? nullptr : d_.FindNode(id);
    return n && n->kind == NodeKind::kComposite;
  }

  void Cluster(const DrawingNode& n) {
    out_ += "  subgraph " + DoubleQuoted("cluster_" + n.id) + " {\n";
    out_ += "    label=" + DoubleQuoted(n.label) + "; style=rounded;\n";
    out_ += "    " + DoubleQuoted(n.id) + " [shape=point, style=invis, width=0, label=\"\"];\n";
    for (const Region* r : d_.RegionsOf(n.id)) {
      out_ += "    subgraph " + DoubleQuoted("cluster_" + r->id) + " {\n";
      out_ += "      label=" + DoubleQuoted(r->label) + "; style=dashed;" + (r->keyed ? " penwidth=2;" : "") + "\n";
      out_ += "      " + DoubleQuoted(r->id + "__start") + " [shape=point, width=0.1, label=\"\"];\n";
      for (const auto& step : r->steps)
        out_ += "      " + DoubleQuoted(step) + " [label=" + DoubleQuoted(d_.FindNode(step)->label) +
                ", shape=box, style=rounded];\n";
      for (const auto& e : d_.edges) {
        if (e.region != r->id) continue;
        out_ += "      " + DoubleQuoted(e.from.empty() ? r->id + "__start" : e.from) + " -> " + DoubleQuoted(e.to);
        if (e.kind == EdgeKind::kTrackMove) out_ += " [label=" + DoubleQuoted(EdgeText(e), "\\n") + "]";
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
      out_ += "  " + DoubleQuoted(id) + " [shape=note, fontsize=9, label=" + DoubleQuoted(text, "\\l") + "];\n";
      if (note.node.empty()) continue;
      out_ += "  " + DoubleQuoted(note.node) + " -> " + DoubleQuoted(id) + " [style=dotted, arrowhead=none";
      if (IsComposite(note.node)) out_ += ", ltail=" + DoubleQuoted("cluster_" + note.node);
      out_ += "];\n";
    }
  }

  const Drawing& d_;
  std::string out_;
};

}  // namespace

std::string RenderDot(const Drawing& drawing) { return DotWriter(drawing).Write(); }

}  // namespace relais::workflow
