// ProgrammeService: defines programmes, assigns people to roles with terms,
// schedules and fires their milestones (reviews, annual event, evaluation),
// records reviews held and indicators. Every change is an append to the
// stream `programme-<id>` (so the live stream and append hooks see it); the
// durable timers it needs (reminder, due, escalation, term-end reminder, term
// end) live in the runtime's timer keys (timer_keys.h) and are armed and
// removed as side writes of the same append, derived from the folded state:
// each milestone and each active assignment has at most one pending timer, for
// its next stage. FireTimer is the TimerService's handler for the timers
// whose `fires` starts with "programme/" (FireTimers: the due timers of one
// programme in one append): the events it appends delete the timers, so a
// timer fires exactly once, across crashes too.
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization (changes to one programme are serialized).
// *store and *clock must outlive it.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/programme/milestone_timers.h"
#include "engine/programme/programme.h"
#include "engine/programme/review_slots.h"
#include "engine/runtime/aggregate_runtime.h"
#include "engine/runtime/timer_keys.h"
#include "engine/runtime/timer_writes.h"
#include "engine/store/event_store.h"
#include "engine/util/clock.h"

namespace relais::programme {

inline constexpr std::string_view kFiresPrefix = "programme/";

struct ProgrammeOptions {
  int reminder_days = 7;                             // a milestone's reminder, days before it
  int escalation_days = 14;                          // a milestone not held this many days after it is overdue
  int term_reminder_days = 60;                       // a term's reminder, days before its last day
  int max_term_years = 10;                           // longer terms are refused
  std::string public_url = "http://127.0.0.1:8080";  // origin of links in calendar feeds
  size_t cache_capacity = 1'000;  // programmes kept folded in memory (least recently used are dropped)
  size_t max_feed_tokens = 50;    // live calendar links per person or programme; more are refused
  // The IANA zone of a programme whose definition states none (programmes.time_zone).
  std::string time_zone = std::string(calendar::kDefaultTimeZone);
  // Review slots: the defaults of a programme's rule (programmes: review_*);
  // preferred_minute is always the rule's own time.
  SlotRules review_defaults;
};

// Why a move was refused: the check of the wanted slot, and the free slots
// nearest to it (up to kNearestSlots), for the caller to offer instead.
struct SlotRefusal {
  SlotCheck check;
  calendar::LocalDateTime wanted;
  std::vector<calendar::LocalDateTime> nearest;
  SlotRules rules;
};
inline constexpr size_t kNearestSlots = 3;

// Where a milestone is moved: a day, and a time (minutes since local
// midnight) or, without one, the first free slot of that day, from the
// milestone's own time on.
struct MoveTarget {
  MoveTarget() = default;
  MoveTarget(CivilDate day, std::optional<int> minute = std::nullopt) : date(day), minute_of_day(minute) {}  // NOLINT
  CivilDate date;
  std::optional<int> minute_of_day;
};

// A calendar link as its owner sees it: never the token, which is kept only
// as its SHA-256 (id: that hash, to revoke it by).
struct FeedTokenInfo {
  std::string id;
  std::string feed;  // the feed's spec ("person:<subject>[#programmes]" or "programme:<id>")
  std::string created_at;
};

struct AssignRequest {
  std::string person;
  std::string role;
  std::string axis;  // required for elu_referent and referent_technique
  CivilDate start;
  CivilDate end;  // inclusive
};

using StatePtr = std::shared_ptr<const ProgrammeState>;

// What a programme's append hooks see: its id and title, the events about to
// be appended and the version of the first; and the programme's state before
// and after them (before: null for a new programme). Both are null when the
// append only records timer firings (reminder_sent, milestone_due,
// milestone_overdue, written without folding the state).
struct ProgrammeAppend {
  const std::string& programme_id;
  const std::string& title;
  uint64_t first_version;
  const std::vector<NewEvent>& events;
  const ProgrammeState* before = nullptr;
  const ProgrammeState* after = nullptr;
};

class ProgrammeService {
 public:
  ProgrammeService(EventStore& store, const Clock& clock, ProgrammeOptions options = {});

  // Called before every append (ProgrammeAppend); it may add writes to the
  // same atomic batch (the webhook outbox). An error refuses the append.
  // REQUIRES: added before any change is made.
  void AddAppendHook(runtime::AppendHook<ProgrammeAppend> hook) { aggregates_.AddHook(std::move(hook)); }

  // Records a new programme and schedules its yearly milestones still to come.
  // A definition that states no time zone gets options().time_zone.
  // Errors: kAlreadyExists; kInvalidArgument (options().time_zone unknown to
  // tzdata); kUnavailable; may return some other Status.
  StatusOr<StatePtr> Define(const ProgrammeDefinition& definition, const std::string& actor);

  // Changes what describes a programme (a JSON object with some of title,
  // territory, region, axes, actions, plan_years, reviews, as in a
  // definition). Recorded as programme_details_changed ({"definition": the
  // whole definition after it}) by actor, with, in the same append, the
  // calendar placed again when plan_years or reviews change: the yearly
  // milestones of years taken out are cancelled (reason "plan_changed"),
  // those of years put in scheduled; under a new review rule, each active
  // élu's reviews still to come are kept where they fall on a day the rule
  // wants and still keep its slot rules, the others cancelled (reason
  // "rules_changed"), and the days left placed in free slots. Held,
  // cancelled and past milestones never change.
  // Errors: kInvalidArgument (another member: the yearly milestones, closed
  // days and zone cannot change; a definition FromJson refuses; an axis
  // removed that an assignment or an action still names; working hours too
  // short for a review); kFailedPrecondition (no free slot for a review
  // under the new rule: nothing is recorded); kNotFound; kUnavailable.
  StatusOr<StatePtr> ChangeDetails(const std::string& programme_id, const Json& changes, const std::string& actor);

  // The programme's state. Errors: kNotFound.
  StatusOr<StatePtr> Get(const std::string& programme_id);
  // An event of the programme's stream is stored at version, seen in the log
  // (another node's commit on a shared store): a cached state older than
  // that is caught up from the store at its next read.
  void NoteStored(const std::string& programme_id, uint64_t version) { Remember(programme_id, nullptr, version); }
  // Ids of every programme, in order.
  StatusOr<std::vector<std::string>> List();

  // Assigns a person to a role for a term. An active holder of the same role
  // on the same axis (but coordinators and partner contacts, who may be
  // several) is replaced: their term ends. For an élu référent, the reviews
  // of the rest of the term are scheduled; future reviews of the axis on the
  // same dates are taken over, the others cancelled.
  // Errors: kNotFound (programme); kInvalidArgument (role, axis, dates);
  // kUnavailable; may return some other Status.
  StatusOr<Assignment> Assign(const std::string& programme_id, const AssignRequest& request, const std::string& actor);

  // Ends a term today: its future milestones are cancelled; the role becomes
  // vacant. Errors: kNotFound; kFailedPrecondition (already ended).
  StatusOr<Assignment> EndTerm(const std::string& programme_id, const std::string& assignment_id,
                               const std::string& actor);

  // Records that a milestone (a review) was held. Errors: kNotFound;
  // kFailedPrecondition (cancelled or already held); kInvalidArgument.
  StatusOr<Milestone> RecordHeld(const std::string& programme_id, const std::string& milestone_id,
                                 const std::string& notes, const Json& decisions, const std::string& actor);

  // Moves a milestone to a slot that keeps the placement rules (a working
  // day, inside working hours, no attendee busy, no attendee past
  // max_per_day; review_slots.h); SEQUENCE rises.
  // Errors: kNotFound; kFailedPrecondition (held or cancelled; or the slot
  // is refused: then *refused, when given, says why and offers the nearest
  // free slots); kInvalidArgument (past date, bad time).
  StatusOr<Milestone> Move(const std::string& programme_id, const std::string& milestone_id, const MoveTarget& to,
                           const std::string& actor, SlotRefusal* refused = nullptr);

  // The slot rules of a programme (its rule over the configured defaults).
  SlotRules SlotRulesOf(const ProgrammeDefinition& definition) const {
    return EffectiveSlotRules(definition.reviews, options_.review_defaults);
  }

  // Records an indicator value for one of the programme's actions.
  // Errors: kNotFound; kInvalidArgument (unknown action, bad name or value).
  StatusOr<IndicatorRecord> RecordIndicator(const std::string& programme_id, const std::string& action,
                                            const std::string& indicator, double value, int year,
                                            const std::string& actor);

  // The TimerService handler: true when the timer fired (its event is
  // recorded), false when it was stale (its keys were removed).
  // Errors: kUnavailable; may return some other Status (the timer stays due).
  StatusOr<bool> FireTimer(const runtime::DueTimer& timer);
  // The due timers of one programme at once, recorded in one append; returns
  // how many fired (the others were stale and are removed). Milestone timers
  // fire from their payloads and the programme's head record, without
  // folding the programme (milestone_timers.h); a batch with an assignment's
  // timer, or timers armed before payloads existed, folds it.
  // REQUIRES: every timer has the same project_id.
  StatusOr<size_t> FireTimers(const std::vector<runtime::DueTimer>& timers);

  // Programmes in which person was ever assigned.
  StatusOr<std::vector<std::string>> ProgrammesOf(const std::string& person);

  // Calendar feed tokens: a secret naming a feed ("person:<subject>" or
  // "programme:<id>", a person's with "#<programmes>" when scoped); only
  // its SHA-256 is stored, listed under the feed's owner (the spec before
  // '#'). Revoking makes it unknown. Errors: kResourceExhausted beyond
  // options().max_feed_tokens live links of one owner.
  StatusOr<std::string> IssueFeedToken(const std::string& feed);
  // The feed a token names; nullopt when unknown or revoked.
  StatusOr<std::optional<std::string>> FeedOfToken(const std::string& token);
  // Errors: kNotFound when the token is unknown.
  Status RevokeFeedToken(const std::string& token);
  // The live links of owner ("person:<subject>" or "programme:<id>"), oldest
  // first (links issued before they were listed are not).
  StatusOr<std::vector<FeedTokenInfo>> FeedTokensOf(const std::string& owner);
  // Revokes owner's link id (FeedTokenInfo::id). Errors: kNotFound.
  Status RevokeFeedTokenOf(const std::string& owner, const std::string& id);

  const ProgrammeOptions& options() const { return options_; }
  const Clock& clock() const { return clock_; }

  // The next pending timer of a milestone or an assignment (derived from state).
  std::optional<runtime::DueTimer> NextTimerOfMilestone(const ProgrammeState& state, const Milestone& m) const;
  std::optional<runtime::DueTimer> NextTimerOfAssignment(const ProgrammeState& state, const Assignment& a) const;

 private:
  struct Pending {
    std::string type;
    Json data;
  };
  // The programme folded up to its stream's version: the cached state, or,
  // when payload firings appended since it was folded, that state caught up
  // with their events. Reads of a current cached state touch no store.
  StatusOr<StatePtr> Load(const std::string& programme_id);
  // Caches state as the programme's, unless a newer state is cached;
  // stream_version (the stream's version as this caller knows it) only rises.
  void Remember(const std::string& programme_id, StatePtr state, uint64_t stream_version);
  // FireTimers' two ways. FireFromPayloads returns nullopt when some timer
  // cannot fire from its payload or the head record is missing.
  StatusOr<std::optional<size_t>> FireFromPayloads(const std::string& programme_id,
                                                   const std::vector<runtime::DueTimer>& timers);
  StatusOr<size_t> FireFolded(const std::string& programme_id, const std::vector<runtime::DueTimer>& timers);
  StageDelays delays() const {
    return {std::chrono::days(options_.reminder_days), std::chrono::days(options_.escalation_days)};
  }
  // Appends events at before->version (NoStream when before is null), with
  // the timer changes they imply; caches and returns the state after.
  // id_seed non-empty: event ids derive from it (a retried firing dedups).
  // folded: the state after events, already folded by the caller at
  // folded_at (saves a copy of a large state); null: Commit folds a copy.
  StatusOr<StatePtr> Commit(const std::string& programme_id, const StatePtr& before, std::vector<Pending> events,
                            KvWrites writes, const std::string& actor, const std::string& id_seed = "",
                            std::shared_ptr<ProgrammeState> folded = nullptr, TimePoint folded_at = {});
  // Today in the programme's time zone.
  CivilDate Today(const ProgrammeDefinition& definition) const;
  // Adds to events the reviews of élu term `as` still to come under def's
  // rule: a scheduled review of its axis on a day the rule wants is kept
  // (reassigned when another élu held it and `as`'s élu is free then; with
  // rules_changed, only when its slot keeps def's slot rules), the others
  // are cancelled, and each wanted day left gets the first free slot.
  // Errors: kFailedPrecondition (no free slot for a day).
  // REQUIRES: placement_mutex_ held.
  Status PlaceTermReviews(const ProgrammeState& state, const ProgrammeDefinition& def, const Assignment& as,
                          bool rules_changed, std::vector<Pending>& events);
  // Adds to events what a change of plan years or review rule (state's
  // definition -> def) does to the calendar (ChangeDetails).
  // REQUIRES: placement_mutex_ held; events starts with the
  // programme_details_changed of def.
  Status PlaceAgain(const ProgrammeState& state, const ProgrammeDefinition& def, std::vector<Pending>& events);
  // Adds to events a milestone_moved for each future milestone of state
  // that person, becoming its coordinator, could not attend (busy in
  // another programme, or a full day), to the first slot free for everyone.
  // Errors: kFailedPrecondition when no slot is left for one.
  // REQUIRES: placement_mutex_ held.
  Status MakeRoomForCoordinator(const ProgrammeState& state, const std::string& person, std::vector<Pending>& events);
  // The diary of people: every scheduled milestone of `state` (but `skip`)
  // books its person and the programme's active coordinators; for each of
  // people, the milestones of their other programmes that they attend
  // (as the élu, or as an active coordinator) book them too.
  // REQUIRES: placement_mutex_ held (so no other programme places meanwhile).
  StatusOr<Diary> DiaryOf(const ProgrammeState& state, const std::vector<std::string>& people,
                          const std::string& skip = "");
  HandoverMutex& LockOf(const std::string& programme_id) { return aggregates_.CommandLock(programme_id); }

  EventStore& store_;
  const Clock& clock_;
  // Serializes placements across programmes (a coordinator of several must
  // not be booked twice by two concurrent assignments); taken after the
  // programme's lock, never before one.
  std::mutex placement_mutex_;
  const ProgrammeOptions options_;
  // Every append to a programme's stream goes through this service, so the
  // cache knows each cached programme's stream version: a payload firing
  // raises it without folding, and Load folds the difference when read.
  struct Cached {
    StatePtr state;
    uint64_t stream_version = 0;
  };
  // Command locks, the cache of folded programmes, append hooks.
  runtime::AggregateRuntime<Cached, ProgrammeAppend> aggregates_;
};

}  // namespace relais::programme
