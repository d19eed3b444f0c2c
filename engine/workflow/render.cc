#include "engine/workflow/render.h"

namespace relais::workflow {

std::string RenderMermaid(const WorkflowDefinition& def) {
  return RenderMermaid(BuildDrawing(def, DrawingLanguage::kFr));
}

std::string RenderDot(const WorkflowDefinition& def) { return RenderDot(BuildDrawing(def, DrawingLanguage::kFr)); }

}  // namespace relais::workflow
