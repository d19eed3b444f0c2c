// Lateness sweep: records the one-time kProjectLate event for every project
// the read model lists as late at `now` (ProjectService::RecordLate makes a
// repeat write nothing, so sweeping again, or after a restart, is harmless).
// The runtime host runs it at start and every runtime.late_sweep_interval_ms.
//
// Thread-safety: as ProjectService and ProjectIndex (safe from any thread).
#pragma once

#include <chrono>
#include <cstddef>

#include "engine/runtime/project_index.h"
#include "engine/runtime/project_service.h"

namespace relais::runtime {

// How often the runtime host sweeps (section `runtime:`, late_sweep_interval_ms).
struct LateSweepOptions {
  std::chrono::milliseconds interval{3'600'000};
};

// Events recorded by this sweep in *recorded. Stops at the first error
// (kUnavailable, say); what was recorded before it stays recorded.
Status SweepLate(const ProjectIndex& index, ProjectService& projects, TimePoint now, size_t* recorded);

}  // namespace relais::runtime
