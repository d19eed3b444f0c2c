#include "engine/runtime/workflow_registry.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "engine/workflow/loader.h"

namespace relais::runtime {
namespace {

constexpr const char* kDefPrefix = "workflow/def/";          // hash -> {"file", "text"}
constexpr const char* kCurrentPrefix = "workflow/current/";  // name -> hash
constexpr size_t kScanPage = 256;

}  // namespace

StatusOr<WorkflowRegistry::Entry> WorkflowRegistry::ParseStored(const std::string& key, const std::string& value) {
  auto doc = ParseJson(value);
  if (!doc.ok() || !doc->is_object()) return Corruption("stored workflow " + key + " is not JSON");
  std::string file = doc->value("file", ""), text = doc->value("text", "");
  auto def = workflow::LoadWorkflow(text, file);
  if (!def.ok()) return Corruption("stored workflow " + file + " no longer loads: " + def.status().message());
  return Entry{std::make_unique<workflow::WorkflowDefinition>(std::move(def).value()), std::move(text)};
}

Status WorkflowRegistry::LoadPersisted() {
  std::string after;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(kDefPrefix, after, kScanPage));
    for (const KvEntry& entry : page) {
      RELAIS_ASSIGN_OR_RETURN(Entry loaded, ParseStored(entry.key, entry.value));
      std::unique_lock lock(mu_);
      const std::string hash = loaded.definition->content_hash;
      by_hash_[hash] = std::move(loaded);
    }
    if (page.size() < kScanPage) break;
    after = page.back().key;
  }
  return Refresh();  // the current version of each name
}

Status WorkflowRegistry::LoadHashLocked(const std::string& hash) const {
  const std::string key = kDefPrefix + hash;
  RELAIS_ASSIGN_OR_RETURN(auto stored, store_.KvGet(key));
  if (!stored) return Status::Ok();
  RELAIS_ASSIGN_OR_RETURN(Entry loaded, ParseStored(key, *stored));
  by_hash_[hash] = std::move(loaded);
  return Status::Ok();
}

Status WorkflowRegistry::Refresh() {
  std::map<std::string, std::string> current;
  std::string after;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(kCurrentPrefix, after, kScanPage));
    for (const KvEntry& entry : page) current[entry.key.substr(std::strlen(kCurrentPrefix))] = entry.value;
    if (page.size() < kScanPage) break;
    after = page.back().key;
  }
  std::unique_lock lock(mu_);
  for (const auto& [name, hash] : current)
    if (!by_hash_.count(hash)) RELAIS_RETURN_IF_ERROR(LoadHashLocked(hash));
  for (auto& [name, hash] : current)
    if (by_hash_.count(hash)) current_[name] = std::move(hash);
  return Status::Ok();
}

StatusOr<DeployResult> WorkflowRegistry::Deploy(std::string_view text, std::string_view file_name) {
  return Deploy(text, file_name, [this](const std::string& name) { return Current(name); });
}

StatusOr<DeployResult> WorkflowRegistry::Deploy(std::string_view text, std::string_view file_name,
                                                const workflow::LinkedWorkflows& linked) {
  auto loaded = workflow::LoadWorkflowWithDiagnostics(text, file_name, workflow::DefaultLimits(), linked);
  if (!loaded.definition) return InvalidArgument(loaded.diagnostics.ToString());
  DeployResult result;
  result.diagnostics = loaded.diagnostics;
  const std::string hash = loaded.definition->content_hash;
  const std::string name = loaded.definition->name;
  std::unique_lock lock(mu_);  // deploys are rare: serialize them with readers
  // Another node may have deployed since: the store says what is current.
  RELAIS_ASSIGN_OR_RETURN(auto stored_current, store_.KvGet(kCurrentPrefix + name));
  if (!by_hash_.count(hash)) RELAIS_RETURN_IF_ERROR(LoadHashLocked(hash));
  bool known = by_hash_.count(hash) > 0;
  if (!known || !stored_current || *stored_current != hash) {
    KvWrites writes;
    if (!known)
      writes.Put(kDefPrefix + hash, DumpJson({{"file", std::string(file_name)}, {"text", std::string(text)}}));
    writes.Put(kCurrentPrefix + name, hash);
    RELAIS_RETURN_IF_ERROR(store_.KvWrite(writes));
  }
  if (!known)
    by_hash_[hash] = {std::make_unique<workflow::WorkflowDefinition>(std::move(*loaded.definition)), std::string(text)};
  current_[name] = hash;
  result.definition = by_hash_[hash].definition.get();
  result.is_new = !known;
  return result;
}

Status WorkflowRegistry::DeployDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    auto ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) files.push_back(entry.path());
  }
  if (ec) return NotFound("cannot list workflow directory " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<std::string> texts;
  std::map<std::string, workflow::WorkflowDefinition> in_dir;  // name -> definition, for the links between files
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    texts.push_back(ss.str());
    auto loaded = workflow::LoadWorkflowWithDiagnostics(texts.back(), path.string());
    if (loaded.definition) in_dir.emplace(loaded.definition->name, std::move(*loaded.definition));
  }
  const workflow::LinkedWorkflows linked = [&](const std::string& name) -> const workflow::WorkflowDefinition* {
    auto it = in_dir.find(name);
    return it != in_dir.end() ? &it->second : Current(name);
  };
  for (size_t i = 0; i < files.size(); ++i) {
    auto deployed = Deploy(texts[i], files[i].string(), linked);
    if (!deployed.ok()) return deployed.status();
  }
  return Status::Ok();
}

const workflow::WorkflowDefinition* WorkflowRegistry::ByHash(const std::string& hash) const {
  {
    std::shared_lock lock(mu_);
    auto it = by_hash_.find(hash);
    if (it != by_hash_.end()) return it->second.definition.get();
  }
  // Deployed by another node since this one loaded (a shared store).
  std::unique_lock lock(mu_);
  if (!by_hash_.count(hash) && !LoadHashLocked(hash).ok()) return nullptr;
  auto it = by_hash_.find(hash);
  return it == by_hash_.end() ? nullptr : it->second.definition.get();
}

const workflow::WorkflowDefinition* WorkflowRegistry::Current(const std::string& name) const {
  {
    std::shared_lock lock(mu_);
    auto it = current_.find(name);
    if (it != current_.end()) {
      auto def = by_hash_.find(it->second);
      return def == by_hash_.end() ? nullptr : def->second.definition.get();
    }
  }
  // A name first deployed by another node (a shared store).
  auto stored = store_.KvGet(kCurrentPrefix + name);
  if (!stored.ok() || !*stored) return nullptr;
  std::unique_lock lock(mu_);
  const std::string hash = **stored;
  if (!by_hash_.count(hash) && !LoadHashLocked(hash).ok()) return nullptr;
  auto def = by_hash_.find(hash);
  if (def == by_hash_.end()) return nullptr;
  current_.try_emplace(name, hash);
  return def->second.definition.get();
}

std::string WorkflowRegistry::SourceOf(const std::string& hash) const {
  std::shared_lock lock(mu_);
  auto it = by_hash_.find(hash);
  return it == by_hash_.end() ? "" : it->second.source;
}

std::vector<const workflow::WorkflowDefinition*> WorkflowRegistry::ListCurrent() const {
  std::shared_lock lock(mu_);
  std::vector<const workflow::WorkflowDefinition*> out;
  for (const auto& [name, hash] : current_)
    if (auto it = by_hash_.find(hash); it != by_hash_.end()) out.push_back(it->second.definition.get());
  return out;
}

}  // namespace relais::runtime
