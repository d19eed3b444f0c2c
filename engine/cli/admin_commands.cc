// relais rebuild / relais migrate: maintenance on a stopped server's store.
#include <cstdio>
#include <map>
#include <set>

#include "engine/cli/commands.h"
#include "engine/cli/runtime_host.h"

namespace relais::cli {
namespace {

// Parses "--config FILE" and returns the loaded configuration, or prints why not.
std::optional<RelaisConfig> LoadConfig(const std::string& path) {
  auto config = LoadConfigFile(path);
  if (!config.ok()) {
    std::fprintf(stderr, "relais: %s\n", config.status().message().c_str());
    return std::nullopt;
  }
  return *config;
}

std::unique_ptr<RuntimeHost> OpenHost(const RelaisConfig& config, bool deploy) {
  auto host = RuntimeHost::Open(config, deploy);
  if (!host.ok() && host.status().code() == StatusCode::kInvalidArgument) {  // a workflow file that does not load
    std::fprintf(stderr, "relais: the workflows do not deploy: %s\n", host.status().message().c_str());
    return nullptr;
  }
  if (!host.ok()) {
    std::fprintf(stderr, "relais: cannot open the store: %s\n(is `relais serve` running on it? stop it first)\n",
                 host.status().message().c_str());
    return nullptr;
  }
  return std::move(host).value();
}

}  // namespace

int Rebuild(const Args& args) {
  std::string config_path = "config/relais.yaml";
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size())
      config_path = args[++i];
    else {
      std::fputs("usage: relais rebuild [--config FILE]\n", stderr);
      return 2;
    }
  }
  auto config = LoadConfig(config_path);
  if (!config) return 1;
  auto host = OpenHost(*config, false);
  if (!host) return 1;
  if (Status s = host->index().Rebuild(); !s.ok()) {
    std::fprintf(stderr, "relais: rebuild failed: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("read model rebuilt: %zu project(s) from %llu event(s)\n", host->index().All().size(),
              static_cast<unsigned long long>(host->index().checkpoint()));
  return 0;
}

// A message of several lines, its later lines indented under the first.
std::string IndentedLines(std::string text) {
  for (size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 3)) text.insert(at + 1, "  ");
  return text;
}

// What a migration does besides the phase: keyed tracks, the parent's index.
void PrintPlanDetails(const runtime::ProjectInfo& info, const runtime::MigrationPlan& plan) {
  if (!plan.keyed_tracks_text.empty()) std::printf("  %s\n", IndentedLines(plan.keyed_tracks_text).c_str());
  if (!info.parent.empty())
    std::printf("  sub-item '%s' of project '%s': its entry in the parent's children index follows (phase %s)\n",
                info.parent.link.c_str(), info.parent.project.c_str(), plan.phase_after.c_str());
}

int Migrate(const Args& args) {
  std::string config_path = "config/relais.yaml", workflow;
  std::set<std::string> only;
  std::map<std::string, std::string> mapping;
  bool dry_run = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool has_value = i + 1 < args.size();
    if (a == "--config" && has_value)
      config_path = args[++i];
    else if (a == "--workflow" && has_value)
      workflow = args[++i];
    else if (a == "--project" && has_value)
      only.insert(args[++i]);
    else if (a == "--map" && has_value) {
      std::string m = args[++i];
      auto eq = m.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
        std::fprintf(stderr, "relais migrate: --map takes OLD=NEW, got '%s'\n", m.c_str());
        return 2;
      }
      mapping[m.substr(0, eq)] = m.substr(eq + 1);
    } else if (a == "--dry-run")
      dry_run = true;
    else {
      std::fputs(
          "usage: relais migrate --workflow NAME [--project ID]... [--map OLD=NEW]... [--dry-run] "
          "[--config FILE]\n  moves projects of NAME to its current version (deploys workflows_dir first)\n",
          stderr);
      return 2;
    }
  }
  if (workflow.empty()) {
    std::fputs("relais migrate: --workflow NAME is required\n", stderr);
    return 2;
  }
  auto config = LoadConfig(config_path);
  if (!config) return 1;
  auto host = OpenHost(*config, true);
  if (!host) return 1;
  const auto* target = host->registry().Current(workflow);
  if (!target) {
    std::fprintf(stderr, "relais migrate: no workflow named '%s' is deployed\n", workflow.c_str());
    return 1;
  }
  runtime::ProjectFilter filter;
  filter.workflow = workflow;
  auto page = host->index().Query(filter, runtime::ProjectSort::kId, 0, SIZE_MAX, host->clock().Now());
  size_t moved = 0, failed = 0;
  for (const auto& p : page.projects) {
    if (!only.empty() && !only.count(p.info.id)) continue;
    if (p.info.workflow_hash == target->content_hash) continue;
    auto plan = host->projects().PlanMigration(p.info.id, target->content_hash, mapping);
    if (!plan.ok()) {
      std::fprintf(stderr, "%s: %s: %s\n", p.info.id.c_str(), dry_run ? "would be refused" : "refused",
                   IndentedLines(plan.status().message()).c_str());
      ++failed;
      continue;
    }
    if (dry_run) {
      std::printf("%s: would move %s -> %s (phase %s -> %s)\n", p.info.id.c_str(),
                  p.info.workflow_hash.substr(0, 12).c_str(), target->content_hash.substr(0, 12).c_str(),
                  plan->phase_before.c_str(), plan->phase_after.c_str());
      PrintPlanDetails(p.info, *plan);
      ++moved;
      continue;
    }
    auto out = host->projects().Migrate(p.info.id, target->content_hash, mapping, {"system:migrate", {"admin"}});
    if (!out.ok()) {
      std::fprintf(stderr, "%s: refused: %s\n", p.info.id.c_str(), IndentedLines(out.status().message()).c_str());
      ++failed;
      continue;
    }
    std::printf("%s: moved to %s, phase %s\n", p.info.id.c_str(), target->content_hash.substr(0, 12).c_str(),
                out->phase.c_str());
    PrintPlanDetails(p.info, *plan);
    ++moved;
  }
  if (dry_run)
    std::printf("%zu project(s) would move, %zu would be refused (dry run: nothing written)\n", moved, failed);
  else
    std::printf("%zu project(s) moved, %zu refused\n", moved, failed);
  return failed ? 1 : 0;
}

}  // namespace relais::cli
