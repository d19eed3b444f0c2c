#include "engine/store/append_rules.h"

#include <unordered_set>

#include "engine/util/uuid.h"

namespace relais {

Status ValidateAppendRequest(const AppendRequest& request, const EventLimits& limits) {
  const std::string& stream = request.stream_id;
  if (stream.empty()) return InvalidArgument("stream id is empty");
  if (stream.size() > limits.max_stream_id_bytes)
    return InvalidArgument("stream id is " + std::to_string(stream.size()) + " bytes; at most " +
                           std::to_string(limits.max_stream_id_bytes) + " allowed");
  for (unsigned char c : stream)
    if (c < 0x20 || c == 0x7f) return InvalidArgument("stream id contains a control character");
  if (request.side_writes.fence)
    return InvalidArgument("an append's side writes cannot carry a fence (its expected version guards it)");
  if (request.expected.is_exact() && request.expected.version() == 0)
    return InvalidArgument("expected version 0 is not an exact version: use 'no stream'");
  if (request.events.empty()) return InvalidArgument("an append needs at least one event");
  if (request.events.size() > limits.max_events_per_append)
    return InvalidArgument("append has " + std::to_string(request.events.size()) + " events; at most " +
                           std::to_string(limits.max_events_per_append) + " allowed");
  std::unordered_set<std::string_view> ids;
  for (size_t i = 0; i < request.events.size(); ++i) {
    const NewEvent& e = request.events[i];
    auto where = [i] { return "event #" + std::to_string(i + 1); };
    if (!IsUuid(e.event_id))
      return InvalidArgument(where() + ": event id '" + e.event_id + "' is not a UUID (8-4-4-4-12 hex digits)");
    if (request.events.size() > 1 && !ids.insert(e.event_id).second)
      return InvalidArgument(where() + ": event id " + e.event_id + " repeated");
    if (e.type.empty()) return InvalidArgument(where() + ": event type is empty");
    if (e.type.size() > limits.max_type_bytes)
      return InvalidArgument(where() + ": event type longer than " + std::to_string(limits.max_type_bytes) + " bytes");
  }
  return Status::Ok();
}

Status CheckEventSize(const NewEvent& event, size_t encoded_bytes, const EventLimits& limits) {
  if (encoded_bytes <= limits.max_event_bytes) return Status::Ok();
  return InvalidArgument("event " + event.event_id + " is " + std::to_string(encoded_bytes) +
                         " bytes once encoded; at most " + std::to_string(limits.max_event_bytes) + " allowed");
}

StatusOr<std::optional<AppendResult>> DecideAppend(const AppendRequest& request, uint64_t current_version,
                                                   const EventIdLookup& lookup) {
  if (request.snapshot && (request.snapshot->version == 0 || request.snapshot->version > current_version))
    return InvalidArgument("snapshot at version " + std::to_string(request.snapshot->version) + " of stream '" +
                           request.stream_id + "' which is at version " + std::to_string(current_version));
  std::vector<std::optional<EventLocation>> found;
  found.reserve(request.events.size());
  size_t known = 0;
  for (const NewEvent& e : request.events) {
    RELAIS_ASSIGN_OR_RETURN(auto loc, lookup(e.event_id));
    if (loc) ++known;
    found.push_back(std::move(loc));
  }
  if (known == 0) {
    if (!request.expected.Matches(current_version))
      return VersionConflict("stream '" + request.stream_id + "' is at version " + std::to_string(current_version) +
                                 ", expected " + request.expected.ToString(),
                             current_version);
    return std::optional<AppendResult>();
  }
  // Some ids are stored already: this is a re-send or a misuse.
  for (size_t i = 0; i < found.size(); ++i) {
    if (!found[i])
      return AlreadyExists("event id " + request.events[0].event_id + " is already stored but event id " +
                           request.events[i].event_id + " is not: an append cannot be partly re-sent");
    if (found[i]->stream_id != request.stream_id)
      return AlreadyExists("event id " + request.events[i].event_id + " is already stored in another stream");
  }
  const uint64_t first = found[0]->version;
  for (size_t i = 1; i < found.size(); ++i)
    if (found[i]->version != first + i)
      return AlreadyExists("event ids are already stored, but not as one append in this order");
  // The original append must have satisfied this request's expectation.
  if (!request.expected.Matches(first - 1))
    return VersionConflict("stream '" + request.stream_id + "' is at version " + std::to_string(current_version) +
                               ", expected " + request.expected.ToString() +
                               " (these event ids were stored after version " + std::to_string(first - 1) + ")",
                           current_version);
  AppendResult r;
  r.first_version = first;
  r.last_version = found.back()->version;
  r.first_position = found[0]->position;
  r.last_position = found.back()->position;
  r.deduplicated = true;
  return std::optional<AppendResult>(r);
}

}  // namespace relais
