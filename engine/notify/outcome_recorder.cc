#include "engine/notify/outcome_recorder.h"

#include "engine/util/time_format.h"
#include "engine/util/uuid.h"

namespace relais::notify {

namespace {

const char* KindName(plugins::OutcomeKind kind) {
  switch (kind) {
    case plugins::OutcomeKind::kDelivered: return "delivered";
    case plugins::OutcomeKind::kRetry: return "failed";
    case plugins::OutcomeKind::kGone: return "gone";
    case plugins::OutcomeKind::kRefused: return "refused";
  }
  return "failed";
}

}  // namespace

void OutcomeRecorder::RecordAttempt(const QueuedDelivery& q, const plugins::DeliveryOutcome& outcome, TimePoint now) {
  Json record = {{"delivery", q.id},
                 {"endpoint", q.endpoint},
                 {"project", q.project},
                 {"event_id", q.event_id},
                 {"type", q.type},
                 {"attempt", q.attempts},
                 {"at", FormatIso8601(now)},
                 {"outcome", KindName(outcome.kind)},
                 {"status", outcome.status},
                 {"latency_ms", static_cast<double>(outcome.latency.count()) / 1000.0},
                 {"excerpt", outcome.excerpt}};
  if (outcome.retry_after) record["retry_after_s"] = outcome.retry_after->count();
  const std::string text = DumpJson(record);
  pending_.Put(layout_.AttemptKey(q.id, q.attempts), text);
  pending_.Put(layout_.LogKey(q.endpoint, ToMicros(now), q.id, q.attempts), text);
  written_attempts_.push_back(std::move(record));
}

void OutcomeRecorder::Delivered(const QueuedDelivery& q) {
  pending_.Delete(layout_.QueueKey(q.Suffix()));
  ++delivered_;
}

void OutcomeRecorder::Requeue(const QueuedDelivery& q) { pending_.Put(layout_.QueueKey(q.Suffix()), q.ToStored()); }

void OutcomeRecorder::DeadLetter(const QueuedDelivery& q, const plugins::DeliveryOutcome& outcome, TimePoint now) {
  pending_.Delete(layout_.QueueKey(q.Suffix()));
  Json entry = {{"delivery", Json::parse(q.ToStored())},
                {"dead_at", FormatIso8601(now)},
                {"dead_at_us", ToMicros(now)},
                {"last_status", outcome.status},
                {"last_error", outcome.excerpt}};
  pending_.Put(layout_.DeadKey(q.id), DumpJson(entry));
  ++dead_;
}

void OutcomeRecorder::Flush() {
  if (pending_.empty()) return;
  std::function<void()> then;
  if (!written_attempts_.empty())
    then = [observer = observer_, attempts = std::move(written_attempts_)] {
      std::lock_guard lock(observer->mu);
      if (observer->call) observer->call(attempts);
    };
  written_attempts_.clear();
  if (gate_) pending_.fence = gate_->fence();
  writer_.Submit(std::move(pending_), std::move(then));
  pending_ = KvWrites{};
}

Status OutcomeRecorder::SetAsideCorrupt(const KvEntry& entry) {
  KvWrites w;
  w.Delete(entry.key);
  w.Put(layout_.DeadPrefix() + "corrupt-" + NameUuid(entry.key), DumpJson(Json{{"raw", entry.value}}));
  if (gate_) w.fence = gate_->fence();
  return store_.KvWrite(w);
}

Status OutcomeRecorder::DropLane(const std::string& lane) {
  RELAIS_ASSIGN_OR_RETURN(auto entries, store_.KvScan(layout_.QueueKey(lane + "/"), "", 100'000));
  KvWrites w;
  w.sync = false;
  for (const auto& e : entries) w.Delete(e.key);
  if (gate_) w.fence = gate_->fence();
  return store_.KvWrite(w);
}

}  // namespace relais::notify
