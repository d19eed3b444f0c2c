#include "engine/runtime/project_service.h"

#include <algorithm>
#include <set>

#include "engine/runtime/timer_schedule.h"

#include "engine/util/ids.h"
#include "engine/util/uuid.h"
#include "engine/workflow/migration.h"

namespace relais::runtime {
namespace {

constexpr const char* kSnapshotSchema = "project/v1";

// The ids a project names besides its own: partners and member subjects.
Status ValidateMemberIds(const std::vector<ProjectMember>& members) {
  for (const ProjectMember& m : members) RELAIS_RETURN_IF_ERROR(ValidatePersonId("member subject", m.subject));
  return Status::Ok();
}

Status ValidateNamedIds(const ProjectInfo& info) {
  for (const std::string& partner : info.partners) RELAIS_RETURN_IF_ERROR(ValidateId("partner id", partner));
  return ValidateMemberIds(info.members);
}

}  // namespace

std::vector<RecordedEvent> RecordedEvents(const std::string& stream, const std::vector<NewEvent>& events,
                                          const AppendResult& r) {
  std::vector<RecordedEvent> out;
  for (size_t i = 0; i < events.size(); ++i) {
    RecordedEvent e;
    e.stream_id = stream;
    e.version = r.first_version + i;
    e.position = r.first_position + i;
    e.event_id = events[i].event_id;
    e.type = events[i].type;
    e.data_json = events[i].DataText();
    e.metadata = events[i].metadata;
    e.metadata.recorded_at = r.recorded_at;
    e.schema_version = events[i].schema_version;
    out.push_back(std::move(e));
  }
  return out;
}

ProjectService::ProjectService(EventStore& store, const WorkflowRegistry& registry, const Clock& clock,
                               RuntimeOptions options)
    : store_(store),
      registry_(registry),
      clock_(clock),
      options_(options),
      aggregates_(store, options.project_cache_capacity) {}

ProjectService::~ProjectService() {
  std::unique_lock wait(in_flight_mu_);
  in_flight_cv_.wait(wait, [this] { return commands_in_flight_ == 0; });
}

void ProjectService::AddAppendHook(AppendHook<ProjectAppend> hook) { aggregates_.AddHook(std::move(hook)); }

DefinitionLookup ProjectService::definitions() const {
  return [this](const std::string& hash) { return registry_.ByHash(hash); };
}

std::string ProjectService::EventId(const std::string& project_id, const std::string& key, size_t index) const {
  if (key.empty()) return NewUuid();
  return NameUuid("relais/command/" + project_id + "/" + key + "/" + std::to_string(index));
}

// --- Loading --------------------------------------------------------------

// Folds the stream's events after project.version into project.
Status ProjectService::FoldNewer(Project& project) {
  const std::string stream = ProjectStream(project.info.id);
  DefinitionLookup lookup = definitions();
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.ReadStream(stream, project.version + 1, options_.read_page));
    for (const RecordedEvent& e : page) RELAIS_RETURN_IF_ERROR(ApplyStored(lookup, project, e));
    if (page.size() < options_.read_page) break;
  }
  if (project.version == 0) return NotFound("project '" + project.info.id + "' does not exist");
  return Status::Ok();
}

StatusOr<Project> ProjectService::LoadUncached(const std::string& project_id, uint64_t* snapshot_version) {
  Project project;
  project.info.id = project_id;
  *snapshot_version = 0;
  RELAIS_ASSIGN_OR_RETURN(auto snapshot, store_.LoadSnapshot(ProjectStream(project_id)));
  if (snapshot && snapshot->schema == kSnapshotSchema) {
    auto parsed = ParseJson(snapshot->payload);
    if (parsed.ok()) {
      auto restored = Project::FromJson(*parsed);
      if (restored.ok() && restored->version == snapshot->version) {
        project = std::move(restored).value();
        *snapshot_version = project.version;
      }
    }
    // An unreadable snapshot only costs a full replay.
  }
  RELAIS_RETURN_IF_ERROR(FoldNewer(project));
  return project;
}

StatusOr<Project> ProjectService::LoadFromHistory(const std::string& project_id) {
  Project project;
  project.info.id = project_id;
  RELAIS_RETURN_IF_ERROR(FoldNewer(project));
  return project;
}

StatusOr<Project> ProjectService::Load(const std::string& project_id) {
  std::optional<Project> copy;
  RELAIS_RETURN_IF_ERROR(Read(project_id, [&](const Project& p) { copy = p; }));
  return std::move(*copy);
}

Status ProjectService::Read(const std::string& project_id, const std::function<void(const Project&)>& read) {
  RELAIS_RETURN_IF_ERROR(ValidateProjectId(project_id));
  RELAIS_ASSIGN_OR_RETURN(std::shared_ptr<ProjectSlot> slot, SlotOf(project_id, false));
  std::shared_lock lock(slot->mu);
  read(slot->project);
  return Status::Ok();
}

void ProjectService::NoteStored(const std::string& project_id, uint64_t version) {
  std::optional<std::shared_ptr<ProjectSlot>> slot = aggregates_.Find(project_id);
  if (!slot) return;
  uint64_t cached;
  {
    std::shared_lock lock((*slot)->mu);
    cached = (*slot)->project.version;
  }
  // Our own append, seen in the log before its callback folded it: kept.
  if (cached < version && (*slot)->committing.load(std::memory_order_acquire) < version) Forget(project_id);
}

bool ProjectService::TryRead(const std::string& project_id, const std::function<void(const Project&)>& read) {
  std::optional<std::shared_ptr<ProjectSlot>> slot = aggregates_.Find(project_id);
  if (!slot) return false;
  std::shared_lock lock((*slot)->mu, std::try_to_lock);
  if (!lock.owns_lock()) return false;
  read((*slot)->project);
  return true;
}

StatusOr<std::shared_ptr<ProjectService::ProjectSlot>> ProjectService::SlotOf(const std::string& project_id,
                                                                              bool fresh) {
  if (!fresh)
    if (auto cached = aggregates_.Find(project_id)) return std::move(*cached);
  auto slot = std::make_shared<ProjectSlot>();
  RELAIS_ASSIGN_OR_RETURN(slot->project, LoadUncached(project_id, &slot->snapshot_version));
  // A writer reloading (fresh) needs its own fold, even if a reader cached a
  // newer one meanwhile: it holds the command lock, so the store is the truth.
  if (fresh) {
    Remember(slot);
    return slot;
  }
  return Remember(std::move(slot));
}

std::shared_ptr<ProjectService::ProjectSlot> ProjectService::Remember(std::shared_ptr<ProjectSlot> slot) {
  const std::string id = slot->project.info.id;
  return aggregates_.Remember(id, std::move(slot),
                              [](std::shared_ptr<ProjectSlot>& cached, std::shared_ptr<ProjectSlot> incoming) {
                                if (cached == incoming) return;
                                uint64_t cached_version;
                                {
                                  std::shared_lock read(cached->mu);
                                  cached_version = cached->project.version;
                                }
                                if (cached_version <= incoming->project.version) cached = std::move(incoming);
                              });
}

void ProjectService::Forget(const std::string& project_id) { aggregates_.Forget(project_id); }

// --- Writing --------------------------------------------------------------

Status ProjectService::PlanTimers(const std::string& project_id, const workflow::ProjectState& before,
                                  workflow::Decision& decision, const std::optional<DueTimer>& firing,
                                  KvWrites& writes) {
  return ScheduleDecidedTimers(store_, project_id, before, decision, firing, clock_.Now(), writes);
}

StatusOr<ProjectService::PreparedAppend> ProjectService::PrepareAppend(
    const Project& before, uint64_t snapshot_version, const std::vector<NewEvent>& events, KvWrites writes,
    const std::vector<std::string>& notify, const std::vector<std::string>& partners_joined) {
  PreparedAppend out;
  AppendRequest& request = out.request;
  request.stream_id = ProjectStream(before.info.id);
  request.expected = before.version == 0 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(before.version);
  request.events = events;
  // The state decided on, saved in the same batch: no write of its own.
  out.snapshot_due = before.version > 0 && before.version >= snapshot_version + options_.snapshot_every;
  if (out.snapshot_due) request.snapshot = Snapshot{before.version, kSnapshotSchema, DumpJson(before.ToJson())};
  std::vector<std::string> inherited;
  if (auto parent = VisibilityParent(before.info)) inherited = std::move(parent->partners);
  RELAIS_RETURN_IF_ERROR(aggregates_.Prepare(ProjectAppend{before, events, notify, partners_joined, inherited}, request,
                                             std::move(writes)));
  return out;
}

StatusOr<AppendResult> ProjectService::AppendEvents(const Project& before, uint64_t* snapshot_version,
                                                    std::vector<NewEvent>& events, KvWrites writes,
                                                    const std::vector<std::string>& notify,
                                                    const std::vector<std::string>& partners_joined) {
  RELAIS_ASSIGN_OR_RETURN(PreparedAppend prepared,
                          PrepareAppend(before, *snapshot_version, events, std::move(writes), notify, partners_joined));
  RELAIS_ASSIGN_OR_RETURN(AppendResult r, store_.Append(std::move(prepared.request)));
  if (prepared.snapshot_due && !r.deduplicated) *snapshot_version = before.version;
  return r;
}

StatusOr<AppendResult> ProjectService::AppendCopy(const Project& before, uint64_t snapshot_version, Project after,
                                                  std::vector<NewEvent>& events, KvWrites writes,
                                                  const std::vector<std::string>& notify) {
  std::vector<std::string> joined;
  for (const std::string& p : after.info.partners)
    if (std::find(before.info.partners.begin(), before.info.partners.end(), p) == before.info.partners.end())
      joined.push_back(p);
  RELAIS_ASSIGN_OR_RETURN(AppendResult r,
                          AppendEvents(before, &snapshot_version, events, std::move(writes), notify, joined));
  if (r.deduplicated) return r;
  after.version = r.last_version;
  after.updated_at = r.recorded_at;
  if (before.version == 0) after.created_at = r.recorded_at;
  if (before.version == 0 || after.state.phase != before.state.phase) after.phase_since = r.recorded_at;
  auto slot = std::make_shared<ProjectSlot>();
  slot->project = std::move(after);
  slot->snapshot_version = snapshot_version;
  Remember(std::move(slot));
  return r;
}

std::optional<NewEvent> ProjectService::LateOnEntry(const ProjectInfo& info, const std::string& phase_before,
                                                    const std::string& phase_after,
                                                    const std::string& first_event_id) const {
  if (phase_after == phase_before) return std::nullopt;
  return LateEvent(info, phase_after, definitions(), clock_.Now(), NameUuid("relais/late/" + first_event_id));
}

Status ProjectService::FoldDecided(ProjectSlot& slot, const workflow::WorkflowDefinition& def,
                                   const std::vector<workflow::RecordedEvent>& decided, const AppendResult& r,
                                   bool late_entered) {
  {
    std::unique_lock lock(slot.mu);
    Project& project = slot.project;
    const std::string phase_before = project.state.phase;
    for (const auto& e : decided) {
      Status folded = workflow::ApplyEventInPlace(def, project.state, e);
      if (folded.ok()) ApplyMembership(e.effects.membership, project.info);
      if (!folded.ok()) {
        // A bug in the decision: the events are recorded, the fold is not.
        // Drop the half-folded project; the next load folds the history.
        lock.unlock();
        Forget(project.info.id);
        return Internal("project '" + project.info.id + "': recorded events do not fold: " + folded.message());
      }
    }
    project.version = r.last_version;
    project.updated_at = r.recorded_at;
    if (project.state.phase != phase_before) {
      project.phase_since = r.recorded_at;
      project.late_recorded = late_entered;
    }
  }
  return Status::Ok();
}

StatusOr<CommandOutcome> ProjectService::ReplayedOutcome(const std::string& project_id,
                                                         const std::string& idempotency_key,
                                                         const EventLocation& first) {
  if (first.stream_id != ProjectStream(project_id))
    return AlreadyExists("this idempotency key was used for another project");
  CommandOutcome out;
  out.deduplicated = true;
  out.project_id = project_id;
  RELAIS_RETURN_IF_ERROR(Read(project_id, [&](const Project& p) {
    out.version = p.version;
    out.phase = p.state.phase;
  }));
  // The first request's events are consecutive and their ids derive from the
  // key, so the re-send reports all of them (one append is at most
  // max_events_per_append events).
  RELAIS_ASSIGN_OR_RETURN(auto stored,
                          store_.ReadStream(first.stream_id, first.version, EventLimits{}.max_events_per_append));
  for (RecordedEvent& e : stored) {
    if (!out.events.empty() && e.event_id != EventId(project_id, idempotency_key, out.events.size())) break;
    out.events.push_back(std::move(e));
  }
  return out;
}

StatusOr<std::optional<CommandOutcome>> ProjectService::BeginKeyed(const KeyedRequest& keyed,
                                                                   InFlightKeys::Claim* claim) {
  if (keyed.key.empty()) return std::optional<CommandOutcome>();
  RELAIS_RETURN_IF_ERROR(in_flight_.TryClaim(keyed.project_id, keyed.key, claim));
  RELAIS_ASSIGN_OR_RETURN(auto first, store_.LookupEvent(EventId(keyed.project_id, keyed.key, 0)));
  if (!first) return std::optional<CommandOutcome>();
  RELAIS_ASSIGN_OR_RETURN(CommandOutcome replayed, ReplayKeyed(keyed, *first));
  return std::optional<CommandOutcome>(std::move(replayed));
}

StatusOr<CommandOutcome> ProjectService::ReplayKeyed(const KeyedRequest& keyed, const EventLocation& first) {
  RELAIS_ASSIGN_OR_RETURN(auto record, store_.KvGet(IdempotencyRecordKey(EventId(keyed.project_id, keyed.key, 0))));
  RELAIS_RETURN_IF_ERROR(CheckIdempotencyRecord(record, keyed.fingerprint, keyed.key, keyed.project_id));
  return ReplayedOutcome(keyed.project_id, keyed.key, first);
}

void ProjectService::RecordKeyed(const KeyedRequest& keyed, KvWrites& writes) const {
  if (keyed.key.empty()) return;
  writes.Put(IdempotencyRecordKey(EventId(keyed.project_id, keyed.key, 0)),
             IdempotencyRecordValue(keyed.operation, keyed.fingerprint));
}

StatusOr<CommandOutcome> ProjectService::Create(CreateRequest request) {
  ProjectInfo& info = request.info;
  // The fingerprint covers the request as sent (an absent id stays absent).
  const Json sent = {
      {"info", info.ToJson()}, {"initial_phase", request.create.initial_phase}, {"fields", request.create.fields}};
  const std::string fingerprint = RequestFingerprint("create", info.id, sent);
  if (info.id.empty())
    info.id = request.idempotency_key.empty()
                  ? NewUuid()
                  : NameUuid("relais/project/" + request.actor.subject + "\n" + request.idempotency_key);
  RELAIS_RETURN_IF_ERROR(ValidateProjectId(info.id));
  RELAIS_RETURN_IF_ERROR(ValidateNamedIds(info));
  const KeyedRequest keyed{info.id, request.idempotency_key, "project creation", fingerprint};
  InFlightKeys::Claim claim;
  RELAIS_ASSIGN_OR_RETURN(auto replayed, BeginKeyed(keyed, &claim));
  if (replayed) return std::move(*replayed);
  const workflow::WorkflowDefinition* def = registry_.Current(info.workflow);
  if (!def) return NotFound("no workflow named '" + info.workflow + "' is deployed");
  std::unique_lock<std::mutex> child_slot;
  if (!info.parent.empty()) {
    child_slot = std::unique_lock(ChildCreationLock(info.parent.project));
    RELAIS_RETURN_IF_ERROR(CheckParent(info));
  }
  std::lock_guard serial(aggregates_.CommandLock(info.id));
  info.workflow_hash = def->content_hash;

  Project before;
  before.info = info;
  workflow::CreateCommand create = request.create;
  create.actor_roles = request.actor.roles;
  auto decided = workflow::DecideCreate(*def, before.state, create);
  CommandOutcome out;
  out.project_id = info.id;
  if (auto* refusal = std::get_if<workflow::Refusal>(&decided)) {
    out.refusal = *refusal;
    return out;
  }
  auto& decision = std::get<workflow::Decision>(decided);
  std::vector<NewEvent> events;
  NewEvent registered;
  registered.event_id = EventId(info.id, request.idempotency_key, 0);
  registered.type = std::string(kProjectRegistered);
  registered.data = info.ToJson();
  registered.metadata.actor = request.actor.subject;
  events.push_back(std::move(registered));
  KvWrites writes;
  // Before the events are stored: scheduling records due times in their effects.
  RELAIS_RETURN_IF_ERROR(PlanTimers(info.id, before.state, decision, std::nullopt, writes));
  for (const auto& e : decision.events)
    events.push_back(ToStoredEvent(e, EventId(info.id, request.idempotency_key, events.size()), request.actor));
  // Created in a phase whose planned year is past: late from its creation.
  std::optional<NewEvent> late = LateOnEntry(info, "", decision.next.phase, events.front().event_id);
  if (late) events.push_back(std::move(*late));
  RecordKeyed(keyed, writes);
  AddChildWrites(info, "", 1, decision.events, clock_.Now(), writes);
  Project after = before;
  if (decision.arm.empty()) {
    after.state = std::move(decision.next);
  } else {  // folded again, with the due times scheduling recorded
    RELAIS_ASSIGN_OR_RETURN(after.state, workflow::Replay(*def, decision.events));
  }
  out.phase = after.state.phase;
  after.late_recorded = late.has_value();
  auto appended = AppendCopy(before, 0, std::move(after), events, std::move(writes), decision.notify);
  if (!appended.ok()) {
    if (appended.status().code() == StatusCode::kVersionConflict)
      return AlreadyExists("project '" + info.id + "' already exists");
    return appended.status();
  }
  if (appended->deduplicated) return ReplayKeyed(keyed, {ProjectStream(info.id), appended->first_version, 0});
  out.version = appended->last_version;
  out.events = RecordedEvents(ProjectStream(info.id), events, *appended);
  out.notify = decision.notify;
  return out;
}

Status ProjectService::CheckParent(ProjectInfo& info) {
  RELAIS_RETURN_IF_ERROR(ValidateProjectId(info.parent.project));
  ProjectInfo parent;
  Status read = Read(info.parent.project, [&](const Project& p) { parent = p.info; });
  if (read.code() == StatusCode::kNotFound) return NotFound("no parent project '" + info.parent.project + "'");
  RELAIS_RETURN_IF_ERROR(read);
  const workflow::WorkflowDefinition* parent_def = registry_.ByHash(parent.workflow_hash);
  if (!parent_def) return FailedPrecondition("project '" + parent.id + "' runs on an unknown workflow version");
  const workflow::ChildKind* kind = parent_def->FindChildKind(info.parent.link);
  if (!kind) {
    std::vector<std::string> kinds;
    for (const auto& k : parent_def->children) kinds.push_back(k.id);
    return InvalidArgument("workflow '" + parent_def->name + "' of project '" + parent.id + "' declares no children '" +
                           info.parent.link + "'" +
                           (kinds.empty() ? " (it declares none)" : "; it declares: " + workflow::JoinNames(kinds)));
  }
  if (kind->workflow != info.workflow)
    return InvalidArgument("children '" + kind->id + "' of project '" + parent.id + "' follow workflow '" +
                           kind->workflow + "', not '" + info.workflow + "'");
  if (info.programme.empty()) info.programme = parent.programme;
  if (info.programme != parent.programme)
    return InvalidArgument("a sub-item belongs to its parent's programme '" + parent.programme + "', not '" +
                           info.programme + "'");
  info.inherit_visibility = kind->inherit_visibility;
  info.parent.event.clear();
  RELAIS_ASSIGN_OR_RETURN(auto existing, children_.List(parent.id));
  if (existing.size() >= options_.max_children_per_project)
    return ResourceExhausted("project '" + parent.id + "' has " + std::to_string(existing.size()) +
                             " sub-items, the most allowed (runtime.projects.max_children_per_project)");
  return Status::Ok();
}

StatusOr<Json> ProjectService::ChildCounts(const std::string& parent, const workflow::WorkflowDefinition& def) const {
  return children_.Counts(parent, def, definitions(),
                          [this](const std::string& name) { return registry_.Current(name); });
}

Json ProjectService::ChildCountsOf(const std::vector<ChildEntry>& children,
                                   const workflow::WorkflowDefinition& def) const {
  return ChildIndex::CountsOf(children, def, definitions(),
                              [this](const std::string& name) { return registry_.Current(name); });
}

std::optional<ProjectInfo> ProjectService::VisibilityParent(const ProjectInfo& info) {
  if (info.parent.empty() || !info.inherit_visibility) return std::nullopt;
  std::optional<ProjectInfo> parent;
  Status read = Read(info.parent.project, [&](const Project& p) { parent = p.info; });
  if (!read.ok()) return std::nullopt;
  return parent;
}

StatusOr<std::optional<workflow::Refusal>> ProjectService::PlanSpawns(const Project& before,
                                                                      workflow::Decision& decision,
                                                                      const std::vector<std::string>& event_ids,
                                                                      const Actor& actor, KvWrites& writes) {
  for (size_t i = 0; i < decision.events.size(); ++i) {
    auto& spawned = decision.events[i].effects.spawned;
    for (size_t n = 0; n < spawned.size(); ++n) {
      workflow::SpawnEffect& spawn = spawned[n];
      // Named by the spawning event: a re-sent command (same event ids) or a
      // retried creation names the same project, so there is never a second.
      spawn.project_id = NameUuid("relais/spawn/" + event_ids[i] + "/" + std::to_string(n));
      const std::string programme = spawn.programme.value_or(before.info.programme);
      auto refuse = [&](std::string why, Json details) {
        details["event_type"] = decision.events[i].type;
        details["workflow"] = spawn.workflow;
        details["link"] = spawn.link;
        return std::optional<workflow::Refusal>(workflow::Refusal{workflow::RefusalCode::kSpawnRefused,
                                                                  "the project this event spawns (" + spawn.link +
                                                                      ", workflow '" + spawn.workflow +
                                                                      "') can not be created: " + why,
                                                                  std::move(details)});
      };
      const workflow::WorkflowDefinition* target = registry_.Current(spawn.workflow);
      if (!target) return refuse("no workflow named '" + spawn.workflow + "' is deployed", Json::object());
      // The creation is decided now as the spawner will decide it, so that a
      // spawn that can not succeed refuses the event instead of failing later.
      workflow::CreateCommand create{spawn.phase, spawn.fields, {std::string(workflow::kSystemRole)}};
      auto dry = workflow::DecideCreate(*target, workflow::ProjectState{}, create);
      if (auto* r = std::get_if<workflow::Refusal>(&dry)) return refuse(r->message, {{"refusal", r->ToJson()}});
      Json pending = {{"spawn", spawn.ToJson()}, {"parent", before.info.id},         {"event", event_ids[i]},
                      {"programme", programme},  {"partners", before.info.partners}, {"actor", actor.subject}};
      writes.Put(std::string(kSpawnPendingPrefix) + spawn.project_id, DumpJson(pending));
    }
  }
  return std::optional<workflow::Refusal>();
}

StatusOr<MigrationPlan> ProjectService::PlanMigration(const std::string& project_id, const std::string& to_hash,
                                                      const std::map<std::string, std::string>& phase_mapping) {
  RELAIS_ASSIGN_OR_RETURN(Project before, Load(project_id));
  return PlanMigrationOf(before, to_hash, phase_mapping);
}

StatusOr<MigrationPlan> ProjectService::PlanMigrationOf(const Project& before, const std::string& to_hash,
                                                        const std::map<std::string, std::string>& phase_mapping) const {
  const auto* from = registry_.ByHash(before.info.workflow_hash);
  const auto* to = registry_.ByHash(to_hash);
  if (!to) return NotFound("no deployed workflow version " + to_hash);
  if (!from) return FailedPrecondition("project '" + before.info.id + "' runs on an unknown workflow version");
  if (to->name != from->name)
    return InvalidArgument("cannot migrate from workflow '" + from->name + "' to another workflow '" + to->name + "'");
  RELAIS_RETURN_IF_ERROR(workflow::ValidatePhaseMapping(*from, *to, phase_mapping, {before.state.phase}));
  workflow::HeldLinks held;
  held.keyed_tracks = before.state.keyed_tracks;
  RELAIS_ASSIGN_OR_RETURN(std::vector<ChildEntry> children, children_.List(before.info.id));
  for (const ChildEntry& c : children) ++held.children[c.link];
  RELAIS_RETURN_IF_ERROR(workflow::ValidateHeldLinks(*from, *to, held));
  MigrationPlan plan;
  plan.from_hash = from->content_hash;
  plan.to_hash = to_hash;
  plan.phase_before = before.state.phase;
  plan.phase_after = workflow::MapPhase(phase_mapping, before.state.phase);
  plan.keyed_tracks =
      workflow::MigratedKeyedTracks(*to, before.state.keyed_tracks, plan.phase_after, before.state.fields);
  plan.keyed_tracks_text = workflow::DescribeKeyedTrackChanges(plan.keyed_tracks, before.state.keyed_tracks);
  return plan;
}

StatusOr<CommandOutcome> ProjectService::Migrate(const std::string& project_id, const std::string& to_hash,
                                                 const std::map<std::string, std::string>& phase_mapping,
                                                 const Actor& actor) {
  std::lock_guard serial(aggregates_.CommandLock(project_id));
  RELAIS_ASSIGN_OR_RETURN(std::shared_ptr<ProjectSlot> slot, SlotOf(project_id, true));
  const Project& before = slot->project;
  RELAIS_ASSIGN_OR_RETURN(MigrationPlan plan, PlanMigrationOf(before, to_hash, phase_mapping));
  NewEvent migrated;
  migrated.event_id = NewUuid();
  migrated.type = std::string(kWorkflowMigrated);
  migrated.data = {{"from_hash", plan.from_hash}, {"to_hash", to_hash}, {"phase_mapping", phase_mapping}};
  if (!plan.keyed_tracks.empty()) {
    workflow::Effects changes;
    changes.keyed_tracks = plan.keyed_tracks;
    migrated.data["keyed_tracks"] = changes.ToJson()["keyed_tracks"];
  }
  migrated.metadata.actor = actor.subject;
  std::vector<NewEvent> events = {migrated};
  // The same fold as a replay gives, so the cache equals the history.
  Project after = before;
  RecordedEvent as_stored;
  as_stored.stream_id = ProjectStream(project_id);
  as_stored.version = before.version + 1;
  as_stored.type = migrated.type;
  as_stored.data_json = DumpJson(migrated.data);
  as_stored.metadata.recorded_at = clock_.Now();
  RELAIS_RETURN_IF_ERROR(ApplyStored(definitions(), after, as_stored));
  CommandOutcome out;
  out.project_id = project_id;
  out.phase = after.state.phase;
  KvWrites writes;
  AddChildMigrated(after.info, before.state.phase, after.state.phase, before.version + 1, clock_.Now(), writes);
  RELAIS_ASSIGN_OR_RETURN(AppendResult r,
                          AppendCopy(before, slot->snapshot_version, std::move(after), events, std::move(writes), {}));
  out.version = r.last_version;
  out.events = RecordedEvents(ProjectStream(project_id), events, r);
  return out;
}

StatusOr<bool> ProjectService::RecordLate(const std::string& project_id, TimePoint now) {
  RELAIS_RETURN_IF_ERROR(ValidateProjectId(project_id));
  std::lock_guard serial(aggregates_.CommandLock(project_id));
  RELAIS_ASSIGN_OR_RETURN(std::shared_ptr<ProjectSlot> slot, SlotOf(project_id, false));
  const Project& before = slot->project;
  if (before.late_recorded) return false;  // recorded for this stay in the phase already
  std::optional<NewEvent> late = LateEvent(before.info, before.state.phase, definitions(), now,
                                           NameUuid("relais/late/" + project_id + "/" + before.state.phase + "/" +
                                                    std::to_string(before.phase_since.time_since_epoch().count())));
  if (!late) return false;
  // Projects folded from a snapshot taken before late_recorded was kept.
  RELAIS_ASSIGN_OR_RETURN(auto recorded, store_.LookupEvent(late->event_id));
  if (recorded) return false;
  std::vector<NewEvent> events = {std::move(*late)};
  Project after = before;
  after.late_recorded = true;
  RELAIS_ASSIGN_OR_RETURN(AppendResult r, AppendCopy(before, slot->snapshot_version, std::move(after), events, {}, {}));
  return !r.deduplicated;
}

StatusOr<CommandOutcome> ProjectService::ChangeMembers(const std::string& project_id,
                                                       std::vector<ProjectMember> members, const Actor& actor,
                                                       std::optional<uint64_t> expected_version,
                                                       const std::string& idempotency_key) {
  RELAIS_RETURN_IF_ERROR(ValidateMemberIds(members));
  Json data = {{"members", ProjectInfo::MembersToJson(members)}};
  return ChangeInfo(project_id,
                    {"members", "members change", std::string(kProjectMembersChanged), std::move(data),
                     [&](ProjectInfo& info) { info.members = std::move(members); }},
                    actor, expected_version, idempotency_key);
}

StatusOr<CommandOutcome> ProjectService::ChangePartners(const std::string& project_id,
                                                        std::vector<std::string> partners, const Actor& actor,
                                                        std::optional<uint64_t> expected_version,
                                                        const std::string& idempotency_key) {
  for (const std::string& partner : partners) RELAIS_RETURN_IF_ERROR(ValidateId("partner id", partner));
  Json data = {{"partners", partners}};
  return ChangeInfo(project_id,
                    {"partners", "partners change", std::string(kProjectPartnersChanged), std::move(data),
                     [&](ProjectInfo& info) { info.partners = std::move(partners); }},
                    actor, expected_version, idempotency_key);
}

StatusOr<CommandOutcome> ProjectService::ChangeDetails(const std::string& project_id, ProjectDetails details,
                                                       const Actor& actor, std::optional<uint64_t> expected_version,
                                                       const std::string& idempotency_key) {
  if (!details.title && !details.axis && !details.planned_years)
    return InvalidArgument("nothing to change: give title, axis or planned_years");
  if (details.planned_years) {
    std::string hash;
    (void)Read(project_id, [&](const Project& p) { hash = p.info.workflow_hash; });
    if (const workflow::WorkflowDefinition* def = definitions()(hash)) {
      std::set<std::string> keys;
      std::string list;
      for (const workflow::Phase& ph : def->phases)
        if (!ph.terminal && keys.insert(ph.planned_year_key.value_or(ph.id)).second)
          list += (list.empty() ? "" : ", ") + ph.planned_year_key.value_or(ph.id);
      for (const auto& [key, year] : *details.planned_years)
        if (!keys.count(key))
          return InvalidArgument("planned_years." + key + ": workflow " + def->name + " plans no phase under '" + key +
                                 "'; expected one of " + list);
    }
  }
  Json data = Json::object();
  if (details.title) data["title"] = *details.title;
  if (details.axis) data["axis"] = *details.axis;
  if (details.planned_years) data["planned_years"] = *details.planned_years;
  return ChangeInfo(project_id,
                    {"details", "details change", std::string(kProjectDetailsChanged), std::move(data),
                     [&](ProjectInfo& info) {
                       if (details.title) info.title = *details.title;
                       if (details.axis) info.axis = *details.axis;
                       if (details.planned_years) info.planned_years = *details.planned_years;
                     }},
                    actor, expected_version, idempotency_key);
}

StatusOr<CommandOutcome> ProjectService::ChangeInfo(const std::string& project_id, InfoChange change,
                                                    const Actor& actor, std::optional<uint64_t> expected_version,
                                                    const std::string& idempotency_key) {
  RELAIS_RETURN_IF_ERROR(ValidateProjectId(project_id));
  KeyedRequest keyed{project_id, idempotency_key, change.operation, ""};
  if (!keyed.key.empty()) keyed.fingerprint = RequestFingerprint(change.kind, project_id, change.data);
  InFlightKeys::Claim claim;
  RELAIS_ASSIGN_OR_RETURN(auto replayed, BeginKeyed(keyed, &claim));
  if (replayed) return std::move(*replayed);
  std::lock_guard serial(aggregates_.CommandLock(project_id));
  RELAIS_ASSIGN_OR_RETURN(std::shared_ptr<ProjectSlot> slot, SlotOf(project_id, true));
  const Project& before = slot->project;
  if (expected_version && *expected_version != before.version)
    return VersionConflict("project '" + project_id + "' is at version " + std::to_string(before.version) +
                               ", expected " + std::to_string(*expected_version),
                           before.version);
  NewEvent changed;
  changed.event_id = EventId(project_id, idempotency_key, 0);
  changed.type = change.event_type;
  changed.data = std::move(change.data);
  changed.metadata.actor = actor.subject;
  std::vector<NewEvent> events = {changed};
  Project after = before;
  change.apply(after.info);
  CommandOutcome out;
  out.project_id = project_id;
  out.phase = after.state.phase;
  KvWrites writes;
  RecordKeyed(keyed, writes);
  RELAIS_ASSIGN_OR_RETURN(AppendResult r,
                          AppendCopy(before, slot->snapshot_version, std::move(after), events, std::move(writes), {}));
  if (r.deduplicated) return ReplayKeyed(keyed, {ProjectStream(project_id), r.first_version, 0});
  out.version = r.last_version;
  out.events = RecordedEvents(ProjectStream(project_id), events, r);
  return out;
}

}  // namespace relais::runtime
