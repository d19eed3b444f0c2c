// ProjectService: runs commands on projects. A command (an event proposed by
// an actor) loads the project (cache, else its latest snapshot plus newer
// events), is decided by its workflow definition, and the resulting events are
// appended atomically with optimistic concurrency (expected version = the
// version decided on; retried on conflict with a fresh load), together with
// the timers the decision arms or cancels and whatever append hooks add
// (outbox entries). Refusals say why and write nothing.
//
// Idempotency (runtime/idempotency.h): a request with an idempotency key
// derives its event ids from (project, key), so re-sending it returns the
// first outcome and writes nothing. Its fingerprint is stored with its events;
// the same key with another request is refused (IdempotencyKeyReused), and so
// is the same key while its first request still runs in this process
// (IdempotencyKeyInFlight).
//
// Asynchronous commands (ExecuteAsync): a command holds its project's
// command lock (a HandoverMutex) from its decision to its commit callback; no
// thread waits for the fsync. The callback folds the change, hands the lock
// to the next command on the project (run on a handover thread) and answers.
// Execute is ExecuteAsync waited for.
//
// Cost: a command costs its change, not the project's state. The cached
// project is folded in place once the events are durable (readers see it
// through Read(), under a per-project shared lock); nothing copies the
// state's fields, which grow for years (indicators, conventions...).
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization. *store, *registry and *clock must outlive it.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "engine/runtime/aggregate_runtime.h"
#include "engine/runtime/child_index.h"
#include "engine/runtime/idempotency.h"
#include "engine/runtime/keyed_pool.h"
#include "engine/runtime/project.h"
#include "engine/runtime/timer_keys.h"
#include "engine/runtime/workflow_registry.h"
#include "engine/store/event_store.h"
#include "engine/util/clock.h"
#include "engine/workflow/decision.h"

namespace relais::runtime {

struct RuntimeOptions {
  size_t max_conflict_retries = 16;          // appends retried after a version conflict
  uint64_t snapshot_every = 64;              // events between two snapshots of a project
  size_t project_cache_capacity = 10'000;    // projects kept folded in memory (at least 1)
  size_t read_page = 512;                    // events read per page when loading
  size_t max_children_per_project = 10'000;  // sub-items under one project (children: of its workflow)
  size_t handover_threads = 2;               // run commands handed a busy project's lock (ExecuteAsync)
};

// A spawned project waiting to be created (docs/runtime.md, "Spawning"):
// written in the spawning event's batch, deleted once the project exists.
inline constexpr std::string_view kSpawnPendingPrefix = "spawn/pending/";

struct CreateRequest {
  ProjectInfo info;                // id, title, programme, axis, partners, planned years, workflow (name)
  workflow::CreateCommand create;  // initial phase and fields; roles come from actor
  Actor actor;
  std::string idempotency_key;  // optional
};

struct CommandRequest {
  std::string project_id;
  std::string event_type;
  Json data = Json::object();
  Actor actor;
  std::string idempotency_key;               // optional
  std::optional<uint64_t> expected_version;  // optional: refuse (409) unless the project is at it
  std::optional<DueTimer> firing;            // runtime-internal: the due timer that fires this command
};

// What a migration does to one project (ProjectService::PlanMigration).
struct MigrationPlan {
  std::string from_hash, to_hash;
  std::string phase_before, phase_after;
  std::map<std::string, workflow::KeyedTrackChange> keyed_tracks;  // recorded in the migration event
  std::string keyed_tracks_text;  // workflow::DescribeKeyedTrackChanges; empty = no change
};

// What a coordinator may change of an action after its creation.
struct ProjectDetails {
  std::optional<std::string> title;
  std::optional<std::string> axis;
  std::optional<std::map<std::string, int>> planned_years;  // replaces them all
};

struct CommandOutcome {
  std::optional<workflow::Refusal> refusal;  // set: refused, nothing written
  std::string project_id;
  uint64_t version = 0;               // the project's version after the command (as is, when refused)
  std::string phase;                  // its phase after the command
  std::vector<RecordedEvent> events;  // what was appended (ids, types, versions, positions)
  std::vector<std::string> notify;    // notification topics announced
  bool deduplicated = false;          // a re-sent idempotent request: nothing new written
};

// The events of an append as stored (versions, positions, recorded_at).
std::vector<RecordedEvent> RecordedEvents(const std::string& stream, const std::vector<NewEvent>& events,
                                          const AppendResult& r);

// What a project's append hooks see: the project before the events about to
// be written (their data as NewEvent::DataText()), the topics announced and
// the partners who join with them.
struct ProjectAppend {
  const Project& before;
  const std::vector<NewEvent>& events;
  const std::vector<std::string>& notify;
  const std::vector<std::string>& partners_joined;  // partners the events add to the project
  // Partners who hear about these events besides the project's own: the
  // parent's partners, as they are now, for a sub-item whose kind declares
  // `visibility: parent` (empty otherwise).
  const std::vector<std::string>& inherited_partners;
};

class ProjectService {
 public:
  // Called exactly once with a command's outcome (ExecuteAsync).
  using CommandDone = std::function<void(StatusOr<CommandOutcome>)>;

  ProjectService(EventStore& store, const WorkflowRegistry& registry, const Clock& clock, RuntimeOptions options = {});
  // Waits for the asynchronous commands still running (the store must still
  // complete their appends).
  ~ProjectService();
  ProjectService(const ProjectService&) = delete;
  ProjectService& operator=(const ProjectService&) = delete;

  // Called before each append; may add side writes (e.g. outbox entries)
  // that commit in the same atomic batch, or refuse the append with an
  // error. Runs with the project's command lock held: it must not run
  // commands itself. REQUIRES: called before any command runs.
  void AddAppendHook(AppendHook<ProjectAppend> hook);

  // Creates a project on the current version of info.workflow. An empty
  // info.id gets one: derived from the actor and the idempotency key when
  // there is one (so a re-send creates nothing new), else random.
  // Errors: kInvalidArgument (an id that does not follow util/ids.h: the
  // project's, a partner's or a member's), kNotFound (unknown workflow),
  // kAlreadyExists (the project exists and this is not a re-send),
  // the idempotency refusals (IdempotencyFaultOf), kUnavailable.
  StatusOr<CommandOutcome> Create(CreateRequest request);

  // Runs one command. A refusal is a successful call with outcome.refusal set.
  // Errors: kNotFound (no such project), kVersionConflict (expected_version
  // given and different; actual_version() carries the project's version),
  // the idempotency refusals (IdempotencyFaultOf),
  // kUnavailable (store errors, or still conflicting after the retries);
  // may return some other Status on an error.
  StatusOr<CommandOutcome> Execute(CommandRequest request);
  // The same without waiting: done runs exactly once, on this thread when the
  // command is answered at once (a refusal, a cached re-send, the project
  // free and the store refusing before queueing), otherwise on the store's
  // completing thread or a handover thread. done must not block. The
  // project's state is read from the cache: on a miss the calling thread
  // loads it from the store.
  void ExecuteAsync(CommandRequest request, CommandDone done);

  // What moving a project to another version of its workflow would do,
  // checked as Migrate checks it; writes nothing. Errors: as Migrate.
  StatusOr<MigrationPlan> PlanMigration(const std::string& project_id, const std::string& to_hash,
                                        const std::map<std::string, std::string>& phase_mapping);

  // Moves a project to another version of its workflow, mapping phases; its
  // keyed tracks follow the new version (MigratedKeyedTracks) and, for a
  // sub-item, its parent's index entry gets its new version and phase.
  // Errors: kInvalidArgument when the mapping is invalid or the new version
  // drops a kind of children the project has or a keyed track holding keys
  // (workflow::ValidateHeldLinks; nothing written).
  StatusOr<CommandOutcome> Migrate(const std::string& project_id, const std::string& to_hash,
                                   const std::map<std::string, std::string>& phase_mapping, const Actor& actor);

  // Replaces who takes part in the project (ProjectInfo::members: élus,
  // référents), recorded as the runtime event project_members_changed by
  // actor. With an idempotency key a re-send writes nothing and returns the
  // first outcome. Errors: kNotFound; kInvalidArgument (a member subject
  // that is not a person id, util/ids.h); kVersionConflict (expected_version
  // given and different; actual_version() carries the project's version);
  // the idempotency refusals (IdempotencyFaultOf);
  // kUnavailable; may return some other Status on an error.
  StatusOr<CommandOutcome> ChangeMembers(const std::string& project_id, std::vector<ProjectMember> members,
                                         const Actor& actor, std::optional<uint64_t> expected_version = std::nullopt,
                                         const std::string& idempotency_key = "");

  // Replaces the partners taking part in the project (ProjectInfo::partners:
  // what they see and which webhooks they get, from the next event on),
  // recorded as the runtime event project_partners_changed by actor; as
  // ChangeMembers otherwise. Errors: kInvalidArgument (a partner id that
  // does not follow util/ids.h); the others of ChangeMembers.
  StatusOr<CommandOutcome> ChangePartners(const std::string& project_id, std::vector<std::string> partners,
                                          const Actor& actor, std::optional<uint64_t> expected_version = std::nullopt,
                                          const std::string& idempotency_key = "");

  // An action's title, axis or planned years (those given), recorded as the
  // runtime event project_details_changed by actor; as ChangeMembers
  // otherwise. Planned years are keyed as the workflow plans its phases (a
  // phase's planned_year key, else its id). Errors: kInvalidArgument (none
  // given, or a key the workflow does not plan, naming those it does); the
  // others of ChangeMembers.
  StatusOr<CommandOutcome> ChangeDetails(const std::string& project_id, ProjectDetails details, const Actor& actor,
                                         std::optional<uint64_t> expected_version = std::nullopt,
                                         const std::string& idempotency_key = "");

  // Records kProjectLate once per stay in a phase, when the project is late
  // at `now` (Project::IsLate). The event id derives from the project, the
  // phase and when it was entered, so a repeat (another sweep, a restart)
  // writes nothing. Returns whether it was recorded by this call.
  // Errors: kNotFound; kUnavailable; may return some other Status on an error.
  StatusOr<bool> RecordLate(const std::string& project_id, TimePoint now);

  // A copy of the project's current state. Errors: kInvalidArgument (bad
  // id), kNotFound; kUnavailable.
  StatusOr<Project> Load(const std::string& project_id);
  // The same without a copy: calls read with the cached project under its
  // shared lock. Keep read short (a command on the project waits for it to
  // fold its change) and never run a command from inside it.
  Status Read(const std::string& project_id, const std::function<void(const Project&)>& read);
  // Read() if the project is in memory and no command is folding into it
  // right now; false otherwise, without waiting and without touching the
  // store (for answering on an I/O thread).
  bool TryRead(const std::string& project_id, const std::function<void(const Project&)>& read);

  // An event of the project's stream is stored at version (seen in the log):
  // when the cached project is older, it is dropped, so the next read or
  // command loads it again (another node's commit on a shared store).
  void NoteStored(const std::string& project_id, uint64_t version);

  // Folds a project from the store alone (no cache, no snapshot).
  StatusOr<Project> LoadFromHistory(const std::string& project_id);

  DefinitionLookup definitions() const;

  // The index of sub-items (children of a project, their phases, milestones).
  const ChildIndex& children() const { return children_; }
  // What project.children reads for `parent` (of workflow def): ChildIndex::Counts.
  StatusOr<Json> ChildCounts(const std::string& parent, const workflow::WorkflowDefinition& def) const;
  // The same over children already listed (ChildIndex::List).
  Json ChildCountsOf(const std::vector<ChildEntry>& children, const workflow::WorkflowDefinition& def) const;

  // The parent's info when `info` is a sub-item whose visibility follows its
  // parent's; nullopt otherwise (or when the parent can not be read).
  std::optional<ProjectInfo> VisibilityParent(const ProjectInfo& info);

  // Called (on the committing thread, must be fast) after an append that
  // queued spawned projects (kSpawnPendingPrefix), so that the spawner runs.
  // REQUIRES: called before any command runs.
  void OnSpawnQueued(std::function<void()> wake) { spawn_queued_ = std::move(wake); }

 private:
  // One cached project. Only a writer holding the project's command lock
  // changes `project`, and only under the exclusive `mu`: that writer reads
  // it without `mu`, readers take `mu` shared.
  struct ProjectSlot {
    mutable std::shared_mutex mu;
    Project project;
    uint64_t snapshot_version = 0;  // writer-only, like project
    // The version an asynchronous command's append takes the project to,
    // before its callback folds it (NoteStored keeps such a slot).
    std::atomic<uint64_t> committing{0};
  };

  StatusOr<Project> LoadUncached(const std::string& project_id, uint64_t* snapshot_version);
  Status FoldNewer(Project& project);
  // The cached project (loaded on a miss). fresh: reload it from the store.
  StatusOr<std::shared_ptr<ProjectSlot>> SlotOf(const std::string& project_id, bool fresh);
  StatusOr<MigrationPlan> PlanMigrationOf(const Project& before, const std::string& to_hash,
                                          const std::map<std::string, std::string>& phase_mapping) const;
  // Runs the hooks and appends `events` at before.version with `writes`,
  // and with a snapshot of `before` when one is due (then raises
  // *snapshot_version).
  StatusOr<AppendResult> AppendEvents(const Project& before, uint64_t* snapshot_version, std::vector<NewEvent>& events,
                                      KvWrites writes, const std::vector<std::string>& notify,
                                      const std::vector<std::string>& partners_joined = {});
  // What AppendEvents appends (hooks run, snapshot added when due), for the
  // caller to append.
  struct PreparedAppend {
    AppendRequest request;
    bool snapshot_due = false;  // request carries a snapshot of `before`
  };
  StatusOr<PreparedAppend> PrepareAppend(const Project& before, uint64_t snapshot_version,
                                         const std::vector<NewEvent>& events, KvWrites writes,
                                         const std::vector<std::string>& notify,
                                         const std::vector<std::string>& partners_joined);
  // The asynchronous command's steps (project_command.cc).
  struct CommandRun;
  void Attempt(const std::shared_ptr<CommandRun>& run);
  // nullopt: appended, Committed answers.
  std::optional<StatusOr<CommandOutcome>> DecideAndAppend(const std::shared_ptr<CommandRun>& run);
  void Committed(const std::shared_ptr<CommandRun>& run, StatusOr<AppendResult> appended);
  // Releases the project's lock and the key, then answers.
  void Finish(const std::shared_ptr<CommandRun>& run, StatusOr<CommandOutcome> answer);
  // AppendEvents, then completes `after` (versions, timestamps) and caches it
  // in a new slot: for the rare changes made on a copy (create, migrate, members).
  StatusOr<AppendResult> AppendCopy(const Project& before, uint64_t snapshot_version, Project after,
                                    std::vector<NewEvent>& events, KvWrites writes,
                                    const std::vector<std::string>& notify);
  // Folds the recorded decision into the slot in place; late_entered: the
  // batch also recorded kProjectLate for the phase it entered.
  Status FoldDecided(ProjectSlot& slot, const workflow::WorkflowDefinition& def,
                     const std::vector<workflow::RecordedEvent>& decided, const AppendResult& r, bool late_entered);
  // The kProjectLate event to record with a change that enters phase, when
  // that phase is already late (docs/runtime.md, "Lateness"): named by the
  // change's first event id, so a re-sent command names it again.
  std::optional<NewEvent> LateOnEntry(const ProjectInfo& info, const std::string& phase_before,
                                      const std::string& phase_after, const std::string& first_event_id) const;
  // The timer side writes of a decision (and of the firing that caused it);
  // records their due times in the decided events (timer_schedule.h).
  Status PlanTimers(const std::string& project_id, const workflow::ProjectState& before, workflow::Decision& decision,
                    const std::optional<DueTimer>& firing, KvWrites& writes);
  // The outcome of a request whose events are already stored (a re-send):
  // every event the first request appended, the project as it is now.
  StatusOr<CommandOutcome> ReplayedOutcome(const std::string& project_id, const std::string& idempotency_key,
                                           const EventLocation& first);
  // Caches slot unless the cache holds a newer version; returns the one kept.
  std::shared_ptr<ProjectSlot> Remember(std::shared_ptr<ProjectSlot> slot);
  void Forget(const std::string& project_id);
  std::string EventId(const std::string& project_id, const std::string& idempotency_key, size_t index) const;

  // A runtime event replacing part of ProjectInfo (members, partners).
  struct InfoChange {
    std::string kind;        // of the request's fingerprint: "members"
    std::string operation;   // for idempotency refusals: "members change"
    std::string event_type;  // recorded as
    Json data;               // the event's data (and the request's fingerprint)
    std::function<void(ProjectInfo&)> apply;
  };
  StatusOr<CommandOutcome> ChangeInfo(const std::string& project_id, InfoChange change, const Actor& actor,
                                      std::optional<uint64_t> expected_version, const std::string& idempotency_key);

  // A request sent with an idempotency key, as its record remembers it.
  struct KeyedRequest {
    std::string project_id;
    std::string key;  // empty: not keyed, the helpers below do nothing
    std::string operation;
    std::string fingerprint;
  };
  // Claims the key for this request (the in-flight refusal when another
  // request of this process holds it); when the key's first request is
  // stored already, returns its outcome, or the reuse refusal when it was
  // another request. nullopt: run the request.
  StatusOr<std::optional<CommandOutcome>> BeginKeyed(const KeyedRequest& keyed, InFlightKeys::Claim* claim);
  // The outcome of a keyed request the store found already appended.
  StatusOr<CommandOutcome> ReplayKeyed(const KeyedRequest& keyed, const EventLocation& first);
  // Adds the request's idempotency record to the append's side writes.
  void RecordKeyed(const KeyedRequest& keyed, KvWrites& writes) const;

  // A sub-item's creation: checks its parent and the kind of children, and
  // completes info (programme, visibility). kInvalidArgument / kNotFound.
  Status CheckParent(ProjectInfo& info);
  // Names the projects the decision spawns (from their event ids), checks that
  // each can be created (a refusal otherwise) and queues them in writes.
  StatusOr<std::optional<workflow::Refusal>> PlanSpawns(const Project& before, workflow::Decision& decision,
                                                        const std::vector<std::string>& event_ids, const Actor& actor,
                                                        KvWrites& writes);

  InFlightKeys in_flight_;
  // Asynchronous commands not yet answered (the destructor waits for them).
  std::mutex in_flight_mu_;
  std::condition_variable in_flight_cv_;
  size_t commands_in_flight_ = 0;

  EventStore& store_;
  const WorkflowRegistry& registry_;
  const Clock& clock_;
  const RuntimeOptions options_;
  ChildIndex children_{store_, options_.max_children_per_project};
  std::function<void()> spawn_queued_;
  // Command locks, the cache of folded projects, append hooks.
  AggregateRuntime<std::shared_ptr<ProjectSlot>, ProjectAppend> aggregates_;
  // Held by a sub-item's creation from counting its parent's children to
  // appending it (striped by parent id), so concurrent creations never pass
  // runtime.max_children_per_project. Taken before the new project's command
  // lock and never while holding another lock of this set.
  std::array<std::mutex, 64> child_creation_locks_;
  std::mutex& ChildCreationLock(const std::string& parent) {
    return child_creation_locks_[std::hash<std::string>{}(parent) % child_creation_locks_.size()];
  }
  // Commands handed a busy project's lock run here, spread round robin.
  KeyedPool handover_{std::max<size_t>(1, options_.handover_threads)};
  std::atomic<size_t> handover_next_{0};
  const HandoverMutex::Post handover_post_ = [this](HandoverMutex::Task task) {
    handover_.Submit(std::to_string(handover_next_++ % handover_.threads()), std::move(task));
  };
};

}  // namespace relais::runtime
