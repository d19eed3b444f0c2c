// A directory entry (a partner, a person) read as one key-value entry and
// changed with an event of its own stream, both in one atomic append: the
// entry for reads, the stream for its history with who changed it
// ("Each change ... is an event in the history, with its author").
//
// Thread-safety: as the store's Append and ReadStream.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/store/event_store.h"
#include "engine/util/json.h"

namespace relais {

// Writes entry (as JSON) under key and appends {type, data: entry, actor}
// to stream, in one batch. Errors: the store's.
Status PutRecorded(EventStore& store, const std::string& stream, const std::string& key, const Json& entry,
                   std::string_view type, const std::string& actor);

// The stream's events, oldest first, at most limit.
StatusOr<std::vector<RecordedEvent>> RecordedHistory(EventStore& store, const std::string& stream, size_t limit);

}  // namespace relais
