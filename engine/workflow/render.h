// Renders a workflow's phase graph for people: Mermaid (for Markdown pages)
// and Graphviz DOT. Nodes are phases (French labels), edges are transitions
// labelled with the event type and, when guarded, the guard.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "engine/workflow/definition.h"

namespace relais::workflow {

// "stateDiagram-v2" text; deterministic for a given definition.
std::string RenderMermaid(const WorkflowDefinition& def);

// "digraph ..." text; deterministic for a given definition.
std::string RenderDot(const WorkflowDefinition& def);

}  // namespace relais::workflow
