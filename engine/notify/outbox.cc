#include "engine/notify/outbox.h"

#include <algorithm>

#include "engine/notify/webhook_keys.h"
#include "engine/util/time_format.h"
#include "engine/util/uuid.h"

namespace relais::notify {

std::string WebhookId(std::string_view event_id, std::string_view endpoint_id) {
  return NameUuid("webhook/" + std::string(event_id) + "/" + std::string(endpoint_id));
}

std::string QueuedDelivery::Suffix() const { return QueueSuffix(endpoint, project, version); }

std::string QueuedDelivery::ToStored() const {
  Json j = {{"id", id},
            {"endpoint", endpoint},
            {"project", project},
            {"version", version},
            {"event_id", event_id},
            {"type", type},
            {"body", body},
            {"created_at", ToMicros(created_at)},
            {"attempts", attempts}};
  if (next_at) j["next_at"] = ToMicros(*next_at);
  if (!topics.empty()) j["topics"] = topics;
  if (!recipients.empty()) j["recipients"] = recipients;
  return DumpJson(j);
}

StatusOr<QueuedDelivery> QueuedDelivery::FromStored(std::string_view text) {
  RELAIS_ASSIGN_OR_RETURN(Json j, ParseJson(text));
  try {
    QueuedDelivery d;
    d.id = j.at("id").get<std::string>();
    d.endpoint = j.at("endpoint").get<std::string>();
    d.project = j.at("project").get<std::string>();
    d.version = j.at("version").get<uint64_t>();
    d.event_id = j.at("event_id").get<std::string>();
    d.type = j.at("type").get<std::string>();
    d.body = j.at("body").get<std::string>();
    d.created_at = FromMicros(j.at("created_at").get<int64_t>());
    d.attempts = j.at("attempts").get<uint32_t>();
    if (j.contains("next_at")) d.next_at = FromMicros(j.at("next_at").get<int64_t>());
    if (j.contains("topics")) d.topics = j.at("topics").get<std::vector<std::string>>();
    if (j.contains("recipients")) d.recipients = j.at("recipients").get<std::vector<std::string>>();
    return d;
  } catch (const std::exception& e) {
    return Corruption(std::string("queued delivery record is malformed: ") + e.what());
  }
}

namespace {

// The JSON body sent on every attempt, built by hand: the event's data text
// is embedded without a parse.
std::string Body(const NewEvent& event, uint64_t version, const std::string& timestamp, std::string_view subject_key,
                 const std::string& subject_json, const std::vector<std::string>& topics,
                 const std::string& data_text) {
  return "{\"type\":" + DumpJson(Json(event.type)) + ",\"timestamp\":\"" + timestamp + "\",\"data\":{\"" +
         std::string(subject_key) + "\":" + subject_json + ",\"event\":{\"id\":\"" + event.event_id +
         "\",\"version\":" + std::to_string(version) + ",\"type\":" + DumpJson(Json(event.type)) +
         ",\"actor\":" + DumpJson(Json(event.metadata.actor)) + ",\"topics\":" + DumpJson(Json(topics)) +
         ",\"data\":" + data_text + "}}}";
}

// The event's data with a "person_name" beside each person id it holds (at
// its top and in its "milestone" or "assignment"); its text unchanged when
// it names nobody the namer knows.
std::string DataWithNames(const NewEvent& event, const PersonNamer& namer) {
  if (!namer || !event.data.is_object()) return event.DataText();
  Json data = event.data;
  bool named = false;
  auto name = [&](Json& holder) {
    auto person = holder.find("person");
    if (person == holder.end() || !person->is_string() || person->get_ref<const std::string&>().empty()) return;
    if (auto text = namer(person->get<std::string>())) {
      holder["person_name"] = *text;
      named = true;
    }
  };
  name(data);
  for (const char* key : {"milestone", "assignment"})
    if (auto it = data.find(key); it != data.end() && it->is_object()) name(*it);
  return named ? DumpJson(data) : event.DataText();
}

// The axis an event of a programme concerns, if any.
std::string EventAxis(const Json& data) {
  if (!data.is_object()) return "";
  for (const char* holder : {"milestone", "assignment"}) {
    auto it = data.find(holder);
    if (it != data.end() && it->is_object()) {
      auto axis = it->find("axis");
      if (axis != it->end() && axis->is_string()) return axis->get<std::string>();
    }
  }
  auto axis = data.find("axis");
  return axis != data.end() && axis->is_string() ? axis->get<std::string>() : "";
}

std::string EventAction(const Json& data) {
  if (!data.is_object()) return "";
  auto action = data.find("action");
  return action != data.end() && action->is_string() ? action->get<std::string>() : "";
}

// Queues one delivery of event to endpoint in lane (endpoint, stream).
void Queue(const std::string& endpoint, const std::string& stream, uint64_t version, const NewEvent& event,
           const std::vector<std::string>& topics, const std::string& body, TimePoint now, KvWrites& writes) {
  QueuedDelivery d;
  d.id = WebhookId(event.event_id, endpoint);
  d.endpoint = endpoint;
  d.project = stream;
  d.version = version;
  d.event_id = event.event_id;
  d.type = event.type;
  d.topics = topics;
  d.body = body;
  d.created_at = now;
  writes.Put(QueueKey(d.Suffix()), d.ToStored());
}

}  // namespace

void Outbox::Add(const runtime::ProjectInfo& info, const std::vector<std::string>& partners, uint64_t first_version,
                 const std::vector<NewEvent>& events, KvWrites& writes, const std::vector<std::string>& topics) const {
  std::vector<Endpoint> endpoints = registry_.ActiveFor(partners);
  if (endpoints.empty()) return;
  std::erase_if(endpoints, [&](const Endpoint& e) { return !e.MatchesProject(info.id, info.axis); });
  if (endpoints.empty()) return;
  const TimePoint now = clock_.Now();
  const std::string timestamp = FormatIso8601(now);
  const std::string project_json = DumpJson(Json{{"id", info.id},
                                                 {"title", info.title},
                                                 {"programme", info.programme},
                                                 {"axis", info.axis},
                                                 {"link", base_url_ + "/v1/projects/" + info.id}});
  for (size_t i = 0; i < events.size(); ++i) {
    const NewEvent& event = events[i];
    std::string body;
    for (const Endpoint& endpoint : endpoints) {
      if (!endpoint.MatchesType(event.type) || !endpoint.MatchesTopics(topics)) continue;
      if (body.empty())
        body = Body(event, first_version + i, timestamp, "project", project_json, topics, event.DataText());
      Queue(endpoint.id, info.id, first_version + i, event, topics, body, now, writes);
    }
  }
}

void Outbox::OnAppend(const runtime::Project& before, const std::vector<NewEvent>& events,
                      const std::vector<std::string>& topics, const std::vector<std::string>& partners_joined,
                      const std::vector<std::string>& inherited_partners, KvWrites& writes) const {
  if (!before.info.programme.empty()) {
    if (before.version == 0)
      for (const std::string& partner : before.info.partners)
        writes.Put(ProgrammePartnersPrefix(before.info.programme) + partner, "");
    for (const std::string& partner : partners_joined)
      writes.Put(ProgrammePartnersPrefix(before.info.programme) + partner, "");
  }
  if (inherited_partners.empty()) {
    Add(before.info, before.info.partners, before.version + 1, events, writes, topics);
    return;
  }
  std::vector<std::string> audience = before.info.partners;
  for (const std::string& partner : inherited_partners)
    if (std::find(audience.begin(), audience.end(), partner) == audience.end()) audience.push_back(partner);
  Add(before.info, audience, before.version + 1, events, writes, topics);
}

void Outbox::AddForStream(const std::string& stream, const std::string& subject_key, const Json& subject,
                          const std::vector<std::string>& partners, uint64_t first_version,
                          const std::vector<NewEvent>& events, KvWrites& writes, const std::vector<std::string>& skip,
                          const PersonNamer& namer) const {
  static const std::vector<std::string> kNoTopics;
  std::vector<Endpoint> endpoints = registry_.ActiveFor(partners);
  std::erase_if(endpoints, [&](const Endpoint& e) {
    return !e.MatchesTopics(kNoTopics) || std::find(skip.begin(), skip.end(), e.id) != skip.end();
  });
  if (endpoints.empty()) return;
  const TimePoint now = clock_.Now();
  const std::string timestamp = FormatIso8601(now);
  const std::string subject_json = DumpJson(subject);
  for (size_t i = 0; i < events.size(); ++i) {
    const NewEvent& event = events[i];
    const std::string axis = EventAxis(event.data), action = EventAction(event.data);
    std::string body;
    for (const Endpoint& endpoint : endpoints) {
      if (!endpoint.MatchesType(event.type) || !endpoint.MatchesProject(action, axis)) continue;
      if (body.empty())
        body = Body(event, first_version + i, timestamp, subject_key, subject_json, kNoTopics,
                    DataWithNames(event, namer));
      Queue(endpoint.id, stream, first_version + i, event, kNoTopics, body, now, writes);
    }
  }
}

}  // namespace relais::notify
