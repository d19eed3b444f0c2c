// ProjectService::ExecuteAsync: one command from its decision to its commit
// callback (docs/runtime.md, "The command path"). The project's command lock
// (a HandoverMutex) is held across the durable append without a thread
// waiting for it: the commit callback folds the change, hands the lock to the
// next command on the project and answers.
#include <future>

#include "engine/runtime/project_service.h"
#include "engine/runtime/timer_schedule.h"

namespace relais::runtime {

// One command in flight: what it asked, the idempotency key it holds, and
// what its current attempt decided and is committing.
struct ProjectService::CommandRun {
  CommandRequest request;  // its data moved into command
  KeyedRequest keyed;
  InFlightKeys::Claim claim;
  workflow::Command command;
  CommandDone done;
  HandoverMutex* lock = nullptr;
  size_t attempt = 0;
  // The attempt being committed.
  std::shared_ptr<ProjectSlot> slot;
  const workflow::WorkflowDefinition* def = nullptr;
  uint64_t decided_at = 0;  // the project's version decided on
  std::vector<workflow::RecordedEvent> decided;
  std::vector<std::string> notify;
  std::vector<NewEvent> events;
  bool late_entered = false;
  bool spawns = false;
  bool snapshot_due = false;
};

StatusOr<CommandOutcome> ProjectService::Execute(CommandRequest request) {
  // The callback may run on this thread (refused at once) or another.
  auto answer = std::make_shared<std::promise<StatusOr<CommandOutcome>>>();
  std::future<StatusOr<CommandOutcome>> future = answer->get_future();
  ExecuteAsync(std::move(request), [answer](StatusOr<CommandOutcome> r) { answer->set_value(std::move(r)); });
  return future.get();
}

void ProjectService::ExecuteAsync(CommandRequest request, CommandDone done) {
  if (Status valid = ValidateProjectId(request.project_id); !valid.ok()) return done(valid);
  auto run = std::make_shared<CommandRun>();
  run->keyed = KeyedRequest{request.project_id, request.idempotency_key, "command", ""};
  if (!run->keyed.key.empty())
    run->keyed.fingerprint =
        RequestFingerprint("command", request.project_id, {{"type", request.event_type}, {"data", request.data}});
  auto replayed = BeginKeyed(run->keyed, &run->claim);
  if (!replayed.ok()) return done(replayed.status());
  if (*replayed) return done(std::move(**replayed));
  workflow::Command& command = run->command;
  command.event_type = request.event_type;
  command.data = std::move(request.data);
  command.actor_roles = request.actor.roles;
  command.actor_subject = request.actor.subject;
  if (!request.actor.partner.empty()) command.actor_partner = request.actor.partner;
  if (request.firing) command.fired_by_timer = request.firing->timer_id;
  run->request = std::move(request);
  run->done = std::move(done);
  run->lock = &aggregates_.CommandLock(run->request.project_id);
  {
    std::lock_guard count(in_flight_mu_);
    ++commands_in_flight_;
  }
  run->lock->LockThen([this, run] { Attempt(run); }, &handover_post_);
}

void ProjectService::Attempt(const std::shared_ptr<CommandRun>& run) {
  std::optional<StatusOr<CommandOutcome>> answer;
  try {
    answer = DecideAndAppend(run);
  } catch (const std::exception& e) {
    answer = StatusOr<CommandOutcome>(Internal(std::string("the command failed: ") + e.what()));
  }
  if (answer) Finish(run, std::move(*answer));
}

std::optional<StatusOr<CommandOutcome>> ProjectService::DecideAndAppend(const std::shared_ptr<CommandRun>& run) {
  using Answer = StatusOr<CommandOutcome>;
  const CommandRequest& request = run->request;
  RELAIS_ASSIGN_OR_RETURN(std::shared_ptr<ProjectSlot> slot, SlotOf(request.project_id, run->attempt > 0));
  // Only the lock's holder changes it: read without slot->mu.
  const Project& before = slot->project;
  if (request.expected_version && *request.expected_version != before.version)
    return Answer(VersionConflict("project '" + request.project_id + "' is at version " +
                                      std::to_string(before.version) + ", expected " +
                                      std::to_string(*request.expected_version),
                                  before.version));
  const workflow::WorkflowDefinition* def = registry_.ByHash(before.info.workflow_hash);
  if (!def)
    return Answer(FailedPrecondition("project '" + request.project_id + "' runs on an unknown workflow version"));
  workflow::Command& command = run->command;
  Json children;
  command.children = nullptr;
  if (!def->children.empty()) {
    RELAIS_ASSIGN_OR_RETURN(children, ChildCounts(request.project_id, *def));
    command.children = &children;
  }
  auto decided = workflow::DecideChange(*def, before.state, command);
  command.children = nullptr;
  CommandOutcome refused;
  refused.project_id = request.project_id;
  refused.version = before.version;
  refused.phase = before.state.phase;
  if (auto* refusal = std::get_if<workflow::Refusal>(&decided)) {
    refused.refusal = std::move(*refusal);
    return Answer(std::move(refused));
  }
  auto& decision = std::get<workflow::Decision>(decided);
  std::vector<std::string> event_ids;
  for (size_t i = 0; i < decision.events.size(); ++i)
    event_ids.push_back(EventId(request.project_id, request.idempotency_key, i));
  KvWrites writes;
  RELAIS_ASSIGN_OR_RETURN(auto spawn_refusal, PlanSpawns(before, decision, event_ids, request.actor, writes));
  if (spawn_refusal) {
    refused.refusal = std::move(*spawn_refusal);
    return Answer(std::move(refused));
  }
  // Before the events are stored: scheduling records due times in their effects.
  RELAIS_RETURN_IF_ERROR(PlanTimers(request.project_id, before.state, decision, request.firing, writes));
  std::vector<NewEvent> events;
  for (size_t i = 0; i < decision.events.size(); ++i)
    events.push_back(ToStoredEvent(decision.events[i], event_ids[i], request.actor));
  std::string phase_after = before.state.phase;
  for (const auto& e : decision.events)
    if (e.effects.phase) phase_after = e.effects.phase->to;
  std::optional<NewEvent> late = LateOnEntry(before.info, before.state.phase, phase_after, event_ids[0]);
  if (late) events.push_back(std::move(*late));
  RecordKeyed(run->keyed, writes);
  AddChildWrites(before.info, before.state.phase, before.version, decision.events, clock_.Now(), writes);
  std::vector<std::string> joined;
  for (const auto& e : decision.events)
    for (const std::string& p : e.effects.membership.partners_joined)
      if (std::find(before.info.partners.begin(), before.info.partners.end(), p) == before.info.partners.end())
        joined.push_back(p);
  RELAIS_ASSIGN_OR_RETURN(PreparedAppend prepared, PrepareAppend(before, slot->snapshot_version, events,
                                                                 std::move(writes), decision.notify, joined));
  run->spawns = std::any_of(decision.events.begin(), decision.events.end(),
                            [](const workflow::RecordedEvent& e) { return !e.effects.spawned.empty(); });
  run->late_entered = late.has_value();
  run->snapshot_due = prepared.snapshot_due;
  run->decided_at = before.version;
  slot->committing.store(before.version + events.size(), std::memory_order_release);
  run->slot = std::move(slot);
  run->def = def;
  run->decided = std::move(decision.events);
  run->notify = std::move(decision.notify);
  run->events = std::move(events);
  // The last step: the callback may run before AppendAsync returns.
  store_.AppendAsync(std::move(prepared.request),
                     [this, run](StatusOr<AppendResult> r) { Committed(run, std::move(r)); });
  return std::nullopt;
}

void ProjectService::Committed(const std::shared_ptr<CommandRun>& run, StatusOr<AppendResult> appended) {
  // On the store's completing thread: what may wait (a reload, a replay's
  // reads) goes to the handover threads.
  if (!appended.ok()) {
    if (appended.status().code() != StatusCode::kVersionConflict) return Finish(run, appended.status());
    // Someone else moved the project: decide again on a fresh load.
    handover_post_([this, run] {
      if (++run->attempt > options_.max_conflict_retries) {
        Forget(run->request.project_id);
        return Finish(run, Unavailable("project '" + run->request.project_id + "' kept changing: gave up after " +
                                       std::to_string(options_.max_conflict_retries + 1) + " attempts"));
      }
      Attempt(run);
    });
    return;
  }
  const AppendResult& r = *appended;
  if (r.deduplicated) {
    handover_post_([this, run, first = r.first_version] {
      Finish(run, ReplayKeyed(run->keyed, {ProjectStream(run->request.project_id), first, 0}));
    });
    return;
  }
  StatusOr<CommandOutcome> answer = Internal("the command's change could not be folded");
  try {
    ProjectSlot& slot = *run->slot;
    if (run->snapshot_due) slot.snapshot_version = run->decided_at;
    Status folded = FoldDecided(slot, *run->def, run->decided, r, run->late_entered);
    if (folded.ok()) {
      Remember(run->slot);  // in case it was evicted meanwhile
      if (run->spawns && spawn_queued_) spawn_queued_();
      CommandOutcome out;
      out.project_id = run->request.project_id;
      out.version = slot.project.version;
      out.phase = slot.project.state.phase;
      out.events = RecordedEvents(ProjectStream(run->request.project_id), run->events, r);
      out.notify = std::move(run->notify);
      answer = std::move(out);
    } else {
      answer = folded;
    }
  } catch (const std::exception& e) {
    answer = Internal(std::string("the command's change could not be folded: ") + e.what());
  }
  Finish(run, std::move(answer));
}

void ProjectService::Finish(const std::shared_ptr<CommandRun>& run, StatusOr<CommandOutcome> answer) {
  run->slot.reset();
  run->lock->unlock();  // the next command on the project goes on
  run->claim.Release();
  CommandDone done = std::move(run->done);
  done(std::move(answer));
  std::lock_guard count(in_flight_mu_);
  if (--commands_in_flight_ == 0) in_flight_cv_.notify_all();
}

}  // namespace relais::runtime
