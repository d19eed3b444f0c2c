// Mermaid stateDiagram-v2 from a Drawing: a phase with tracks is a composite
// state whose tracks are concurrent regions separated by `--`. Kinds of
// children and spawned projects are states of a dashed class `link`, joined
// to their phases by labelled arrows ("comptés par", "crée un projet").
#include "engine/workflow/render.h"

namespace relais::workflow {
namespace {

// Mermaid's entity codes for what would end or break a label.
std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "#quot;"; break;
      case ':':
        out += "#58;";  // ends a transition label early
        break;
      case ';':
        out += "#59;";  // ends a statement
        break;
      case '<': out += "#lt;"; break;
      case '>': out += "#gt;"; break;
      case '#': out += "#35;"; break;
      case '\n':
      case '\r': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

std::string EdgeText(const DrawingEdge& e) {
  std::string text = e.label;
  if (!e.guard.empty()) text += " [" + e.guard + "]";
  if (!e.timer.empty()) text += " (" + e.timer + ")";
  return Escape(text);
}

std::string End(const std::string& id) { return id.empty() ? "[*]" : id; }

class MermaidWriter {
 public:
  explicit MermaidWriter(const Drawing& d) : d_(d) {}

  std::string Write() {
    out_ = "---\ntitle: " + DoubleQuoted(d_.title) + "\n---\nstateDiagram-v2\n";
    for (const auto& n : d_.nodes) {
      if (!n.region.empty()) continue;
      if (n.kind == NodeKind::kComposite) {
        Composite(n);
      } else {
        out_ += "  state \"" + Escape(n.label) + "\" as " + n.id + "\n";
      }
    }
    for (const auto& e : d_.edges) {
      if (!e.region.empty()) continue;
      out_ += "  " + End(e.from) + " --> " + End(e.to);
      if (e.kind != EdgeKind::kStart && e.kind != EdgeKind::kEnd) out_ += " : " + EdgeText(e);
      out_ += "\n";
    }
    Notes();
    Classes();
    return std::move(out_);
  }

 private:
  void Composite(const DrawingNode& n) {
    out_ += "  state \"" + Escape(n.label) + "\" as " + n.id + " {\n";
    bool first = true;
    for (const Region* r : d_.RegionsOf(n.id)) {
      if (!first) out_ += "    --\n";
      first = false;
      out_ += "    state \"" + Escape(r->label) + "\" as " + r->id + " {\n";
      for (const auto& step : r->steps)
        out_ += "      state \"" + Escape(d_.FindNode(step)->label) + "\" as " + step + "\n";
      for (const auto& e : d_.edges) {
        if (e.region != r->id) continue;
        out_ += "      " + End(e.from) + " --> " + e.to;
        if (e.kind == EdgeKind::kTrackMove) out_ += " : " + EdgeText(e);
        out_ += "\n";
      }
      out_ += "    }\n";
    }
    out_ += "  }\n";
  }

  // Notes for the whole workflow hang on the first phase a project may start in.
  void Notes() {
    std::string anchor;
    for (const auto& e : d_.edges)
      if (e.kind == EdgeKind::kStart && e.region.empty()) {
        anchor = e.to;
        break;
      }
    for (const auto& note : d_.notes) {
      std::string node = note.node.empty() ? anchor : note.node;
      if (node.empty()) continue;
      out_ += "  note " + std::string(note.node.empty() ? "left" : "right") + " of " + node + "\n";
      for (const auto& line : note.lines) out_ += "    " + Escape(line) + "\n";
      out_ += "  end note\n";
    }
  }

  void Classes() {
    std::string terminal, suspended, link;
    for (const auto& n : d_.nodes) {
      if (n.kind == NodeKind::kTerminal) terminal += (terminal.empty() ? "" : ",") + n.id;
      if (n.kind == NodeKind::kSuspended) suspended += (suspended.empty() ? "" : ",") + n.id;
      if (n.kind == NodeKind::kChildren || n.kind == NodeKind::kSpawned) link += (link.empty() ? "" : ",") + n.id;
    }
    if (!terminal.empty()) out_ += "  classDef terminal stroke-width:3px\n  class " + terminal + " terminal\n";
    if (!suspended.empty()) out_ += "  classDef suspended stroke-dasharray:5 5\n  class " + suspended + " suspended\n";
    if (!link.empty()) out_ += "  classDef link stroke-dasharray:2 4\n  class " + link + " link\n";
  }

  const Drawing& d_;
  std::string out_;
};

}  // namespace

std::string RenderMermaid(const Drawing& drawing) { return MermaidWriter(drawing).Write(); }

}  // namespace relais::workflow
