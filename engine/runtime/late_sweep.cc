#include "engine/runtime/late_sweep.h"

namespace relais::runtime {

Status SweepLate(const ProjectIndex& index, ProjectService& projects, TimePoint now, size_t* recorded) {
  constexpr size_t kPage = 256;
  *recorded = 0;
  ProjectFilter late;
  late.late = true;
  for (size_t offset = 0;; offset += kPage) {
    ProjectPage page = index.Query(late, ProjectSort::kId, offset, kPage, now);
    for (const Project& p : page.projects) {
      RELAIS_ASSIGN_OR_RETURN(bool added, projects.RecordLate(p.info.id, now));
      if (added) ++*recorded;
    }
    if (page.projects.size() < kPage) return Status::Ok();
  }
}

}  // namespace relais::runtime
