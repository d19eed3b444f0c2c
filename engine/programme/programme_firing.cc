// ProgrammeService: firing the timers of milestones and terms (the
// TimerService's handler). See programme_service.h and milestone_timers.h.
#include "engine/programme/programme_service.h"

#include "engine/util/time_format.h"
#include "engine/util/uuid.h"

namespace relais::programme {

StatusOr<bool> ProgrammeService::FireTimer(const runtime::DueTimer& timer) {
  RELAIS_ASSIGN_OR_RETURN(size_t fired, FireTimers({timer}));
  return fired == 1;
}

StatusOr<size_t> ProgrammeService::FireTimers(const std::vector<runtime::DueTimer>& timers) {
  if (timers.empty()) return size_t{0};
  const std::string& stream = timers.front().project_id;
  if (stream.rfind(kStreamPrefix, 0) != 0) return InvalidArgument("not a programme timer: " + stream);
  for (const runtime::DueTimer& t : timers)
    if (t.project_id != stream) return InvalidArgument("FireTimers: timers of several programmes");
  const std::string programme_id = stream.substr(kStreamPrefix.size());
  std::lock_guard lock(LockOf(programme_id));
  RELAIS_ASSIGN_OR_RETURN(auto fired, FireFromPayloads(programme_id, timers));
  if (fired) return *fired;
  return FireFolded(programme_id, timers);
}

namespace {

std::string FiringSeed(const std::vector<runtime::DueTimer>& timers) {
  return "programme-timer/" + timers.front().DueKey() + "/" + timers.back().DueKey() + "/" +
         std::to_string(timers.size());
}

}  // namespace

StatusOr<std::optional<size_t>> ProgrammeService::FireFromPayloads(const std::string& programme_id,
                                                                   const std::vector<runtime::DueTimer>& timers) {
  const std::optional<size_t> fold;
  for (const runtime::DueTimer& t : timers)
    if (t.timer_id.rfind("m.", 0) != 0 || !t.payload.is_object() || !StageOfFires(t.fires)) return fold;
  RELAIS_ASSIGN_OR_RETURN(auto head_text, store_.KvGet(HeadKey(programme_id)));
  if (!head_text) return fold;
  auto head = ParseHead(*head_text);
  if (!head.ok()) return fold;  // the folded way rewrites it
  const std::string stream = StreamOf(programme_id);
  RELAIS_ASSIGN_OR_RETURN(uint64_t version, store_.StreamVersion(stream));
  if (version == 0) return fold;

  KvWrites writes;
  AppendRequest request;
  request.stream_id = stream;
  request.expected = ExpectedVersion::Exact(version);
  const std::string seed = FiringSeed(timers);
  runtime::TimerWrites timer_writes(store_, writes);
  size_t fired = 0;
  for (const runtime::DueTimer& timer : timers) {
    // A timer still named by its milestone's of-key is current: every change
    // to a milestone re-arms or removes its timer in the change's own append,
    // under this programme's lock.
    const std::string milestone_id = timer.timer_id.substr(2);
    auto data = FiringData(milestone_id, timer.payload, head->coordinators);
    auto next = FollowingTimer(timer, delays());
    if (!data.ok() || !next.ok()) return fold;
    RELAIS_ASSIGN_OR_RETURN(bool current, timer_writes.Consume(timer));
    if (!current) continue;
    if (*next) RELAIS_RETURN_IF_ERROR(timer_writes.Arm(**next));
    NewEvent e;
    e.event_id = NameUuid(seed + "#" + std::to_string(request.events.size()));
    e.type = std::string(FiringEventType(*StageOfFires(timer.fires)));
    e.data = std::move(*data);
    e.metadata.actor = "system:timers";
    request.events.push_back(std::move(e));
    ++fired;
  }
  if (request.events.empty()) {
    RELAIS_RETURN_IF_ERROR(store_.KvWrite(writes));
    return std::optional<size_t>(0);
  }
  RELAIS_ASSIGN_OR_RETURN(AppendResult appended,
                          aggregates_.Append(ProgrammeAppend{programme_id, head->title, version + 1, request.events},
                                             std::move(request), std::move(writes)));
  // The cached state, if any, is now behind: Load folds the new events onto it.
  Remember(programme_id, nullptr, appended.last_version);
  return std::optional<size_t>(fired);
}

StatusOr<size_t> ProgrammeService::FireFolded(const std::string& programme_id,
                                              const std::vector<runtime::DueTimer>& timers) {
  KvWrites drops;
  runtime::TimerWrites dropped(store_, drops);
  auto loaded = Load(programme_id);
  if (!loaded.ok() && loaded.status().code() != StatusCode::kNotFound) return loaded.status();
  if (!loaded.ok()) {
    for (const runtime::DueTimer& t : timers) RELAIS_RETURN_IF_ERROR(dropped.Consume(t).status());
    RELAIS_RETURN_IF_ERROR(store_.KvWrite(drops));
    return size_t{0};
  }
  const StatePtr state = *loaded;
  // Each timer is judged against the state as the batch's earlier firings
  // left it; that state is what Commit records (one copy of the state, not two).
  auto folded = std::make_shared<ProgrammeState>(*state);
  ProgrammeState& working = *folded;
  std::vector<Pending> events;
  size_t fired = 0;
  const TimePoint now = clock_.Now();
  for (const runtime::DueTimer& timer : timers) {
    std::optional<runtime::DueTimer> expected;
    std::vector<Pending> mine;
    if (timer.timer_id.rfind("m.", 0) == 0) {
      auto it = working.milestones.find(timer.timer_id.substr(2));
      if (it != working.milestones.end()) {
        const Milestone& m = it->second;
        expected = NextTimerOfMilestone(working, m);
        const auto stage = StageOfFires(timer.fires);
        auto data = FiringData(m.id, MilestonePayload(m), working.ActiveCoordinators());
        if (!data.ok()) return data.status();
        if (stage) mine.push_back({std::string(FiringEventType(*stage)), std::move(*data)});
      }
    } else if (timer.timer_id.rfind("a.", 0) == 0) {
      auto it = working.assignments.find(timer.timer_id.substr(2));
      if (it != working.assignments.end()) {
        const Assignment& a = it->second;
        expected = NextTimerOfAssignment(working, a);
        std::vector<std::string> notify;
        for (const std::string& c : working.ActiveCoordinators())
          if (c != a.person) notify.push_back(c);
        notify.push_back(a.person);
        Json data = {{"assignment", a.id}, {"person", a.person},      {"role", a.role},
                     {"axis", a.axis},     {"end", a.end.ToString()}, {"notify", notify}};
        if (timer.fires == "programme/term_reminder") {
          mine.push_back({"term_reminder_sent", std::move(data)});
        } else if (timer.fires == "programme/term_end") {
          data["reason"] = "expired";
          mine.push_back({"term_ended", std::move(data)});
          for (const auto& [id, m] : working.milestones)
            if (m.assignment_id == a.id && m.status == MilestoneStatus::kScheduled && !m.due_fired)
              mine.push_back(
                  {"milestone_cancelled",
                   {{"milestone", id}, {"reason", "term_ended"}, {"person", m.person}, {"sequence", m.sequence + 1}}});
          if (IsSingleHolder(a.role))
            mine.push_back({"role_vacant", {{"role", a.role}, {"axis", a.axis}, {"previous", a.person}}});
        }
      }
    }
    if (!expected || mine.empty() || expected->fires != timer.fires || expected->DueKey() != timer.DueKey()) {
      RELAIS_RETURN_IF_ERROR(dropped.Consume(timer).status());
      continue;
    }
    for (Pending& p : mine) {
      RELAIS_RETURN_IF_ERROR(ApplyEvent(working, p.type, p.data, now));
      events.push_back(std::move(p));
    }
    ++fired;
  }
  if (events.empty()) {
    if (!drops.empty()) RELAIS_RETURN_IF_ERROR(store_.KvWrite(drops));
    return size_t{0};
  }
  RELAIS_ASSIGN_OR_RETURN(StatePtr after, Commit(programme_id, state, std::move(events), std::move(drops),
                                                 "system:timers", FiringSeed(timers), std::move(folded), now));
  (void)after;
  return fired;
}

}  // namespace relais::programme
