#include "engine/runtime/child_index.h"

#include <cstdio>

#include "engine/util/time_format.h"

namespace relais::runtime {
namespace {

std::string Padded(uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(n));
  return buf;
}

std::string EntryKey(const std::string& parent, const std::string& child) {
  return std::string(kChildrenPrefix) + parent + "/" + child;
}

Json EntryJson(const ProjectInfo& info, const std::string& phase) {
  return {{"link", info.parent.link},
          {"workflow", info.workflow},
          {"hash", info.workflow_hash},
          {"phase", phase},
          {"title", info.title}};
}

void AddMilestone(const ProjectInfo& info, const std::string& type, const std::string& from, const std::string& to,
                  uint64_t version, TimePoint now, KvWrites& writes) {
  ChildMilestone m{info.id, info.title, info.parent.link, type, from, to, now};
  const uint64_t micros = static_cast<uint64_t>(now.time_since_epoch().count());
  writes.Put(
      std::string(kChildLogPrefix) + info.parent.project + "/" + Padded(micros) + "/" + info.id + "/" + Padded(version),
      DumpJson(m.ToJson()));
}

}  // namespace

Json ChildMilestone::ToJson() const {
  Json j = {{"child", child}, {"title", title}, {"link", link}, {"type", type}, {"to", to}, {"at", FormatIso8601(at)}};
  if (!from.empty()) j["from"] = from;
  return j;
}

void AddChildWrites(const ProjectInfo& info, const std::string& phase_before, uint64_t version_before,
                    const std::vector<workflow::RecordedEvent>& decided, TimePoint now, KvWrites& writes) {
  if (info.parent.empty()) return;
  std::string phase = phase_before;
  bool moved = false;
  for (size_t i = 0; i < decided.size(); ++i) {
    const workflow::RecordedEvent& e = decided[i];
    if (!e.effects.phase || e.effects.phase->to == phase) continue;
    AddMilestone(info, e.type, phase, e.effects.phase->to, version_before + 1 + i, now, writes);
    phase = e.effects.phase->to;
    moved = true;
  }
  if (moved) writes.Put(EntryKey(info.parent.project, info.id), DumpJson(EntryJson(info, phase)));
}

void AddChildMigrated(const ProjectInfo& info, const std::string& phase_before, const std::string& phase_after,
                      uint64_t version, TimePoint now, KvWrites& writes) {
  if (info.parent.empty()) return;
  if (phase_after != phase_before)
    AddMilestone(info, "workflow_migrated", phase_before, phase_after, version, now, writes);
  writes.Put(EntryKey(info.parent.project, info.id), DumpJson(EntryJson(info, phase_after)));
}

StatusOr<std::vector<ChildEntry>> ChildIndex::List(const std::string& parent) const {
  const std::string prefix = std::string(kChildrenPrefix) + parent + "/";
  RELAIS_ASSIGN_OR_RETURN(auto entries, store_.KvScan(prefix, "", max_children_));
  std::vector<ChildEntry> out;
  out.reserve(entries.size());
  for (const KvEntry& kv : entries) {
    auto j = ParseJson(kv.value);
    if (!j.ok() || !j->is_object()) return Corruption("malformed child entry " + kv.key);
    out.push_back({kv.key.substr(prefix.size()), j->value("link", ""), j->value("workflow", ""), j->value("hash", ""),
                   j->value("phase", ""), j->value("title", "")});
  }
  return out;
}

StatusOr<Json> ChildIndex::Counts(const std::string& parent, const workflow::WorkflowDefinition& def,
                                  const DefinitionLookup& lookup, const CurrentLookup& current) const {
  if (def.children.empty()) return CountsOf({}, def, lookup, current);
  RELAIS_ASSIGN_OR_RETURN(auto children, List(parent));
  return CountsOf(children, def, lookup, current);
}

Json ChildIndex::CountsOf(const std::vector<ChildEntry>& children, const workflow::WorkflowDefinition& def,
                          const DefinitionLookup& lookup, const CurrentLookup& current) {
  Json counts = Json::object();
  for (const auto& kind : def.children) {
    Json phases = Json::object();
    if (const workflow::WorkflowDefinition* child_def = current(kind.workflow))
      for (const auto& phase : child_def->phases) phases[phase.id] = 0;
    counts[kind.id] = {{"total", 0}, {"open", 0}, {"phases", std::move(phases)}};
  }
  for (const ChildEntry& c : children) {
    auto it = counts.find(c.link);
    if (it == counts.end()) continue;  // a kind a later version of the parent's workflow dropped
    Json& k = *it;
    k["total"] = k["total"].get<int64_t>() + 1;
    const workflow::WorkflowDefinition* child_def = lookup(c.workflow_hash);
    const workflow::Phase* phase = child_def ? child_def->FindPhase(c.phase) : nullptr;
    if (!phase || !phase->terminal) k["open"] = k["open"].get<int64_t>() + 1;
    Json& by_phase = k["phases"];
    by_phase[c.phase] = by_phase.value(c.phase, int64_t{0}) + 1;
  }
  return counts;
}

StatusOr<std::vector<ChildMilestone>> ChildIndex::Milestones(const std::string& parent, size_t limit) const {
  const std::string prefix = std::string(kChildLogPrefix) + parent + "/";
  RELAIS_ASSIGN_OR_RETURN(auto entries, store_.KvScan(prefix, "", limit));
  std::vector<ChildMilestone> out;
  for (const KvEntry& kv : entries) {
    auto j = ParseJson(kv.value);
    if (!j.ok() || !j->is_object()) return Corruption("malformed child milestone " + kv.key);
    auto at = ParseIso8601(j->value("at", ""));
    if (!at.ok()) return Corruption("malformed child milestone time " + kv.key);
    out.push_back({j->value("child", ""), j->value("title", ""), j->value("link", ""), j->value("type", ""),
                   j->value("from", ""), j->value("to", ""), *at});
  }
  return out;
}

}  // namespace relais::runtime
