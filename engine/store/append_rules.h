// The rules every EventStore applies to an append, shared by the RocksDB and
// in-memory implementations so both behave the same: request validation,
// expected-version checks and idempotent re-sends.
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <functional>
#include <optional>

#include "engine/store/codec.h"
#include "engine/store/event_store.h"

namespace relais {

// Checks limits, stream id, UUID event ids (distinct), types.
// Errors: kInvalidArgument saying which event and what was expected.
Status ValidateAppendRequest(const AppendRequest& request, const EventLimits& limits);

// Errors: kInvalidArgument when an event's encoded size exceeds the limit.
Status CheckEventSize(const NewEvent& event, size_t encoded_bytes, const EventLimits& limits);

// Looks up where an event id is stored (nullopt: unknown).
using EventIdLookup = std::function<StatusOr<std::optional<EventLocation>>(const std::string& event_id)>;

// Decides an append against the stream's current version (0: no stream).
// Returns nullopt when the events must be written; an AppendResult with
// deduplicated=true when they are all already stored as this request would
// have stored them; or the refusal (kVersionConflict with the actual version,
// kAlreadyExists for ids stored elsewhere or only partly).
StatusOr<std::optional<AppendResult>> DecideAppend(const AppendRequest& request, uint64_t current_version,
                                                   const EventIdLookup& lookup);

}  // namespace relais
