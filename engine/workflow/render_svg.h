// SVG of a workflow: its DOT text (render.h) laid out by Graphviz's `dot
// -Tsvg`, run as a child process with a bounded time and output. Graphviz is
// the Debian package `graphviz`; without it the call fails with a sentence
// saying so. A subprocess rather than libgvc: the engine does not link a
// layout library it needs only here, and a hung or crashing layout cannot
// take the caller down.
//
// Thread-safety: safe to call from several threads (each call has its own child).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "engine/util/status.h"
#include "engine/workflow/drawing.h"

namespace relais::workflow {

struct SvgOptions {
  std::string dot_program = "dot";  // looked up on PATH when it has no '/'
  // A workflow file is bounded (WorkflowLimits), so is its layout: past this the child is killed.
  std::chrono::milliseconds timeout{20'000};
  size_t max_output_bytes = 32 * 1024 * 1024;
};

// The SVG document. kNotFound: the dot program is not installed;
// kUnavailable: it timed out, failed or wrote too much (the message says which
// and carries its first error line); may return some other Status on an error.
StatusOr<std::string> RenderSvg(const Drawing& drawing, const SvgOptions& options = {});

}  // namespace relais::workflow
