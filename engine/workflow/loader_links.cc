#include "engine/workflow/loader_links.h"

#include <algorithm>

namespace relais::workflow {
namespace {

using Loc = SourceLocation;

const std::vector<std::string> kChildKeys = {"id", "labels", "workflow", "visibility", "description"};
const std::vector<std::string> kSpawnKeys = {"workflow", "link", "title", "programme", "phase", "fields"};
const std::vector<std::string> kChildCounts = {"total", "open", "phases"};

}  // namespace

void LinkLoader::LoadChildren(const YAML::Node& node) {
  if (!node.IsDefined()) return;
  if (!reader_.ExpectList(node, "children", {1, 1})) return;
  if (!reader_.WithinLimit(node, node.size(), reader_.limits().max_child_kinds, "too many kinds of children")) return;
  for (const auto& item : node) {
    if (!reader_.ExpectMap(item, "a kind of children", YamlReader::Loc(node))) continue;
    reader_.CheckKeys(item, kChildKeys, "a kind of children");
    ChildKind kind;
    kind.location = YamlReader::Loc(item);
    auto id = reader_.Identifier(item["id"], "children id", kind.location);
    if (!id) continue;
    kind.id = *id;
    if (def_.FindChildKind(kind.id)) {
      reader_.diag().Error(kind.location, "duplicate", "children '" + kind.id + "' are declared twice",
                           "'" + kind.id + "'", "one declaration per kind of children");
      continue;
    }
    kind.labels = load_labels_(item["labels"], "labels of children '" + kind.id + "'", kind.location);
    auto workflow =
        reader_.Identifier(item["workflow"], "children workflow (the name of another workflow file)", kind.location);
    if (!workflow) continue;
    kind.workflow = *workflow;
    if (const YAML::Node v = item["visibility"]; v.IsDefined()) {
      auto text = reader_.String(v, "visibility", kind.location);
      if (!text) continue;
      if (*text != "parent" && *text != "own") {
        reader_.diag().Error(YamlReader::Loc(v), "bad-value", "unknown visibility of children", "'" + *text + "'",
                             "parent (whoever sees the parent sees them) or own (only their own partners)",
                             DidYouMean(*text, {"parent", "own"}));
        continue;
      }
      kind.inherit_visibility = *text == "parent";
    }
    def_.children.push_back(std::move(kind));
  }
}

void LinkLoader::LoadSpawns(const YAML::Node& node, const EventType& event, const ValueParser& parse_value,
                            std::vector<SpawnSpec>* out) {
  if (!node.IsDefined()) return;
  std::vector<YAML::Node> items;
  if (node.IsSequence()) {
    for (const auto& item : node) items.push_back(item);
  } else {
    items.push_back(node);
  }
  if (!reader_.WithinLimit(node, items.size(), reader_.limits().max_spawns_per_transition,
                           "a transition spawns too many projects"))
    return;
  for (const auto& item : items)
    if (auto spawn = LoadSpawn(item, event, parse_value)) out->push_back(std::move(*spawn));
}

std::optional<SpawnSpec> LinkLoader::LoadSpawn(const YAML::Node& node, const EventType& event,
                                               const ValueParser& parse_value) {
  if (!reader_.ExpectMap(node, "spawn", event.location)) return std::nullopt;
  reader_.CheckKeys(node, kSpawnKeys, "spawn of '" + event.type + "'");
  SpawnSpec spawn;
  spawn.location = YamlReader::Loc(node);
  bool ok = true;
  if (auto w = reader_.Identifier(node["workflow"], "spawn workflow (the name of a workflow file)", spawn.location))
    spawn.workflow = *w;
  else
    ok = false;
  if (auto l = reader_.Identifier(node["link"], "spawn link (names the relation on both sides)", spawn.location))
    spawn.link = *l;
  else
    ok = false;
  if (const YAML::Node t = node["title"]; t.IsDefined()) {
    spawn.title = parse_value(t);
    ok = ok && spawn.title.has_value();
  } else {
    reader_.diag().Error(spawn.location, "missing", "spawn needs the new project's title", "no title",
                         "title: <a text expression>", "e.g. title: event.titre");
    ok = false;
  }
  if (const YAML::Node pr = node["programme"]; pr.IsDefined()) {
    spawn.programme = parse_value(pr);
    ok = ok && spawn.programme.has_value();
  }
  if (const YAML::Node ph = node["phase"]; ph.IsDefined()) {
    if (auto id = reader_.Identifier(ph, "spawn phase", spawn.location))
      spawn.phase = *id;
    else
      ok = false;
  }
  if (const YAML::Node f = node["fields"]; f.IsDefined() && reader_.ExpectMap(f, "spawn fields", spawn.location)) {
    if (!reader_.WithinLimit(f, f.size(), reader_.limits().max_spawn_fields, "spawn sets too many fields"))
      return std::nullopt;
    for (const auto& kv : f) {
      auto field = reader_.Identifier(kv.first, "spawn field (a state field of the new project)", spawn.location);
      auto value = parse_value(kv.second);
      if (!field || !value) {
        ok = false;
        continue;
      }
      spawn.fields.emplace_back(*field, std::move(*value));
    }
  }
  if (!ok) return std::nullopt;
  return spawn;
}

bool LinkLoader::CheckChildrenPath(const std::vector<std::string>& path, Loc at) {
  // path = project.children.<kind>.<count>[.<phase>]
  std::vector<std::string> kinds;
  for (const auto& c : def_.children) kinds.push_back(c.id);
  const std::string full = [&] {
    std::string s;
    for (const auto& p : path) s += (s.empty() ? "" : ".") + p;
    return s;
  }();
  if (kinds.empty()) {
    reader_.diag().Error(at, "unknown-field", "this workflow declares no children", "'" + full + "'",
                         "a kind declared under children:", "declare children: [{id, labels, workflow}] first");
    return false;
  }
  if (path.size() < 4 || !def_.FindChildKind(path[2])) {
    reader_.diag().Error(at, "unknown-field", "guard refers to unknown children", "'" + full + "'",
                         "project.children.<" + JoinNames(kinds) + ">.total, .open or .phases.<phase>",
                         path.size() >= 3 ? DidYouMean(path[2], kinds) : "");
    return false;
  }
  const bool counted = std::find(kChildCounts.begin(), kChildCounts.end(), path[3]) != kChildCounts.end();
  const bool well_formed = counted && (path[3] == "phases" ? path.size() == 5 : path.size() == 4);
  if (!well_formed) {
    reader_.diag().Error(at, "unknown-field", "children are counted by total, open or phases.<phase>", "'" + full + "'",
                         "project.children." + path[2] + ".total, .open or .phases.<a phase of its workflow>",
                         DidYouMean(path[3], kChildCounts));
    return false;
  }
  if (path[3] == "phases") return CheckChildPhase(*def_.FindChildKind(path[2]), path, full, at);
  return true;
}

bool LinkLoader::CheckChildPhase(const ChildKind& kind, const std::vector<std::string>& path, const std::string& full,
                                 Loc at) {
  // Children of this same workflow are counted by its own phases (loaded before the guards).
  const WorkflowDefinition* child = kind.workflow == def_.name ? &def_ : linked_ ? linked_(kind.workflow) : nullptr;
  if (!child) {
    if (linked_ && unchecked_kinds_.insert(kind.id).second)
      reader_.diag().Warning(at, "unchecked-children",
                             "children '" + kind.id + "' follow workflow '" + kind.workflow +
                                 "', which is not known here: the phases they are counted by are not checked",
                             "'" + full + "'", "workflow '" + kind.workflow + "' deployed or given with this file",
                             "relais validate " + kind.workflow +
                                 ".yaml <this file> checks both; a deploy checks "
                                 "against the deployed version");
    return true;
  }
  const std::string& phase = path[4];
  if (child->FindPhase(phase)) return true;
  const std::vector<std::string> phases = child->PhaseIds();
  reader_.diag().Error(
      at, "unknown-phase",
      "children '" + kind.id + "' are counted in a phase their workflow '" + kind.workflow + "' does not have",
      "'" + full + "'", "one of " + JoinNames(phases) + " (phases of " + kind.workflow + ")",
      DidYouMean(phase, phases));
  return false;
}

}  // namespace relais::workflow
