// The persisted byte formats of the RocksDB store: keys and the event
// envelope. docs/storage.md is the prose specification; change both together.
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/store/event.h"
#include "engine/util/status.h"

namespace relais::codec {

inline constexpr uint8_t kEnvelopeFormat = 1;
// Byte offset of the fixed64 version inside an envelope; the committer patches
// it once the version is known so encoding can happen on the caller's thread.
inline constexpr size_t kVersionOffset = 1;

// 8-byte big-endian, so byte order is numeric order.
std::string EncodeU64Key(uint64_t v);
uint64_t DecodeU64Key(std::string_view key);  // REQUIRES: key.size() >= 8

// stream_id + '\0' + big-endian version. Stream ids never contain bytes below
// 0x20, so one stream's keys form a contiguous range ordered by version.
std::string StreamKey(std::string_view stream_id, uint64_t version);
std::string StreamPrefix(std::string_view stream_id);

// Encodes an event with version 0; PatchVersion sets it later. data_json is
// the event's data text (NewEvent::DataText()).
std::string EncodeEvent(const NewEvent& event, std::string_view stream_id, TimePoint recorded_at,
                        std::string_view data_json);
std::string EncodeEvent(const NewEvent& event, std::string_view stream_id, TimePoint recorded_at);
// The size EncodeEvent would produce, without producing it.
size_t EncodedEventSize(const NewEvent& event, std::string_view stream_id, size_t data_json_bytes);
void PatchVersion(std::string& envelope, uint64_t version);
// Errors: kCorruption when the bytes are not a well-formed envelope.
StatusOr<RecordedEvent> DecodeEvent(std::string_view envelope, uint64_t position);

// The value of the event-id index.
using relais::EventLocation;
std::string EncodeLocation(const EventLocation& loc);
StatusOr<EventLocation> DecodeLocation(std::string_view value);

std::string EncodeSnapshot(const Snapshot& snapshot);
StatusOr<Snapshot> DecodeSnapshot(std::string_view value);

}  // namespace relais::codec
