// The recorded changes of a directory entry (a partner, a person) as a
// response: {"changes": [{version, type, at, actor, actor_name, data}]},
// oldest first, each author also by name (GET /v1/partners/{id}/history,
// GET /v1/people/{person}/history).
//
// Thread-safety: a function over values the caller holds.
#pragma once

#include <vector>

#include "engine/people/people_lookup.h"
#include "engine/server/http_types.h"
#include "engine/store/event.h"

namespace relais::api {

server::HttpResponse EntryHistoryResponse(const std::vector<RecordedEvent>& events, people::PeopleLookup& people);

}  // namespace relais::api
