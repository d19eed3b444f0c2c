// ProjectIndex: the read model behind project lists (by phase, axis, partner,
// lateness), a projection of the global log. It folds every project event in
// position order into the projects it keeps in memory for queries. Every
// persist_every_events events, and at Flush(), it writes the projects that
// changed with its checkpoint (the last position folded) in one atomic write,
// so a restart resumes from there and folds the rest of the log again.
// Rebuild() drops it and replays the whole log: the result equals the
// incremental one (tested).
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/runtime/project.h"
#include "engine/store/event_store.h"

namespace relais::runtime {

struct IndexOptions {
  size_t page_events = 1024;            // global-log events read per page
  size_t persist_every_events = 65536;  // events folded between two persists
};

struct ProjectFilter {
  std::optional<std::string> phase;
  std::optional<std::string> axis;
  std::optional<std::string> partner;
  std::optional<std::string> workflow;
  std::optional<bool> late;  // needs `now`
  std::optional<std::string> programme;
};

enum class ProjectSort { kId, kUpdatedDesc, kPhase };

struct ProjectPage {
  std::vector<Project> projects;
  size_t total = 0;  // matching projects, all pages
};

class ProjectIndex {
 public:
  // *store must outlive the index; definitions must stay valid.
  ProjectIndex(EventStore& store, DefinitionLookup definitions, IndexOptions options = {});

  // Called for each event of the log the index passes, of every stream,
  // outside the index's locks: a node's caches (projects, programmes,
  // accounts) learn of other nodes' commits through it.
  // REQUIRES: set before the first CatchUp.
  void OnFolded(std::function<void(const RecordedEvent&)> observer) { on_folded_ = std::move(observer); }

  // Loads the persisted projection and its checkpoint.
  Status Open();
  // Folds the global log from the checkpoint to the store's last position.
  Status CatchUp();
  // Deletes the persisted projection and folds the whole log again.
  Status Rebuild();
  // Persists what was folded since the last persist (at shutdown).
  Status Flush();

  uint64_t checkpoint() const;
  std::optional<Project> Get(const std::string& project_id) const;
  ProjectPage Query(const ProjectFilter& filter, ProjectSort sort, size_t offset, size_t limit, TimePoint now) const;
  // The programmes of the projects naming partner, as folded so far (the
  // authorizer's facts about a partner; it lags the log as the index does).
  std::set<std::string> ProgrammesOfPartner(const std::string& partner) const;
  // Every project, by id (tests compare incremental and rebuilt indexes).
  std::map<std::string, Project> All() const;

 private:
  Status FoldPage(const LogPage& page);
  Status PersistLocked();  // REQUIRES: catch_up_mu_ held

  EventStore& store_;
  std::function<void(const RecordedEvent&)> on_folded_;
  const DefinitionLookup definitions_;
  const IndexOptions options_;
  std::mutex catch_up_mu_;  // one fold at a time
  mutable std::mutex mu_;   // guards projects_ and checkpoint_
  std::map<std::string, Project> projects_;
  uint64_t checkpoint_ = 0;
  // Folded but not yet persisted (guarded by catch_up_mu_).
  std::set<std::string> dirty_;
  uint64_t unpersisted_events_ = 0;
};

}  // namespace relais::runtime
