#include "engine/programme/programme_service.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <tuple>

#include "engine/calendar/time_zone.h"
#include "engine/programme/review_placement.h"
#include "engine/util/ids.h"
#include "engine/util/time_format.h"
#include "engine/util/uuid.h"

namespace relais::programme {
namespace {

constexpr std::string_view kIdsPrefix = "programme/ids/";
constexpr std::string_view kPersonPrefix = "programme/person/";
constexpr std::string_view kFeedTokenPrefix = "programme/feed-token/";
// programme/feed-owner/<owner>/<sha256 of the token> -> {"feed", "created_at"}.
constexpr std::string_view kFeedOwnerPrefix = "programme/feed-owner/";

std::string FeedOwner(const std::string& feed) { return feed.substr(0, feed.find('#')); }
std::string FeedOwnerKey(const std::string& owner, const std::string& hash) {
  return std::string(kFeedOwnerPrefix) + owner + "/" + hash;
}
constexpr size_t kReadPage = 1024;

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Json LocalJson(const calendar::LocalDateTime& at) {
  char time[8];
  std::snprintf(time, sizeof time, "%02d:%02d", at.hour, at.minute);
  return Json{{"date", at.date.ToString()}, {"time", time}};
}

bool IsRole(std::string_view role) {
  return role == kRoleCoordinator || role == kRoleEluReferent || role == kRoleReferentTechnique ||
         role == kRolePartnerContact;
}

Json MilestoneEventJson(const Milestone& m) {
  Json j = LocalJson(m.at);
  j["id"] = m.id;
  j["kind"] = m.kind;
  if (!m.axis.empty()) j["axis"] = m.axis;
  if (!m.person.empty()) j["person"] = m.person;
  if (!m.assignment_id.empty()) j["assignment"] = m.assignment_id;
  if (!m.title_fr.empty()) j["title_fr"] = m.title_fr;
  if (!m.title_en.empty()) j["title_en"] = m.title_en;
  if (m.duration_minutes > 0) j["duration_minutes"] = m.duration_minutes;
  j["due"] = FormatIso8601(m.due);
  return j;
}

std::string ClockText(int minute_of_day) {
  char text[16];
  std::snprintf(text, sizeof text, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return text;
}

// The bookings a milestone makes in a diary for one person.
void Book(Diary& diary, const std::string& person, const std::string& programme_id, const Milestone& m,
          int rule_duration) {
  const int start = MinuteOfDay(m.at);
  diary.Add(person, m.at.date,
            Booking{start, start + (m.duration_minutes > 0 ? m.duration_minutes : rule_duration), programme_id, m.id});
}

// The yearly milestones of `years` after today (ids "<kind>-<year>[-<i>]").
std::vector<Milestone> YearlyMilestones(const ProgrammeDefinition& definition, const std::vector<int>& years,
                                        const CivilDate& today) {
  std::vector<Milestone> out;
  const auto cal = CalendarOf(definition);
  for (int year : years)
    for (size_t i = 0; i < definition.yearly.size(); ++i) {
      const YearlyMilestone& y = definition.yearly[i];
      Milestone m;
      m.at = {YearlyDate(y, cal, year), definition.reviews.hour, definition.reviews.minute, 0};
      if (!(today < m.at.date)) continue;
      m.id = y.kind + "-" + std::to_string(year) + (i ? "-" + std::to_string(i) : "");
      m.kind = y.kind;
      m.title_fr = y.title_fr;
      m.title_en = y.title_en;
      m.due = definition.time_zone.ToUtc(m.at);
      out.push_back(std::move(m));
    }
  return out;
}

// The data of a milestone_moved: m to `to`, for duration minutes.
Json Moved(const Milestone& m, const calendar::LocalDateTime& to, int duration) {
  Json data = LocalJson(to);
  data["milestone"] = m.id;
  data["from"] = m.at.date.ToString();
  data["from_time"] = ClockText(MinuteOfDay(m.at));
  data["sequence"] = m.sequence + 1;
  data["person"] = m.person;
  data["duration_minutes"] = duration;
  return data;
}

// The data of a milestone_cancelled.
Json Cancellation(const Milestone& m, std::string_view reason) {
  return {{"milestone", m.id}, {"reason", reason}, {"person", m.person}, {"sequence", m.sequence + 1}};
}

}  // namespace

ProgrammeService::ProgrammeService(EventStore& store, const Clock& clock, ProgrammeOptions options)
    : store_(store), clock_(clock), options_(options), aggregates_(store, options.cache_capacity) {}

CivilDate ProgrammeService::Today(const ProgrammeDefinition& definition) const {
  return definition.time_zone.ToLocal(clock_.Now()).date;
}

StatusOr<StatePtr> ProgrammeService::Load(const std::string& programme_id) {
  Cached cached;
  if (auto found = aggregates_.Find(programme_id)) cached = std::move(*found);
  if (cached.state && cached.state->version == cached.stream_version) return cached.state;
  // Absent, or behind (timers fired from their payloads since): fold the
  // stream, or its tail onto a copy of the cached state.
  auto state = cached.state ? std::make_shared<ProgrammeState>(*cached.state) : std::make_shared<ProgrammeState>();
  const std::string stream = StreamOf(programme_id);
  uint64_t from = state->version + 1;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto events, store_.ReadStream(stream, from, kReadPage));
    for (const RecordedEvent& e : events) {
      auto data = ParseJson(e.data_json);
      if (!data.ok()) return Corruption("programme " + programme_id + " event " + std::to_string(e.version));
      RELAIS_RETURN_IF_ERROR(ApplyEvent(*state, e.type, *data, e.metadata.recorded_at));
    }
    if (events.size() < kReadPage) break;
    from = events.back().version + 1;
  }
  if (state->version == 0) return NotFound("no programme '" + programme_id + "'");
  StatePtr shared = std::move(state);
  Remember(programme_id, shared, shared->version);
  return shared;
}

void ProgrammeService::Remember(const std::string& programme_id, StatePtr state, uint64_t stream_version) {
  // Each side: the stream version only rises, a state only gives way to a newer one.
  auto merge = [](Cached& cached, Cached incoming) {
    cached.stream_version = std::max(cached.stream_version, incoming.stream_version);
    if (incoming.state && (!cached.state || cached.state->version < incoming.state->version))
      cached.state = std::move(incoming.state);
    cached.stream_version = std::max(cached.stream_version, cached.state ? cached.state->version : 0);
  };
  if (!state) {  // only news of the stream: nothing to cache unless cached already
    aggregates_.UpdateIfCached(programme_id, [&](Cached& cached) { merge(cached, Cached{nullptr, stream_version}); });
    return;
  }
  const uint64_t version = std::max(stream_version, state->version);
  aggregates_.Remember(programme_id, Cached{std::move(state), version}, merge);
}

StatusOr<StatePtr> ProgrammeService::Get(const std::string& programme_id) { return Load(programme_id); }

StatusOr<std::vector<std::string>> ProgrammeService::List() {
  std::vector<std::string> out;
  std::string after;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(std::string(kIdsPrefix), after, kReadPage));
    for (const KvEntry& e : page) out.push_back(e.key.substr(kIdsPrefix.size()));
    if (page.size() < kReadPage) return out;
    after = page.back().key;
  }
}

std::optional<runtime::DueTimer> ProgrammeService::NextTimerOfMilestone(const ProgrammeState& state,
                                                                        const Milestone& m) const {
  return MilestoneTimer(StreamOf(state.definition.id), m.id, NextStage(m), m.due, MilestonePayload(m), delays());
}

std::optional<runtime::DueTimer> ProgrammeService::NextTimerOfAssignment(const ProgrammeState& state,
                                                                         const Assignment& a) const {
  if (!a.active) return std::nullopt;
  runtime::DueTimer t;
  t.project_id = StreamOf(state.definition.id);
  t.timer_id = "a." + a.id;
  if (!a.term_reminder_sent) {
    t.fires = "programme/term_reminder";
    t.due = state.definition.time_zone.ToUtc({a.end.AddDays(-options_.term_reminder_days), 9, 0, 0});
  } else {
    t.fires = "programme/term_end";
    t.due = state.definition.time_zone.ToUtc({a.end.AddDays(1), 0, 0, 0});
  }
  return t;
}

StatusOr<StatePtr> ProgrammeService::Commit(const std::string& programme_id, const StatePtr& before,
                                            std::vector<Pending> events, KvWrites writes, const std::string& actor,
                                            const std::string& id_seed, std::shared_ptr<ProgrammeState> folded,
                                            TimePoint folded_at) {
  const bool fold = folded == nullptr;
  auto after = !fold    ? std::move(folded)
               : before ? std::make_shared<ProgrammeState>(*before)
                        : std::make_shared<ProgrammeState>();
  const TimePoint now = fold ? clock_.Now() : folded_at;
  std::set<std::string> touched_milestones, touched_assignments;
  AppendRequest request;
  request.stream_id = StreamOf(programme_id);
  request.expected = before ? ExpectedVersion::Exact(before->version) : ExpectedVersion::NoStream();
  for (size_t i = 0; i < events.size(); ++i) {
    Pending& p = events[i];
    if (fold) RELAIS_RETURN_IF_ERROR(ApplyEvent(*after, p.type, p.data, now));
    if (p.data.contains("milestone")) {
      const Json& m = p.data["milestone"];
      touched_milestones.insert(m.is_object() ? m.value("id", "") : m.get<std::string>());
    }
    if (p.data.contains("assignment")) {
      const Json& a = p.data["assignment"];
      touched_assignments.insert(a.is_object() ? a.value("id", "") : a.get<std::string>());
    }
    NewEvent e;
    e.event_id = id_seed.empty() ? NewUuid() : NameUuid(id_seed + "#" + std::to_string(i));
    e.type = p.type;
    e.data = std::move(p.data);
    e.metadata.actor = actor;
    request.events.push_back(std::move(e));
  }
  // Timer changes: for each touched milestone or assignment, the timer of its
  // next stage before and after; a different one replaces the stored one.
  runtime::TimerWrites timers(store_, writes);
  auto change = [&](const std::optional<runtime::DueTimer>& old_timer,
                    const std::optional<runtime::DueTimer>& new_timer) -> Status {
    if (old_timer && new_timer && old_timer->DueKey() == new_timer->DueKey() && old_timer->fires == new_timer->fires &&
        old_timer->payload == new_timer->payload)
      return Status::Ok();
    if (new_timer) return timers.Arm(*new_timer);
    return timers.Cancel(request.stream_id, old_timer->timer_id);
  };
  for (const std::string& id : touched_milestones) {
    std::optional<runtime::DueTimer> old_timer, new_timer;
    if (before)
      if (auto it = before->milestones.find(id); it != before->milestones.end())
        old_timer = NextTimerOfMilestone(*before, it->second);
    if (auto it = after->milestones.find(id); it != after->milestones.end())
      new_timer = NextTimerOfMilestone(*after, it->second);
    if (old_timer || new_timer) RELAIS_RETURN_IF_ERROR(change(old_timer, new_timer));
  }
  for (const std::string& id : touched_assignments) {
    std::optional<runtime::DueTimer> old_timer, new_timer;
    if (before)
      if (auto it = before->assignments.find(id); it != before->assignments.end())
        old_timer = NextTimerOfAssignment(*before, it->second);
    if (auto it = after->assignments.find(id); it != after->assignments.end())
      new_timer = NextTimerOfAssignment(*after, it->second);
    if (old_timer || new_timer) RELAIS_RETURN_IF_ERROR(change(old_timer, new_timer));
  }
  writes.Put(HeadKey(programme_id), HeadJson(*after));
  const uint64_t first_version = (before ? before->version : 0) + 1;
  auto result = aggregates_.Append(
      ProgrammeAppend{programme_id, after->definition.title, first_version, request.events, before.get(), after.get()},
      std::move(request), std::move(writes));
  if (!result.ok()) {
    aggregates_.Forget(programme_id);  // another writer may have moved it: reload next time
    return result.status();
  }
  if (result->deduplicated) {
    aggregates_.Forget(programme_id);
    return Load(programme_id);
  }
  after->version = result->last_version;
  // The store's stamp, not ours, is what a reload folds: use it, so a
  // milestone's DTSTAMP is the same before and after a restart.
  if (result->recorded_at != now) {
    if (!before) after->defined_at = result->recorded_at;
    for (const std::string& id : touched_milestones)
      if (auto it = after->milestones.find(id); it != after->milestones.end()) {
        if (it->second.created_at == now) it->second.created_at = result->recorded_at;
        if (it->second.updated_at == now) it->second.updated_at = result->recorded_at;
      }
  }
  StatePtr shared = std::move(after);
  Remember(programme_id, shared, shared->version);
  return shared;
}

StatusOr<StatePtr> ProgrammeService::Define(const ProgrammeDefinition& stated, const std::string& actor) {
  ProgrammeDefinition definition = stated;
  if (!definition.time_zone_stated) {
    auto zone = calendar::TimeZone::Find(options_.time_zone);
    if (!zone.ok()) return InvalidArgument("programmes.time_zone: " + zone.status().message());
    definition.time_zone = *std::move(zone);
    definition.time_zone_stated = true;
  }
  std::lock_guard lock(LockOf(definition.id));
  RELAIS_ASSIGN_OR_RETURN(uint64_t version, store_.StreamVersion(StreamOf(definition.id)));
  if (version != 0) return AlreadyExists("programme '" + definition.id + "' already exists");
  RELAIS_RETURN_IF_ERROR(CheckWorkingWindows("programme.reviews.working_hours", SlotRulesOf(definition).windows,
                                             SlotRulesOf(definition).duration_minutes));
  std::vector<Pending> events;
  events.push_back({"programme_defined", {{"definition", definition.ToJson()}}});
  for (const Milestone& m : YearlyMilestones(definition, definition.plan_years, Today(definition)))
    events.push_back({"milestone_scheduled", {{"milestone", MilestoneEventJson(m)}}});
  KvWrites writes;
  writes.Put(std::string(kIdsPrefix) + definition.id, "");
  return Commit(definition.id, nullptr, std::move(events), std::move(writes), actor);
}

StatusOr<StatePtr> ProgrammeService::ChangeDetails(const std::string& programme_id, const Json& changes,
                                                   const std::string& actor) {
  static const std::set<std::string> kChangeable = {"title",   "territory",  "region", "axes",
                                                    "actions", "plan_years", "reviews"};
  if (!changes.is_object() || changes.empty())
    return InvalidArgument(
        "expected an object with some of title, territory, region, axes, actions, plan_years, reviews");
  for (const auto& [key, value] : changes.items())
    if (!kChangeable.count(key))
      return InvalidArgument("programme." + key +
                             ": cannot change once the programme is defined (its yearly milestones, closed days and "
                             "time zone place its calendar); expected title, territory, region, axes, actions, "
                             "plan_years or reviews");
  if (auto years = changes.find("plan_years"); years != changes.end() && years->is_array() && years->empty())
    return InvalidArgument("programme.plan_years: expected at least one year (the plan's calendar is placed on them)");
  std::lock_guard lock(LockOf(programme_id));
  RELAIS_ASSIGN_OR_RETURN(StatePtr state, Load(programme_id));
  Json next = state->definition.ToJson();
  for (const auto& [key, value] : changes.items()) next[key] = value;
  if (next.contains("region") && next["region"] == "") next.erase("region");
  RELAIS_ASSIGN_OR_RETURN(ProgrammeDefinition definition, ProgrammeDefinition::FromJson(next));
  for (const auto& [id, a] : state->assignments)
    if (a.active && !a.axis.empty() && !definition.FindAxis(a.axis))
      return InvalidArgument("programme.axes: axis '" + a.axis + "' is still served by a term (" + a.role + ", " +
                             a.person + "); end it first");
  for (const PlannedAction& a : definition.actions)
    if (!a.axis.empty() && !definition.FindAxis(a.axis))
      return InvalidArgument("programme.actions: action '" + a.id + "' names axis '" + a.axis + "', which is gone");
  std::vector<Pending> events;
  events.push_back({"programme_details_changed", {{"definition", definition.ToJson()}}});
  std::unique_lock placing(placement_mutex_, std::defer_lock);
  if (definition.plan_years != state->definition.plan_years || !(definition.reviews == state->definition.reviews)) {
    placing.lock();
    RELAIS_RETURN_IF_ERROR(PlaceAgain(*state, definition, events));
  }
  return Commit(programme_id, state, std::move(events), {}, actor);
}

Status ProgrammeService::PlaceTermReviews(const ProgrammeState& state, const ProgrammeDefinition& def,
                                          const Assignment& as, bool rules_changed, std::vector<Pending>& events) {
  const std::string& programme_id = def.id;
  const CivilDate today = Today(def);
  const SlotRules rules = SlotRulesOf(def);
  std::vector<std::string> attendees = NotifyList(state.ActiveCoordinators(), as.person);
  RELAIS_ASSIGN_OR_RETURN(Diary diary, DiaryOf(state, attendees));
  const auto cal = CalendarOf(def);
  std::set<CivilDate> wanted;
  for (const CivilDate& d : ReviewDates(def.reviews, cal, as.start, as.end))
    if (today < d) wanted.insert(d);
  for (const auto& [id, m] : state.milestones)  // a day already held (early) is not placed again
    if (m.kind == "review" && m.axis == as.axis && m.status == MilestoneStatus::kHeld) wanted.erase(m.at.date);
  for (const auto& [id, m] : state.milestones) {
    if (m.kind != "review" || m.axis != as.axis || m.status != MilestoneStatus::kScheduled || m.due_fired ||
        !(today < m.at.date))
      continue;
    const int start = MinuteOfDay(m.at);
    bool keep = wanted.count(m.at.date) > 0;
    if (keep && m.person != as.person)  // taken over when the new élu is free then
      keep = !diary.Overlap(as.person, m.at.date, start,
                            start + (m.duration_minutes > 0 ? m.duration_minutes : rules.duration_minutes));
    if (keep && rules_changed) {
      // Kept only where it still keeps the new rules (hours, length, daily maximum).
      for (const std::string& p : attendees) diary.Remove(p, m.at.date, programme_id, id);
      keep = CheckSlot(rules, cal, diary, attendees, m.at).ok();
      if (keep) {
        Milestone resized = m;
        resized.duration_minutes = rules.duration_minutes;
        for (const std::string& p : attendees) Book(diary, p, programme_id, resized, rules.duration_minutes);
        // Same day and time, the new rule's length: attendees get the update.
        if (m.duration_minutes > 0 && m.duration_minutes != rules.duration_minutes)
          events.push_back({"milestone_moved", Moved(m, m.at, rules.duration_minutes)});
      }
    }
    if (keep) {
      wanted.erase(m.at.date);
      if (m.person != as.person) Book(diary, as.person, programme_id, m, rules.duration_minutes);
      if (m.person != as.person || m.assignment_id != as.id)
        events.push_back({"milestone_reassigned",
                          {{"milestone", id},
                           {"person", as.person},
                           {"assignment", as.id},
                           {"previous_person", m.person},
                           {"sequence", m.sequence + 1}}});
    } else {
      if (rules_changed)
        for (const std::string& p : attendees) diary.Remove(p, m.at.date, programme_id, id);
      events.push_back({"milestone_cancelled", Cancellation(m, rules_changed ? "rules_changed" : "term_ended")});
    }
  }
  std::set<std::string> new_ids;
  for (const CivilDate& d : wanted) {
    auto slot = FirstFreeSlot(rules, cal, diary, attendees, d, as.end);
    if (!slot)
      return FailedPrecondition(
          "no free review slot for " + as.person + " from " + d.ToString() + " to " +
          std::min(as.end, d.AddDays(rules.max_shift_days)).ToString() +
          ": every slot of the working hours is taken or the daily maximum (" + std::to_string(rules.max_per_day) +
          ") is reached for the élu or a coordinator; widen programme.reviews.working_hours or raise "
          "programme.reviews.max_per_day");
    Milestone m;
    m.kind = "review";
    m.axis = as.axis;
    m.person = as.person;
    m.assignment_id = as.id;
    m.at = *slot;
    m.duration_minutes = rules.duration_minutes;
    m.due = def.time_zone.ToUtc(m.at);
    m.id = as.axis + "-review-" + slot->date.Compact();
    for (int n = 2; state.milestones.count(m.id) || new_ids.count(m.id); ++n)
      m.id = as.axis + "-review-" + slot->date.Compact() + "-" + std::to_string(n);
    new_ids.insert(m.id);
    for (const std::string& person : attendees) Book(diary, person, programme_id, m, rules.duration_minutes);
    events.push_back({"milestone_scheduled", {{"milestone", MilestoneEventJson(m)}}});
  }
  return Status::Ok();
}

Status ProgrammeService::PlaceAgain(const ProgrammeState& state, const ProgrammeDefinition& def,
                                    std::vector<Pending>& events) {
  const ProgrammeDefinition& was = state.definition;
  const CivilDate today = Today(def);
  if (def.plan_years != was.plan_years) {
    // The yearly milestones of the years taken out are cancelled; those of
    // the years put in are scheduled (when still to come).
    const std::set<int> kept(def.plan_years.begin(), def.plan_years.end());
    for (const auto& [id, m] : state.milestones) {
      if (m.kind == "review" || m.status != MilestoneStatus::kScheduled || m.due_fired || !(today < m.at.date))
        continue;
      const size_t dash = id.find('-');
      const int year = dash == std::string::npos ? 0 : std::atoi(id.c_str() + dash + 1);
      if (year && !kept.count(year)) events.push_back({"milestone_cancelled", Cancellation(m, "plan_changed")});
    }
    std::vector<int> added;
    for (int y : def.plan_years)
      if (std::find(was.plan_years.begin(), was.plan_years.end(), y) == was.plan_years.end()) added.push_back(y);
    for (const Milestone& m : YearlyMilestones(def, added, today))
      if (!state.milestones.count(m.id))
        events.push_back({"milestone_scheduled", {{"milestone", MilestoneEventJson(m)}}});
  }
  if (def.reviews == was.reviews) return Status::Ok();
  RELAIS_RETURN_IF_ERROR(CheckWorkingWindows("programme.reviews.working_hours", SlotRulesOf(def).windows,
                                             SlotRulesOf(def).duration_minutes));
  // Each élu's term is placed again under the new rule, one after the other
  // (each sees the reviews the ones before it placed).
  ProgrammeState placing = state;
  for (const Pending& e : events) RELAIS_RETURN_IF_ERROR(ApplyEvent(placing, e.type, e.data, clock_.Now()));
  for (const auto& [id, a] : state.assignments) {
    if (!a.active || a.role != kRoleEluReferent) continue;
    const size_t first = events.size();
    RELAIS_RETURN_IF_ERROR(PlaceTermReviews(placing, def, a, /*rules_changed=*/true, events));
    for (size_t i = first; i < events.size(); ++i)
      RELAIS_RETURN_IF_ERROR(ApplyEvent(placing, events[i].type, events[i].data, clock_.Now()));
  }
  return Status::Ok();
}

StatusOr<Assignment> ProgrammeService::Assign(const std::string& programme_id, const AssignRequest& req,
                                              const std::string& actor) {
  std::lock_guard lock(LockOf(programme_id));
  RELAIS_ASSIGN_OR_RETURN(StatePtr state, Load(programme_id));
  const ProgrammeDefinition& def = state->definition;
  RELAIS_RETURN_IF_ERROR(ValidatePersonId("person", req.person));
  if (!IsRole(req.role))
    return InvalidArgument("role: expected coordinator, elu_referent, referent_technique or partner_contact, got '" +
                           req.role + "'");
  if (!req.axis.empty() && !def.FindAxis(req.axis))
    return InvalidArgument("axis: programme '" + programme_id + "' has no axis '" + req.axis + "'");
  if (IsSingleHolder(req.role) && req.axis.empty()) return InvalidArgument("axis: a " + req.role + " serves an axis");
  if (!req.start.IsValid() || !req.end.IsValid()) return InvalidArgument("start, end: expected dates YYYY-MM-DD");
  if (req.end < req.start)
    return InvalidArgument("end: " + req.end.ToString() + " is before start " + req.start.ToString());
  if (AddYears(req.start, options_.max_term_years) < req.end)
    return InvalidArgument("end: a term lasts at most " + std::to_string(options_.max_term_years) + " years");
  const CivilDate today = Today(def);
  if (req.end < today) return InvalidArgument("end: " + req.end.ToString() + " is already past");

  Assignment as;
  as.id = NewUuid();
  as.person = req.person;
  as.role = req.role;
  as.axis = req.axis;
  as.start = req.start;
  as.end = req.end;
  std::vector<Pending> events;
  if (IsSingleHolder(req.role))
    if (const Assignment* old = state->ActiveHolder(req.role, req.axis))
      events.push_back({"term_ended",
                        {{"assignment", old->id},
                         {"person", old->person},
                         {"role", old->role},
                         {"axis", old->axis},
                         {"reason", "replaced"},
                         {"replaced_by", req.person},
                         {"end", today.ToString()}}});
  events.push_back({"person_assigned", {{"assignment", as.ToJson()}}});
  std::unique_lock placing(placement_mutex_, std::defer_lock);
  if (req.role == kRoleEluReferent) {
    placing.lock();
    RELAIS_RETURN_IF_ERROR(PlaceTermReviews(*state, def, as, /*rules_changed=*/false, events));
  }
  if (req.role == kRoleCoordinator) {
    placing.lock();
    RELAIS_RETURN_IF_ERROR(MakeRoomForCoordinator(*state, req.person, events));
  }
  KvWrites writes;
  writes.Put(std::string(kPersonPrefix) + req.person + "/" + programme_id, "");
  RELAIS_ASSIGN_OR_RETURN(StatePtr after, Commit(programme_id, state, std::move(events), std::move(writes), actor));
  return after->assignments.at(as.id);
}

StatusOr<Assignment> ProgrammeService::EndTerm(const std::string& programme_id, const std::string& assignment_id,
                                               const std::string& actor) {
  std::lock_guard lock(LockOf(programme_id));
  RELAIS_ASSIGN_OR_RETURN(StatePtr state, Load(programme_id));
  auto it = state->assignments.find(assignment_id);
  if (it == state->assignments.end())
    return NotFound("programme '" + programme_id + "' has no assignment '" + assignment_id + "'");
  const Assignment& a = it->second;
  if (!a.active) return FailedPrecondition("the term of assignment '" + assignment_id + "' has already ended");
  const CivilDate today = Today(state->definition);
  std::vector<Pending> events;
  events.push_back({"term_ended",
                    {{"assignment", a.id},
                     {"person", a.person},
                     {"role", a.role},
                     {"axis", a.axis},
                     {"reason", "ended"},
                     {"end", std::min(today, a.end).ToString()}}});
  const TimePoint now = clock_.Now();
  for (const auto& [id, m] : state->milestones)
    if (m.assignment_id == a.id && m.status == MilestoneStatus::kScheduled && now < m.due)
      events.push_back(
          {"milestone_cancelled",
           {{"milestone", id}, {"reason", "term_ended"}, {"person", m.person}, {"sequence", m.sequence + 1}}});
  if (IsSingleHolder(a.role))
    events.push_back({"role_vacant", {{"role", a.role}, {"axis", a.axis}, {"previous", a.person}}});
  RELAIS_ASSIGN_OR_RETURN(StatePtr after, Commit(programme_id, state, std::move(events), {}, actor));
  return after->assignments.at(assignment_id);
}

StatusOr<Milestone> ProgrammeService::RecordHeld(const std::string& programme_id, const std::string& milestone_id,
                                                 const std::string& notes, const Json& decisions,
                                                 const std::string& actor) {
  std::lock_guard lock(LockOf(programme_id));
  RELAIS_ASSIGN_OR_RETURN(StatePtr state, Load(programme_id));
  auto it = state->milestones.find(milestone_id);
  if (it == state->milestones.end())
    return NotFound("programme '" + programme_id + "' has no milestone '" + milestone_id + "'");
  if (it->second.status != MilestoneStatus::kScheduled)
    return FailedPrecondition("milestone '" + milestone_id + "' is " + std::string(ToString(it->second.status)));
  if (notes.size() > 64 * 1024) return InvalidArgument("notes: at most 65536 bytes");
  if (!decisions.is_array()) return InvalidArgument("decisions: expected a list");
  std::vector<Pending> events;
  events.push_back({"review_held",
                    {{"milestone", milestone_id},
                     {"notes", notes},
                     {"decisions", decisions},
                     {"by", actor},
                     {"person", it->second.person},
                     {"was_overdue", it->second.overdue}}});
  RELAIS_ASSIGN_OR_RETURN(StatePtr after, Commit(programme_id, state, std::move(events), {}, actor));
  return after->milestones.at(milestone_id);
}

StatusOr<Milestone> ProgrammeService::Move(const std::string& programme_id, const std::string& milestone_id,
                                           const MoveTarget& to, const std::string& actor, SlotRefusal* refused) {
  std::lock_guard lock(LockOf(programme_id));
  RELAIS_ASSIGN_OR_RETURN(StatePtr state, Load(programme_id));
  auto it = state->milestones.find(milestone_id);
  if (it == state->milestones.end())
    return NotFound("programme '" + programme_id + "' has no milestone '" + milestone_id + "'");
  const Milestone& m = it->second;
  if (m.status != MilestoneStatus::kScheduled)
    return FailedPrecondition("milestone '" + milestone_id + "' is " + std::string(ToString(m.status)));
  const CivilDate today = Today(state->definition);
  if (!to.date.IsValid() || !(today < to.date)) return InvalidArgument("date: expected a day after today");
  if (to.minute_of_day && (*to.minute_of_day < 0 || *to.minute_of_day >= 24 * 60))
    return InvalidArgument("time: expected HH:MM");
  std::lock_guard placing(placement_mutex_);
  SlotRules rules = SlotRulesOf(state->definition);
  if (m.duration_minutes > 0) rules.duration_minutes = m.duration_minutes;
  const std::vector<std::string> attendees = state->NotifyFor(m);
  RELAIS_ASSIGN_OR_RETURN(Diary diary, DiaryOf(*state, attendees, milestone_id));
  const auto cal = CalendarOf(state->definition);
  calendar::LocalDateTime at{to.date, m.at.hour, m.at.minute, 0};
  if (to.minute_of_day) {
    at.hour = *to.minute_of_day / 60;
    at.minute = *to.minute_of_day % 60;
  }
  SlotCheck check = CheckSlot(rules, cal, diary, attendees, at);
  if (!check.ok() && !to.minute_of_day && check.fault != SlotFault::kNotWorkingDay) {
    // No time asked: the day's first free slot from the milestone's time on.
    SlotRules day_rules = rules;
    day_rules.preferred_minute = MinuteOfDay(m.at);
    if (auto slot = FirstFreeSlot(day_rules, cal, diary, attendees, to.date, to.date)) {
      at = *slot;
      check = SlotCheck{};
    }
  }
  if (!check.ok()) {
    std::string why = std::string(SlotFaultCode(check.fault));
    if (!check.person.empty()) why += " (" + check.person + ")";
    if (refused) {
      refused->check = check;
      refused->wanted = at;
      refused->rules = rules;
      refused->nearest = NearestFreeSlots(rules, cal, diary, attendees, at, today.AddDays(1), kNearestSlots);
    }
    return FailedPrecondition("milestone '" + milestone_id + "' cannot move to " + at.date.ToString() + " " +
                              ClockText(MinuteOfDay(at)) + ": " + why);
  }
  RELAIS_ASSIGN_OR_RETURN(
      StatePtr after,
      Commit(programme_id, state, {{"milestone_moved", Moved(m, at, rules.duration_minutes)}}, {}, actor));
  return after->milestones.at(milestone_id);
}

Status ProgrammeService::MakeRoomForCoordinator(const ProgrammeState& state, const std::string& person,
                                                std::vector<Pending>& events) {
  const std::vector<std::string> coordinators = state.ActiveCoordinators();
  if (std::find(coordinators.begin(), coordinators.end(), person) != coordinators.end()) return Status::Ok();
  RELAIS_ASSIGN_OR_RETURN(Diary diary, DiaryOf(state, {person}));
  const SlotRules rules = SlotRulesOf(state.definition);
  const auto cal = CalendarOf(state.definition);
  const CivilDate today = Today(state.definition);
  std::vector<const Milestone*> ahead;
  for (const auto& [id, m] : state.milestones)
    if (m.status == MilestoneStatus::kScheduled && today < m.at.date) ahead.push_back(&m);
  std::sort(ahead.begin(), ahead.end(),
            [](const Milestone* a, const Milestone* b) { return std::tie(a->at, a->id) < std::tie(b->at, b->id); });
  for (const Milestone* m : ahead) {
    SlotRules own = rules;
    if (m->duration_minutes > 0) own.duration_minutes = m->duration_minutes;
    if (CheckSlot(own, cal, diary, {person}, m->at).ok()) {
      Book(diary, person, state.definition.id, *m, rules.duration_minutes);
      continue;
    }
    // The new coordinator is busy then (in another programme) or has a full
    // day: the milestone moves to the first slot free for all who attend.
    std::vector<std::string> attendees = NotifyList(coordinators, m->person);
    attendees.push_back(person);
    for (const std::string& p : attendees) diary.Remove(p, m->at.date, state.definition.id, m->id);
    CivilDate last = m->at.date.AddDays(own.max_shift_days);
    if (auto it = state.assignments.find(m->assignment_id); it != state.assignments.end())
      last = std::min(last, it->second.end);
    SlotRules from_own_time = own;
    from_own_time.preferred_minute = MinuteOfDay(m->at);
    auto slot = FirstFreeSlot(from_own_time, cal, diary, attendees, m->at.date, last);
    if (!slot)
      return FailedPrecondition("person: " + person + " is busy at " + m->at.date.ToString() + " " +
                                ClockText(MinuteOfDay(m->at)) + " (milestone '" + m->id +
                                "') and no free slot is left to move it to before " + last.ToString());
    Milestone moved = *m;
    moved.at = *slot;
    Book(diary, person, state.definition.id, moved, rules.duration_minutes);
    for (const std::string& p : NotifyList(coordinators, m->person))
      Book(diary, p, state.definition.id, moved, rules.duration_minutes);
    Json data = Moved(*m, *slot, own.duration_minutes);
    data["reason"] = "coordinator_busy";
    events.push_back({"milestone_moved", std::move(data)});
  }
  return Status::Ok();
}

StatusOr<Diary> ProgrammeService::DiaryOf(const ProgrammeState& state, const std::vector<std::string>& people,
                                          const std::string& skip) {
  Diary diary;
  const CivilDate today = Today(state.definition);
  auto attending = [&](const Milestone& m) { return m.status == MilestoneStatus::kScheduled && !(m.at.date < today); };
  const int own_duration = SlotRulesOf(state.definition).duration_minutes;
  const std::vector<std::string> coordinators = state.ActiveCoordinators();
  for (const auto& [id, m] : state.milestones) {
    if (m.id == skip || !attending(m)) continue;  // skip: only among this programme's own
    for (const std::string& person : NotifyList(coordinators, m.person))
      Book(diary, person, state.definition.id, m, own_duration);
  }
  for (const std::string& person : people) {
    RELAIS_ASSIGN_OR_RETURN(auto programmes, ProgrammesOf(person));
    for (const std::string& other : programmes) {
      if (other == state.definition.id) continue;
      auto loaded = Load(other);
      if (!loaded.ok()) {
        if (loaded.status().code() == StatusCode::kNotFound) continue;
        return loaded.status();
      }
      const ProgrammeState& o = **loaded;
      const std::vector<std::string> theirs = o.ActiveCoordinators();
      const bool coordinates = std::find(theirs.begin(), theirs.end(), person) != theirs.end();
      const int duration = SlotRulesOf(o.definition).duration_minutes;
      for (const auto& [id, m] : o.milestones)
        if (attending(m) && (coordinates || m.person == person)) Book(diary, person, other, m, duration);
    }
  }
  return diary;
}

StatusOr<IndicatorRecord> ProgrammeService::RecordIndicator(const std::string& programme_id, const std::string& action,
                                                            const std::string& indicator, double value, int year,
                                                            const std::string& actor) {
  std::lock_guard lock(LockOf(programme_id));
  RELAIS_ASSIGN_OR_RETURN(StatePtr state, Load(programme_id));
  const PlannedAction* planned = state->definition.FindAction(action);
  if (!planned) return InvalidArgument("action: programme '" + programme_id + "' has no action '" + action + "'");
  if (indicator.empty() || indicator.size() > 64)
    return InvalidArgument("indicator: expected a name of 1 to 64 characters");
  for (char c : indicator)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      return InvalidArgument("indicator: expected letters, digits and '_', got '" + indicator + "'");
  if (!std::isfinite(value) || std::fabs(value) > 1e12) return InvalidArgument("value: expected a finite number");
  if (year == 0) year = Today(state->definition).year;
  if (year < 1990 || year > 2200) return InvalidArgument("year: expected a year from 1990 to 2200");
  Json data = {{"action", action}, {"axis", planned->axis}, {"indicator", indicator}, {"value", value}, {"year", year}};
  RELAIS_ASSIGN_OR_RETURN(StatePtr after,
                          Commit(programme_id, state, {{"indicator_recorded", std::move(data)}}, {}, actor));
  return after->indicators.back();
}

StatusOr<std::vector<std::string>> ProgrammeService::ProgrammesOf(const std::string& person) {
  std::vector<std::string> out;
  const std::string prefix = std::string(kPersonPrefix) + person + "/";
  RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(prefix, "", 10'000));
  for (const KvEntry& e : page) out.push_back(e.key.substr(prefix.size()));
  return out;
}

StatusOr<std::string> ProgrammeService::IssueFeedToken(const std::string& feed) {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return Unavailable("no randomness for a feed token");
  static const char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char c : bytes) {
    token += kHex[c >> 4];
    token += kHex[c & 15];
  }
  const std::string owner = FeedOwner(feed);
  RELAIS_ASSIGN_OR_RETURN(auto live,
                          store_.KvScan(std::string(kFeedOwnerPrefix) + owner + "/", "", options_.max_feed_tokens + 1));
  if (live.size() >= options_.max_feed_tokens)
    return ResourceExhausted(owner + " has " + std::to_string(live.size()) +
                             " calendar links, the most allowed (programmes.max_feed_tokens): revoke one first");
  const std::string hash = Sha256Hex(token);
  KvWrites writes;
  writes.Put(std::string(kFeedTokenPrefix) + hash, feed);
  writes.Put(FeedOwnerKey(owner, hash), DumpJson(Json{{"feed", feed}, {"created_at", FormatIso8601(clock_.Now())}}));
  RELAIS_RETURN_IF_ERROR(store_.KvWrite(writes));
  return token;
}

StatusOr<std::vector<FeedTokenInfo>> ProgrammeService::FeedTokensOf(const std::string& owner) {
  const std::string prefix = std::string(kFeedOwnerPrefix) + owner + "/";
  RELAIS_ASSIGN_OR_RETURN(auto entries, store_.KvScan(prefix, "", options_.max_feed_tokens));
  std::vector<FeedTokenInfo> out;
  for (const KvEntry& e : entries) {
    auto j = ParseJson(e.value);
    if (!j.ok() || !j->is_object()) return Corruption("malformed calendar link record " + e.key);
    out.push_back({e.key.substr(prefix.size()), j->value("feed", ""), j->value("created_at", "")});
  }
  std::sort(out.begin(), out.end(), [](const FeedTokenInfo& a, const FeedTokenInfo& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  return out;
}

Status ProgrammeService::RevokeFeedTokenOf(const std::string& owner, const std::string& id) {
  if (id.size() != 64 || id.find_first_not_of("0123456789abcdef") != std::string::npos)
    return NotFound("no such calendar link");
  RELAIS_ASSIGN_OR_RETURN(auto record, store_.KvGet(FeedOwnerKey(owner, id)));
  if (!record) return NotFound("no such calendar link");
  KvWrites writes;
  writes.Delete(std::string(kFeedTokenPrefix) + id);
  writes.Delete(FeedOwnerKey(owner, id));
  return store_.KvWrite(writes);
}

StatusOr<std::optional<std::string>> ProgrammeService::FeedOfToken(const std::string& token) {
  if (token.empty() || token.size() > 128) return std::optional<std::string>();
  return store_.KvGet(std::string(kFeedTokenPrefix) + Sha256Hex(token));
}

Status ProgrammeService::RevokeFeedToken(const std::string& token) {
  RELAIS_ASSIGN_OR_RETURN(auto feed, FeedOfToken(token));
  if (!feed) return NotFound("no such feed token");
  KvWrites writes;
  writes.Delete(std::string(kFeedTokenPrefix) + Sha256Hex(token));
  writes.Delete(FeedOwnerKey(FeedOwner(*feed), Sha256Hex(token)));
  return store_.KvWrite(writes);
}

}  // namespace relais::programme
