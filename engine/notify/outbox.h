// Outbox: the transactional half of webhooks. As a ProjectService append
// hook it adds, to the same atomic batch as the events, one queue entry per
// (event, matching endpoint); a crash at any moment leaves either the events
// with their deliveries or neither.
//
// Matching: the active endpoints of the partners the project names, whose
// event type patterns match, whose project/axis filters admit the project,
// and whose topic filter (when it has one) matches a topic the event
// announces (its type's `notify:` in the workflow). The topics travel in
// the queue entry and in the body as data.event.topics.
//
// Thread-safety: OnAppend is safe for concurrent calls. *registry and *clock
// must outlive the Outbox.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/notify/endpoint_registry.h"
#include "engine/runtime/project.h"
#include "engine/store/event_store.h"

namespace relais::notify {

// A queued delivery, as stored under <root>q/ (and <root>dead/) of a
// QueueLayout: webhook/q/, email/q/.
struct QueuedDelivery {
  std::string id;  // webhook-id: NameUuid("webhook/" + event id + "/" + endpoint id); e-mail: see email_outbox.h
  std::string endpoint;
  std::string project;
  uint64_t version = 0;  // the event's version in its project (the lane order)
  std::string event_id;
  std::string type;
  std::vector<std::string> topics;      // the topics the event announced (stored only when some)
  std::vector<std::string> recipients;  // e-mail: the envelope's recipients (stored only when some)
  std::string body;                     // the exact JSON sent on every attempt
  TimePoint created_at{};
  uint32_t attempts = 0;             // made so far
  std::optional<TimePoint> next_at;  // when the next attempt is due (unset: now)

  std::string Suffix() const;
  std::string ToStored() const;
  static StatusOr<QueuedDelivery> FromStored(std::string_view text);
};

std::string WebhookId(std::string_view event_id, std::string_view endpoint_id);

// The name of a person id for a payload (people/person.h DisplayName), or
// nullopt when the directory does not know them.
using PersonNamer = std::function<std::optional<std::string>(const std::string& id)>;

class Outbox {
 public:
  Outbox(const EndpointRegistry& registry, const Clock& clock, std::string public_base_url)
      : registry_(registry), clock_(clock), base_url_(std::move(public_base_url)) {}

  // Adds the deliveries events cause to writes. first_version is the version
  // the first event gets; info is the project after the append, partners the
  // partners before and after; topics are those the events announce (a
  // command appends one decided event; creation and runtime events announce
  // none).
  void Add(const runtime::ProjectInfo& info, const std::vector<std::string>& partners, uint64_t first_version,
           const std::vector<NewEvent>& events, KvWrites& writes, const std::vector<std::string>& topics = {}) const;

  // The AppendHook form: before is the project the events are appended to
  // (deliveries go to its partners: a partner joining with these events gets
  // the next ones). A project's creation, and partners joining, also record
  // which partners its programme concerns (ProgrammePartnersPrefix; a
  // partner that leaves stays recorded there). inherited_partners hear too
  // (a sub-item's parent's partners, ProjectAppend::inherited_partners); a
  // partner in both lists gets each event once.
  void OnAppend(const runtime::Project& before, const std::vector<NewEvent>& events,
                const std::vector<std::string>& topics, const std::vector<std::string>& partners_joined,
                const std::vector<std::string>& inherited_partners, KvWrites& writes) const;

  // Events of a stream that is not a project's (a programme's, Relais's
  // own): one delivery per (event, active endpoint of partners) whose type
  // patterns match, that has no topic filter (these events announce no
  // topic: data.event.topics is []), and whose filters admit the event's action and axis
  // (data.action; data.axis, data.milestone.axis or data.assignment.axis).
  // The lane is (endpoint, stream). subject names the stream in the body:
  // {"type", "timestamp", "data": {<subject_key>: <subject>, "event": {...}}}.
  // Endpoints in skip get nothing (a disabled endpoint's own notice).
  // namer (when given) names people in the body: beside each "person" id of
  // the event's data (at its top, in its "milestone" or "assignment"), a
  // "person_name" as of the append (docs/webhooks.md); the stored event
  // keeps the id only.
  void AddForStream(const std::string& stream, const std::string& subject_key, const Json& subject,
                    const std::vector<std::string>& partners, uint64_t first_version,
                    const std::vector<NewEvent>& events, KvWrites& writes, const std::vector<std::string>& skip = {},
                    const PersonNamer& namer = nullptr) const;

 private:
  const EndpointRegistry& registry_;
  const Clock& clock_;
  const std::string base_url_;
};

}  // namespace relais::notify
