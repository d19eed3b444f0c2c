// Renders a workflow for people from its Drawing (drawing.h): Mermaid
// stateDiagram-v2 text (for Markdown pages) and Graphviz DOT text; SVG goes
// through Graphviz (render_svg.h). Phases with tracks are composites whose
// tracks are parallel regions (Mermaid `--`, DOT clusters); edges carry the
// event's label, roles and guard; gates, timers and suspension are notes.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "engine/workflow/definition.h"
#include "engine/workflow/drawing.h"

namespace relais::workflow {

// "stateDiagram-v2" text; deterministic for a given drawing.
std::string RenderMermaid(const Drawing& drawing);

// "digraph ..." text; deterministic for a given drawing.
std::string RenderDot(const Drawing& drawing);

// The same, drawn in French.
std::string RenderMermaid(const WorkflowDefinition& def);
std::string RenderDot(const WorkflowDefinition& def);

}  // namespace relais::workflow
