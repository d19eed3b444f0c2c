// A refused move of a milestone (programme::SlotRefusal) as a problem the
// caller can read: 409 state-conflict with {code, reason, messages {fr, en},
// details, nearest}. reason and detail are in the caller's language
// (language.h), English when it names neither; nearest lists the free slots
// closest to the one asked ({date, time}), to offer instead.
//
// Thread-safety: stateless; safe from any thread.
#pragma once

#include "engine/programme/programme_service.h"
#include "engine/server/http_types.h"

namespace relais::api {

server::HttpResponse SlotRefusalProblem(const programme::SlotRefusal& refusal, const server::HttpRequest& request);

}  // namespace relais::api
