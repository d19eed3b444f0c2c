#include "engine/workflow/definition_diff.h"

#include <map>

namespace relais::workflow {
namespace {

// The list's items by their key, with the order they come in.
std::vector<std::pair<std::string, const Json*>> Keyed(const Json& list, const char* key) {
  std::vector<std::pair<std::string, const Json*>> out;
  if (!list.is_array()) return out;
  for (const Json& item : list)
    if (item.is_object() && item.contains(key) && item[key].is_string()) out.emplace_back(item[key], &item);
  return out;
}

Json Compare(const Json& before, const Json& after, const char* key) {
  const auto old_items = Keyed(before, key), new_items = Keyed(after, key);
  std::map<std::string, const Json*> old_by_key(old_items.begin(), old_items.end());
  std::map<std::string, const Json*> new_by_key(new_items.begin(), new_items.end());
  Json added = Json::array(), removed = Json::array(), changed = Json::array();
  for (const auto& [k, item] : new_items) {
    auto it = old_by_key.find(k);
    if (it == old_by_key.end())
      added.push_back(k);
    else if (*it->second != *item)
      changed.push_back(k);
  }
  for (const auto& [k, item] : old_items)
    if (!new_by_key.count(k)) removed.push_back(k);
  return {{"added", added}, {"removed", removed}, {"changed", changed}};
}

bool Empty(const Json& diff) { return diff["added"].empty() && diff["removed"].empty() && diff["changed"].empty(); }

}  // namespace

Json DefinitionDiff(const WorkflowDefinition& current, const WorkflowDefinition& next) {
  const Json a = CanonicalJson(current), b = CanonicalJson(next);
  Json phases = Compare(a.value("phases", Json::array()), b.value("phases", Json::array()), "id");
  Json events = Compare(a.value("events", Json::array()), b.value("events", Json::array()), "type");
  const bool state_changed = a.value("state", Json()) != b.value("state", Json());
  const bool same = ContentHash(current) == ContentHash(next);
  return {{"against", ContentHash(current)},
          {"phases", phases},
          {"events", events},
          {"state_changed", state_changed},
          {"same", same || (Empty(phases) && Empty(events) && !state_changed && a == b)}};
}

}  // namespace relais::workflow
