// Events as written (NewEvent) and as read back (RecordedEvent).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>

#include "engine/util/clock.h"
#include "engine/util/json.h"

namespace relais {

struct EventMetadata {
  std::string actor;           // who caused it: set by the server, never by a request body
  std::string causation_id;    // the command or event that caused this one (may be empty)
  std::string correlation_id;  // the conversation it belongs to (may be empty)
  TimePoint recorded_at{};     // set by the store at append time (UTC)

  friend bool operator==(const EventMetadata&, const EventMetadata&) = default;
};

// An event proposed for append. event_id must be a UUID; it makes re-sending
// idempotent. metadata.recorded_at is ignored: the store stamps it.
struct NewEvent {
  std::string event_id;
  std::string type;
  Json data = Json::object();
  // Optional: the data already serialized. When set, `data` is not read (a hot
  // path then serializes once). REQUIRES: valid JSON text when non-empty.
  std::string data_json;
  EventMetadata metadata;
  uint32_t schema_version = 1;  // version of this event type's data shape

  // data_json when set, else data serialized.
  std::string DataText() const;
};

// An event as stored. data_json is the stored JSON text of the data; Data()
// parses it (the text is kept to avoid a parse/serialize round trip for readers
// that only pass events on).
struct RecordedEvent {
  std::string stream_id;
  uint64_t version = 0;   // 1..n, gapless within the stream
  uint64_t position = 0;  // 1..n, gapless over the whole store, in commit order
  std::string event_id;
  std::string type;
  std::string data_json;
  EventMetadata metadata;
  uint32_t schema_version = 1;

  // REQUIRES: data_json was produced by the store (always valid JSON).
  Json Data() const;
  // The whole event as JSON: {stream, version, position, id, type, data, metadata, schema_version}.
  Json ToJson() const;
  // DumpJson(ToJson()) without parsing and re-serializing data_json (the
  // costly part of answering with events). REQUIRES: as Data().
  std::string ToJsonText() const;
};

// The latest snapshot of a stream's folded state.
struct Snapshot {
  uint64_t version = 0;  // the stream version the state includes
  std::string schema;    // the state's shape; a reader discards a schema it does not know
  std::string payload;
};

// Where an event is stored.
struct EventLocation {
  std::string stream_id;
  uint64_t version = 0;
  uint64_t position = 0;
};

// Limits every store enforces on what it is asked to write.
struct EventLimits {
  size_t max_stream_id_bytes = 256;
  size_t max_type_bytes = 128;
  size_t max_event_bytes = 1 << 20;  // encoded size of one event
  size_t max_events_per_append = 1000;
};

}  // namespace relais
