#include "engine/runtime/timer_service.h"

namespace relais::runtime {

TimerService::TimerService(EventStore& store, ProjectService& projects, const Clock& clock, TimerOptions options)
    : store_(store), projects_(projects), clock_(clock), options_(options) {}

StatusOr<FireReport> TimerService::FireDue() {
  std::lock_guard lock(fire_mu_);
  FireReport report;
  const std::string bound = DueKeyBound(clock_.Now());
  std::string after;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(std::string(kTimerDuePrefix), after, options_.fire_batch));
    for (const KvEntry& entry : page) {
      if (entry.key >= bound) return report;
      auto json = ParseJson(entry.value);
      auto timer = json.ok() ? DueTimer::FromJson(*json) : StatusOr<DueTimer>(json.status());
      if (!timer.ok()) {  // unreadable: remove it rather than retry it forever
        KvWrites drop;
        drop.Delete(entry.key);
        RELAIS_RETURN_IF_ERROR(store_.KvWrite(drop));
        ++report.refused;
        continue;
      }
      RELAIS_RETURN_IF_ERROR(FireOne(*timer, report));
    }
    if (page.size() < options_.fire_batch) return report;
    after = page.back().key;
  }
}

void TimerService::RouteFires(std::string prefix, FireHandler handler) {
  routes_.emplace_back(std::move(prefix), std::move(handler));
}

Status TimerService::FireOne(const DueTimer& timer, FireReport& report) {
  for (const auto& [prefix, handler] : routes_) {
    if (timer.fires.rfind(prefix, 0) != 0) continue;
    RELAIS_ASSIGN_OR_RETURN(bool fired, handler(timer));
    ++(fired ? report.fired : report.refused);
    return Status::Ok();
  }
  CommandRequest request;
  request.project_id = timer.project_id;
  request.event_type = timer.fires;
  request.actor = {"system:timers", {"system"}};
  request.idempotency_key = "timer/" + timer.DueKey();
  request.firing = timer;
  auto outcome = projects_.Execute(std::move(request));
  if (outcome.ok() && !outcome->refusal) {
    ++report.fired;
    return Status::Ok();
  }
  if (!outcome.ok() && outcome.status().code() != StatusCode::kNotFound) return outcome.status();
  // Refused (the timer is stale) or its project is gone: remove the timer.
  KvWrites drop;
  drop.Delete(timer.DueKey());
  RELAIS_ASSIGN_OR_RETURN(auto of, store_.KvGet(TimerOfKey(timer.project_id, timer.timer_id)));
  if (of && *of == timer.DueKey()) drop.Delete(TimerOfKey(timer.project_id, timer.timer_id));
  RELAIS_RETURN_IF_ERROR(store_.KvWrite(drop));
  ++report.refused;
  return Status::Ok();
}

StatusOr<std::optional<TimePoint>> TimerService::NextDue() {
  RELAIS_ASSIGN_OR_RETURN(auto first, store_.KvScan(std::string(kTimerDuePrefix), "", 1));
  if (first.empty()) return std::optional<TimePoint>();
  RELAIS_ASSIGN_OR_RETURN(Json json, ParseJson(first[0].value));
  RELAIS_ASSIGN_OR_RETURN(DueTimer timer, DueTimer::FromJson(json));
  return std::optional<TimePoint>(timer.due);
}

StatusOr<std::vector<DueTimer>> TimerService::PendingFor(const std::string& project_id) {
  std::vector<DueTimer> out;
  RELAIS_ASSIGN_OR_RETURN(auto refs, store_.KvScan(TimerOfKey(project_id, ""), "", 1000));
  for (const KvEntry& ref : refs) {
    RELAIS_ASSIGN_OR_RETURN(auto value, store_.KvGet(ref.value));
    if (!value) continue;
    RELAIS_ASSIGN_OR_RETURN(Json json, ParseJson(*value));
    RELAIS_ASSIGN_OR_RETURN(DueTimer timer, DueTimer::FromJson(json));
    out.push_back(std::move(timer));
  }
  return out;
}

}  // namespace relais::runtime
