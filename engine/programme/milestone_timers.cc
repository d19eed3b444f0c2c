#include "engine/programme/milestone_timers.h"

#include "engine/util/time_format.h"

namespace relais::programme {
namespace {

constexpr std::string_view kHeadPrefix = "programme/head/";
constexpr std::string_view kStageFires[] = {"programme/reminder", "programme/due", "programme/overdue"};
constexpr std::string_view kStageEvents[] = {"reminder_sent", "milestone_due", "milestone_overdue"};

}  // namespace

MilestoneStage NextStage(const Milestone& m) {
  if (m.status != MilestoneStatus::kScheduled) return MilestoneStage::kDone;
  if (!m.reminder_sent) return MilestoneStage::kReminder;
  if (!m.due_fired) return MilestoneStage::kDue;
  if (!m.overdue) return MilestoneStage::kOverdue;
  return MilestoneStage::kDone;
}

std::optional<MilestoneStage> StageOfFires(std::string_view fires) {
  for (int s = 0; s < 3; ++s)
    if (fires == kStageFires[s]) return static_cast<MilestoneStage>(s);
  return std::nullopt;
}

std::string_view FiringEventType(MilestoneStage stage) {
  return stage == MilestoneStage::kDone ? std::string_view() : kStageEvents[static_cast<int>(stage)];
}

Json MilestonePayload(const Milestone& m) {
  Json j = {{"kind", m.kind}, {"date", m.at.date.ToString()}, {"due", FormatIso8601(m.due)}};
  if (!m.person.empty()) j["person"] = m.person;
  if (!m.axis.empty()) j["axis"] = m.axis;
  return j;
}

std::optional<runtime::DueTimer> MilestoneTimer(std::string_view stream, std::string_view milestone_id,
                                                MilestoneStage stage, TimePoint milestone_due, Json payload,
                                                StageDelays delays) {
  if (stage == MilestoneStage::kDone) return std::nullopt;
  runtime::DueTimer t;
  t.project_id = std::string(stream);
  t.timer_id = "m." + std::string(milestone_id);
  t.fires = std::string(kStageFires[static_cast<int>(stage)]);
  t.due = stage == MilestoneStage::kReminder ? milestone_due - delays.reminder
          : stage == MilestoneStage::kDue    ? milestone_due
                                             : milestone_due + delays.escalation;
  t.payload = std::move(payload);
  return t;
}

StatusOr<std::optional<runtime::DueTimer>> FollowingTimer(const runtime::DueTimer& timer, StageDelays delays) {
  const auto stage = StageOfFires(timer.fires);
  if (!stage) return Corruption("not a milestone timer: " + timer.fires);
  auto due = ParseIso8601(timer.payload.is_object() ? timer.payload.value("due", "") : "");
  if (!due.ok()) return Corruption("milestone timer " + timer.DueKey() + ": payload without a valid due time");
  const auto next = static_cast<MilestoneStage>(static_cast<int>(*stage) + 1);
  return MilestoneTimer(timer.project_id, std::string_view(timer.timer_id).substr(2), next, *due, timer.payload,
                        delays);
}

StatusOr<Json> FiringData(std::string_view milestone_id, const Json& payload,
                          const std::vector<std::string>& coordinators) {
  if (!payload.is_object() || !payload.contains("kind") || !payload.contains("date") || !payload.contains("due"))
    return Corruption("milestone '" + std::string(milestone_id) + "': timer payload lacks kind, date or due");
  Json data = payload;
  data["milestone"] = milestone_id;
  data["notify"] = NotifyList(coordinators, payload.value("person", ""));
  return data;
}

std::string HeadKey(std::string_view programme_id) { return std::string(kHeadPrefix) + std::string(programme_id); }

std::string HeadJson(const ProgrammeState& state) {
  return DumpJson(Json{{"title", state.definition.title}, {"coordinators", state.ActiveCoordinators()}});
}

StatusOr<ProgrammeHead> ParseHead(std::string_view text) {
  auto json = ParseJson(text);
  if (!json.ok() || !json->is_object() || !json->contains("coordinators") || !json->at("coordinators").is_array())
    return Corruption("malformed programme head record");
  ProgrammeHead head;
  head.title = json->value("title", "");
  for (const Json& c : json->at("coordinators")) {
    if (!c.is_string()) return Corruption("malformed programme head record");
    head.coordinators.push_back(c.get<std::string>());
  }
  return head;
}

}  // namespace relais::programme
