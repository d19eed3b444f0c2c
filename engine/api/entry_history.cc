#include "engine/api/entry_history.h"

#include "engine/util/time_format.h"

namespace relais::api {

server::HttpResponse EntryHistoryResponse(const std::vector<RecordedEvent>& events, people::PeopleLookup& people) {
  Json changes = Json::array();
  for (const RecordedEvent& e : events) {
    const std::string& actor = e.metadata.actor;
    const std::string person = people::PersonOfSubject(actor);
    changes.push_back({{"version", e.version},
                       {"type", e.type},
                       {"at", FormatIso8601(e.metadata.recorded_at)},
                       {"actor", actor},
                       {"actor_name", people.NameOf(person)},
                       {"data", e.Data()}});
  }
  return server::JsonResponse(200, {{"changes", changes}});
}

}  // namespace relais::api
