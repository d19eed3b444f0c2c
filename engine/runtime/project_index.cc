#include "engine/runtime/project_index.h"

#include <algorithm>

namespace relais::runtime {
namespace {

constexpr const char* kIndexPrefix = "index/project/";
constexpr const char* kCheckpointKey = "index/checkpoint";
constexpr size_t kScanPage = 1024;

bool Matches(const Project& p, const ProjectFilter& f, const DefinitionLookup& definitions, TimePoint now) {
  if (f.phase && p.state.phase != *f.phase) return false;
  if (f.axis && p.info.axis != *f.axis) return false;
  if (f.workflow && p.info.workflow != *f.workflow) return false;
  if (f.programme && p.info.programme != *f.programme) return false;
  if (f.partner && std::find(p.info.partners.begin(), p.info.partners.end(), *f.partner) == p.info.partners.end())
    return false;
  if (f.late && p.IsLate(definitions, now) != *f.late) return false;
  return true;
}

}  // namespace

ProjectIndex::ProjectIndex(EventStore& store, DefinitionLookup definitions, IndexOptions options)
    : store_(store), definitions_(std::move(definitions)), options_(options) {}

Status ProjectIndex::Open() {
  std::map<std::string, Project> loaded;
  std::string after;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(kIndexPrefix, after, kScanPage));
    for (const KvEntry& e : page) {
      RELAIS_ASSIGN_OR_RETURN(Json json, ParseJson(e.value));
      RELAIS_ASSIGN_OR_RETURN(Project p, Project::FromJson(json));
      loaded[p.info.id] = std::move(p);
    }
    if (page.size() < kScanPage) break;
    after = page.back().key;
  }
  RELAIS_ASSIGN_OR_RETURN(auto checkpoint, store_.KvGet(kCheckpointKey));
  std::lock_guard lock(mu_);
  projects_ = std::move(loaded);
  checkpoint_ = checkpoint ? std::stoull(*checkpoint) : 0;
  return Status::Ok();
}

Status ProjectIndex::FoldPage(const LogPage& page) {
  // In place, under the lock: queries wait for one page at most, and no
  // project is copied (a project's fields grow over its life).
  std::lock_guard lock(mu_);
  for (const RecordedEvent& e : page.events) {
    if (!e.stream_id.starts_with(kProjectStreamPrefix)) continue;
    std::string id = e.stream_id.substr(kProjectStreamPrefix.size());
    auto [it, inserted] = projects_.try_emplace(id);
    Project& p = it->second;
    if (inserted) p.info.id = id;
    if (e.version <= p.version) continue;  // already folded (a page replayed after a restart)
    Status folded = ApplyStored(definitions_, p, e);
    if (!folded.ok()) {
      if (inserted) projects_.erase(it);
      return folded.WithContext("read model");
    }
    dirty_.insert(std::move(id));
  }
  unpersisted_events_ += page.events.size();
  checkpoint_ = page.next_position - 1;
  return Status::Ok();
}

Status ProjectIndex::PersistLocked() {
  KvWrites writes;
  writes.sync = false;  // derived data: a crash at worst folds the last events again
  uint64_t checkpoint;
  {
    std::lock_guard lock(mu_);
    for (const std::string& id : dirty_)
      if (auto it = projects_.find(id); it != projects_.end())
        writes.Put(kIndexPrefix + id, DumpJson(it->second.ToJson()));
    checkpoint = checkpoint_;
  }
  writes.Put(kCheckpointKey, std::to_string(checkpoint));
  RELAIS_RETURN_IF_ERROR(store_.KvWrite(writes));
  dirty_.clear();
  unpersisted_events_ = 0;
  return Status::Ok();
}

Status ProjectIndex::Flush() {
  std::lock_guard fold(catch_up_mu_);
  if (dirty_.empty() && unpersisted_events_ == 0) return Status::Ok();
  return PersistLocked();
}

Status ProjectIndex::CatchUp() {
  std::lock_guard fold(catch_up_mu_);
  while (true) {
    uint64_t from = checkpoint() + 1;
    if (from > store_.LastPosition()) break;
    RELAIS_ASSIGN_OR_RETURN(LogPage page, store_.ReadAll(from, options_.page_events));
    if (page.events.empty()) break;
    RELAIS_RETURN_IF_ERROR(FoldPage(page));
    if (on_folded_)
      for (const RecordedEvent& e : page.events) on_folded_(e);
    if (unpersisted_events_ >= options_.persist_every_events) RELAIS_RETURN_IF_ERROR(PersistLocked());
  }
  return Status::Ok();
}

Status ProjectIndex::Rebuild() {
  {
    std::lock_guard fold(catch_up_mu_);
    while (true) {
      RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan("index/", "", kScanPage));
      if (page.empty()) break;
      KvWrites drop;
      for (const KvEntry& e : page) drop.Delete(e.key);
      RELAIS_RETURN_IF_ERROR(store_.KvWrite(drop));
    }
    std::lock_guard lock(mu_);
    projects_.clear();
    checkpoint_ = 0;
    dirty_.clear();
    unpersisted_events_ = 0;
  }
  RELAIS_RETURN_IF_ERROR(CatchUp());
  return Flush();
}

uint64_t ProjectIndex::checkpoint() const {
  std::lock_guard lock(mu_);
  return checkpoint_;
}

std::optional<Project> ProjectIndex::Get(const std::string& project_id) const {
  std::lock_guard lock(mu_);
  auto it = projects_.find(project_id);
  if (it == projects_.end()) return std::nullopt;
  return it->second;
}

ProjectPage ProjectIndex::Query(const ProjectFilter& filter, ProjectSort sort, size_t offset, size_t limit,
                                TimePoint now) const {
  std::vector<const Project*> hits;
  std::lock_guard lock(mu_);
  for (const auto& [id, p] : projects_)
    if (p.version > 0 && Matches(p, filter, definitions_, now)) hits.push_back(&p);
  if (sort == ProjectSort::kUpdatedDesc)
    std::stable_sort(hits.begin(), hits.end(), [](auto* a, auto* b) { return a->updated_at > b->updated_at; });
  else if (sort == ProjectSort::kPhase)
    std::stable_sort(hits.begin(), hits.end(), [](auto* a, auto* b) { return a->state.phase < b->state.phase; });
  ProjectPage page;
  page.total = hits.size();
  for (size_t i = offset; i < hits.size() && page.projects.size() < limit; ++i) page.projects.push_back(*hits[i]);
  return page;
}

std::map<std::string, Project> ProjectIndex::All() const {
  std::lock_guard lock(mu_);
  return projects_;
}

std::set<std::string> ProjectIndex::ProgrammesOfPartner(const std::string& partner) const {
  std::set<std::string> out;
  std::lock_guard lock(mu_);
  for (const auto& [id, p] : projects_) {
    if (std::find(p.info.partners.begin(), p.info.partners.end(), partner) != p.info.partners.end())
      out.insert(p.info.programme);
  }
  return out;
}

}  // namespace relais::runtime
