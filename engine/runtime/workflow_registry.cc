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

Status WorkflowRegistry::LoadPersisted() {
  std::string after;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(kDefPrefix, after, kScanPage));
    for (const KvEntry& entry : page) {
      auto doc = ParseJson(entry.value);
      if (!doc.ok() || !doc->is_object()) return Corruption("stored workflow " + entry.key + " is not JSON");
      std::string file = doc->value("file", ""), text = doc->value("text", "");
      auto def = workflow::LoadWorkflow(text, file);
      if (!def.ok()) return Corruption("stored workflow " + file + " no longer loads: " + def.status().message());
      std::unique_lock lock(mu_);
      std::string hash = def->content_hash;
      by_hash_[hash] = {std::make_unique<workflow::WorkflowDefinition>(std::move(def).value()), text};
    }
    if (page.size() < kScanPage) break;
    after = page.back().key;
  }
  after.clear();
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(kCurrentPrefix, after, kScanPage));
    std::unique_lock lock(mu_);
    for (const KvEntry& entry : page) current_[entry.key.substr(std::strlen(kCurrentPrefix))] = entry.value;
    if (page.size() < kScanPage) break;
    after = page.back().key;
  }
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
  bool known = by_hash_.count(hash) > 0;
  auto current = current_.find(name);
  if (!known || current == current_.end() || current->second != hash) {
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
  std::shared_lock lock(mu_);
  auto it = by_hash_.find(hash);
  return it == by_hash_.end() ? nullptr : it->second.definition.get();
}

const workflow::WorkflowDefinition* WorkflowRegistry::Current(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = current_.find(name);
  if (it == current_.end()) return nullptr;
  auto def = by_hash_.find(it->second);
  return def == by_hash_.end() ? nullptr : def->second.definition.get();
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
