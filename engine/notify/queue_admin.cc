#include "engine/notify/queue_admin.h"

#include <algorithm>

#include "engine/notify/outbox.h"
#include "engine/util/time_format.h"

namespace relais::notify {

namespace {

StatusOr<Json> ParseStored(const std::string& text) {
  RELAIS_ASSIGN_OR_RETURN(Json j, ParseJson(text));
  return j;
}

Json PendingJson(const QueuedDelivery& d) {
  Json j = {{"id", d.id},
            {"endpoint", d.endpoint},
            {"project", d.project},
            {"version", d.version},
            {"event_id", d.event_id},
            {"type", d.type},
            {"created_at", FormatIso8601(d.created_at)},
            {"attempts", d.attempts},
            {"state", "pending"}};
  j["next_attempt_at"] = d.next_at ? Json(FormatIso8601(*d.next_at)) : Json(nullptr);
  return j;
}

}  // namespace

StatusOr<JsonPage> QueueAdmin::Pending(const std::string& endpoint, const std::string& after, size_t limit) {
  dispatcher_.Settle();
  const std::string prefix = layout_.QueuePrefix() + endpoint + "/";
  RELAIS_ASSIGN_OR_RETURN(auto entries, store_.KvScan(prefix, after.empty() ? "" : prefix + after, limit));
  JsonPage page;
  for (const KvEntry& e : entries) {
    RELAIS_ASSIGN_OR_RETURN(QueuedDelivery d, QueuedDelivery::FromStored(e.value));
    page.items.push_back(PendingJson(d));
  }
  if (entries.size() == limit && !entries.empty()) page.next_after = entries.back().key.substr(prefix.size());
  return page;
}

StatusOr<std::vector<Json>> QueueAdmin::Attempts(const std::string& delivery) {
  dispatcher_.Settle();
  const std::string prefix = layout_.AttemptPrefix() + delivery + "/";
  RELAIS_ASSIGN_OR_RETURN(auto entries, store_.KvScan(prefix, "", 10'000));
  std::vector<Json> out;
  for (const KvEntry& e : entries) {
    RELAIS_ASSIGN_OR_RETURN(Json j, ParseStored(e.value));
    out.push_back(std::move(j));
  }
  return out;
}

StatusOr<JsonPage> QueueAdmin::EndpointAttempts(const std::string& endpoint, const AttemptQuery& q) {
  dispatcher_.Settle();
  const std::string prefix = layout_.LogPrefix() + endpoint + "/";
  // Keys are prefix + 20-digit microseconds + "/...": a period is a key range.
  const std::string until = q.until ? prefix + Padded(static_cast<uint64_t>(ToMicros(*q.until))) : "";
  std::string cursor = q.after.empty() ? "" : prefix + q.after;
  if (cursor.empty() && q.since) {
    // KvScan starts after its cursor: one before the first key of the period.
    const int64_t micros = ToMicros(*q.since);
    cursor = micros > 0 ? prefix + Padded(static_cast<uint64_t>(micros - 1)) + "/~" : "";
  }
  JsonPage page;
  size_t scanned = 0;
  while (page.items.size() < q.limit && scanned < q.scan_budget) {
    const size_t batch = std::min<size_t>(q.scan_budget - scanned, std::max<size_t>(q.limit, 256));
    RELAIS_ASSIGN_OR_RETURN(auto entries, store_.KvScan(prefix, cursor, batch));
    for (const KvEntry& e : entries) {
      if (!until.empty() && e.key >= until) return page;  // the period is over: no next page
      ++scanned;
      cursor = e.key;
      RELAIS_ASSIGN_OR_RETURN(Json j, ParseStored(e.value));
      if (!q.outcome || j.value("outcome", "") == *q.outcome) page.items.push_back(std::move(j));
      if (page.items.size() == q.limit) break;
    }
    if (entries.size() < batch && page.items.size() < q.limit) return page;  // the log is over
  }
  page.next_after = cursor.substr(prefix.size());
  return page;
}

namespace {
Json DeadJson(const Json& stored) {
  Json d = stored.value("delivery", Json::object());
  Json j = {{"id", d.value("id", "")},
            {"endpoint", d.value("endpoint", "")},
            {"project", d.value("project", "")},
            {"version", d.value("version", 0)},
            {"event_id", d.value("event_id", "")},
            {"type", d.value("type", "")},
            {"attempts", d.value("attempts", 0)},
            {"state", "dead"},
            {"dead_at", stored.value("dead_at", "")},
            {"last_status", stored.value("last_status", 0)},
            {"last_error", stored.value("last_error", "")}};
  return j;
}
bool Admitted(const std::optional<std::vector<std::string>>& endpoints, const std::string& endpoint) {
  return !endpoints || std::find(endpoints->begin(), endpoints->end(), endpoint) != endpoints->end();
}
}  // namespace

StatusOr<JsonPage> QueueAdmin::DeadLetters(const std::optional<std::vector<std::string>>& endpoints,
                                           const std::string& after, size_t limit) {
  dispatcher_.Settle();
  JsonPage page;
  std::string cursor = after.empty() ? "" : layout_.DeadKey(after);
  while (page.items.size() < limit) {
    RELAIS_ASSIGN_OR_RETURN(auto entries, store_.KvScan(layout_.DeadPrefix(), cursor, 512));
    for (const KvEntry& e : entries) {
      cursor = e.key;
      auto stored = ParseStored(e.value);
      if (!stored.ok()) continue;
      Json j = DeadJson(*stored);
      if (!Admitted(endpoints, j["endpoint"].get<std::string>())) continue;
      page.items.push_back(std::move(j));
      if (page.items.size() == limit) {
        page.next_after = e.key.substr(layout_.DeadPrefix().size());
        break;
      }
    }
    if (entries.size() < 512) break;
  }
  return page;
}

StatusOr<Json> QueueAdmin::DeadLetter(const std::string& delivery) {
  dispatcher_.Settle();
  RELAIS_ASSIGN_OR_RETURN(auto value, store_.KvGet(layout_.DeadKey(delivery)));
  if (!value) return NotFound("no dead letter '" + delivery + "'");
  RELAIS_ASSIGN_OR_RETURN(Json stored, ParseStored(*value));
  return DeadJson(stored);
}

Status QueueAdmin::Replay(const std::string& delivery) {
  dispatcher_.Settle();
  RELAIS_ASSIGN_OR_RETURN(auto value, store_.KvGet(layout_.DeadKey(delivery)));
  if (!value) return NotFound("no dead letter '" + delivery + "'");
  RELAIS_ASSIGN_OR_RETURN(Json stored, ParseStored(*value));
  if (!stored.contains("delivery")) return Corruption("dead letter '" + delivery + "' holds no delivery");
  RELAIS_ASSIGN_OR_RETURN(QueuedDelivery d, QueuedDelivery::FromStored(DumpJson(stored["delivery"])));
  d.attempts = 0;
  d.next_at.reset();
  KvWrites w;
  w.Put(layout_.QueueKey(d.Suffix()), d.ToStored());
  w.Delete(layout_.DeadKey(delivery));
  dispatcher_.BeforeRequeue();
  RELAIS_RETURN_IF_ERROR(store_.KvWrite(w));
  dispatcher_.Rescan();
  return Status::Ok();
}

StatusOr<size_t> QueueAdmin::ReplaySince(TimePoint since, const std::optional<std::vector<std::string>>& endpoints) {
  dispatcher_.Settle();
  std::vector<std::string> ids;
  std::string cursor;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto entries, store_.KvScan(layout_.DeadPrefix(), cursor, 512));
    for (const KvEntry& e : entries) {
      cursor = e.key;
      auto stored = ParseStored(e.value);
      if (!stored.ok() || !stored->contains("delivery")) continue;
      if (!Admitted(endpoints, (*stored)["delivery"].value("endpoint", ""))) continue;
      if (FromMicros(stored->value("dead_at_us", int64_t{0})) < since) continue;
      ids.push_back(e.key.substr(layout_.DeadPrefix().size()));
    }
    if (entries.size() < 512) break;
  }
  for (const std::string& id : ids) RELAIS_RETURN_IF_ERROR(Replay(id));
  return ids.size();
}

}  // namespace relais::notify
