#include "engine/store/recorded_entry.h"

#include "engine/util/uuid.h"

namespace relais {

Status PutRecorded(EventStore& store, const std::string& stream, const std::string& key, const Json& entry,
                   std::string_view type, const std::string& actor) {
  AppendRequest request;
  request.stream_id = stream;
  NewEvent event;
  event.event_id = NewUuid();
  event.type = std::string(type);
  event.data = entry;
  event.metadata.actor = actor;
  request.events.push_back(std::move(event));
  request.side_writes.Put(key, DumpJson(entry));
  return store.Append(std::move(request)).status();
}

StatusOr<std::vector<RecordedEvent>> RecordedHistory(EventStore& store, const std::string& stream, size_t limit) {
  return store.ReadStream(stream, 1, limit);
}

}  // namespace relais
