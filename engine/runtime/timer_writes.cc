#include "engine/runtime/timer_writes.h"

namespace relais::runtime {

StatusOr<std::optional<std::string>> TimerWrites::ArmedKey(const std::string& of_key) {
  if (auto it = batch_.find(of_key); it != batch_.end()) return it->second;
  return store_.KvGet(of_key);
}

Status TimerWrites::Arm(const DueTimer& t) {
  const std::string of_key = TimerOfKey(t.project_id, t.timer_id);
  RELAIS_ASSIGN_OR_RETURN(auto armed, ArmedKey(of_key));
  const std::string due_key = t.DueKey();
  if (armed && *armed != due_key) writes_.Delete(*armed);
  writes_.Put(due_key, t.ToJsonText());
  // Consumed earlier in this batch (a timer's next stage): its of-key's
  // delete becomes this put, one write instead of two.
  if (auto deleted = of_deleted_at_.find(of_key); deleted != of_deleted_at_.end()) {
    writes_.ops[deleted->second].value = due_key;
    of_deleted_at_.erase(deleted);
  } else {
    writes_.Put(of_key, due_key);
  }
  batch_[of_key] = due_key;
  written_[of_key] = t;
  return Status::Ok();
}

Status TimerWrites::Cancel(std::string_view aggregate_id, std::string_view timer_id) {
  const std::string of_key = TimerOfKey(aggregate_id, timer_id);
  RELAIS_ASSIGN_OR_RETURN(auto armed, ArmedKey(of_key));
  if (!armed) return Status::Ok();
  writes_.Delete(*armed);
  of_deleted_at_[of_key] = writes_.ops.size();
  writes_.Delete(of_key);
  batch_[of_key] = std::nullopt;
  written_.erase(of_key);
  return Status::Ok();
}

StatusOr<std::optional<DueTimer>> TimerWrites::Current(std::string_view aggregate_id, std::string_view timer_id) {
  const std::string of_key = TimerOfKey(aggregate_id, timer_id);
  if (auto it = written_.find(of_key); it != written_.end()) return std::optional<DueTimer>(it->second);
  RELAIS_ASSIGN_OR_RETURN(auto armed, ArmedKey(of_key));
  if (!armed) return std::optional<DueTimer>();
  RELAIS_ASSIGN_OR_RETURN(auto value, store_.KvGet(*armed));
  if (!value) return std::optional<DueTimer>();
  RELAIS_ASSIGN_OR_RETURN(Json json, ParseJson(*value));
  RELAIS_ASSIGN_OR_RETURN(DueTimer t, DueTimer::FromJson(json));
  return std::optional<DueTimer>(std::move(t));
}

StatusOr<bool> TimerWrites::Consume(const DueTimer& t) {
  const std::string of_key = TimerOfKey(t.project_id, t.timer_id);
  const std::string due_key = t.DueKey();
  writes_.Delete(due_key);
  RELAIS_ASSIGN_OR_RETURN(auto armed, ArmedKey(of_key));
  if (!armed || *armed != due_key) return false;
  of_deleted_at_[of_key] = writes_.ops.size();
  writes_.Delete(of_key);
  batch_[of_key] = std::nullopt;
  written_.erase(of_key);
  return true;
}

}  // namespace relais::runtime
