// Programme: the event-sourced state of one programme (the plate-forme of a
// territory): its definition (territory, action-plan years, axes, actions,
// review rule, yearly milestones, closed days), the people assigned to roles
// with their terms, the milestones (élus' reviews, the annual event, the
// yearly evaluation) and the indicators recorded per action. It is folded
// from the stream `programme-<id>`; docs/programmes.md lists the events.
//
// Thread-safety: plain values; ApplyEvent mutates its argument only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/calendar/civil_date.h"
#include "engine/calendar/time_zone.h"
#include "engine/store/event.h"
#include "engine/util/json.h"
#include "engine/util/status.h"

namespace relais::programme {

using calendar::CivilDate;

inline constexpr std::string_view kStreamPrefix = "programme-";
inline std::string StreamOf(std::string_view programme_id) {
  return std::string(kStreamPrefix) + std::string(programme_id);
}

// Roles a person holds in a programme (per programme, or per axis).
inline constexpr std::string_view kRoleCoordinator = "coordinator";
inline constexpr std::string_view kRoleEluReferent = "elu_referent";
inline constexpr std::string_view kRoleReferentTechnique = "referent_technique";
inline constexpr std::string_view kRolePartnerContact = "partner_contact";
// Roles of which an axis (or the programme) has one holder at a time.
inline bool IsSingleHolder(std::string_view role) { return role == kRoleEluReferent || role == kRoleReferentTechnique; }

struct Axis {
  std::string id;
  std::string title;
  std::string parent;  // sub-axes name their axis ("2" for "2A"); empty for a top axis
};

struct PlannedAction {
  std::string id;  // the project id of the action
  std::string axis;
  std::string title;
  std::map<std::string, int> planned_years;  // phase -> year
};

// A span of working hours in a day, in minutes since local midnight: [start, end).
struct WorkingWindow {
  int start = 0;
  int end = 0;
  friend bool operator==(const WorkingWindow&, const WorkingWindow&) = default;
};

// How the reviews of an élu référent are placed in a term: on which days
// (per_year, months, day) and in which slots (review_slots.h). The slot
// fields left at 0 / empty take the configuration's defaults (programmes:
// review_*) at each placement.
struct ReviewRule {
  int per_year = 3;         // 0: no reviews
  std::vector<int> months;  // empty: spread evenly over each year of the term; else these months (1..12)
  int day = 15;             // with months: the day of the month (clamped to the month's length)
  int hour = 10;  // local time (the programme's time_zone): the yearly milestones' time, and the first review slot
                  // tried each day
  int minute = 0;
  int duration_minutes = 0;                  // a review's length; 0: the configured default
  std::vector<WorkingWindow> working_hours;  // empty: the configured default
  int max_per_day = 0;                       // reviews per person per day; 0: the configured default
  friend bool operator==(const ReviewRule&, const ReviewRule&) = default;
};

// A milestone every year of the action plan (the annual event, the evaluation).
struct YearlyMilestone {
  std::string kind;  // "annual_event" or "evaluation"
  std::string title_fr;
  std::string title_en;
  int month = 1;
  int day = 1;
};

struct ProgrammeDefinition {
  std::string id;
  std::string title;
  std::vector<std::string> territory;  // communes
  // The region it belongs to, for a network of programmes (GET /v1/network
  // groups by it); empty: none given. Free text ("Île-de-France").
  std::string region;
  std::vector<int> plan_years;
  std::vector<Axis> axes;
  std::vector<PlannedAction> actions;
  ReviewRule reviews;
  std::vector<YearlyMilestone> yearly;
  std::vector<CivilDate> closed_days;  // days off besides weekends and public holidays
  bool public_holidays = true;         // French public holidays are days off
  // The IANA zone of every local time of the programme (its milestones, its
  // "today"). FromJson: the stated "time_zone" (time_zone_stated), else
  // Europe/Paris, the zone of the programmes defined before zones were
  // stated; ProgrammeService::Define gives an unstated one the configured
  // default (programmes.time_zone). ToJson always states it.
  calendar::TimeZone time_zone;
  bool time_zone_stated = false;

  const Axis* FindAxis(std::string_view id) const;
  const PlannedAction* FindAction(std::string_view id) const;
  Json ToJson() const;
  // Validates everything (ids, years, months, references between axes and
  // actions, the time zone against the system's tzdata).
  // Errors: kInvalidArgument naming the field ("axes[2].parent: ...").
  static StatusOr<ProgrammeDefinition> FromJson(const Json& json);
};

struct Assignment {
  std::string id;
  std::string person;
  std::string role;
  std::string axis;  // empty: the whole programme
  CivilDate start;
  CivilDate end;  // inclusive: the last day of the term
  bool active = true;
  bool term_reminder_sent = false;
  std::string end_reason;  // "expired", "ended", "replaced"
  Json ToJson() const;
};

enum class MilestoneStatus { kScheduled, kHeld, kCancelled };
std::string_view ToString(MilestoneStatus status);

struct Milestone {
  std::string id;
  std::string kind;  // "review", "annual_event", "evaluation"
  std::string axis;
  std::string person;         // the élu of a review; empty for programme milestones
  std::string assignment_id;  // reviews: the assignment they belong to
  std::string title_fr;       // yearly milestones: their titles; reviews: derived
  std::string title_en;
  calendar::LocalDateTime at;  // in the programme's time_zone
  TimePoint due{};             // `at` in UTC (time_zone.ToUtc)
  int duration_minutes = 0;    // its slot's length; 0 (older events): the programme's rule
  MilestoneStatus status = MilestoneStatus::kScheduled;
  bool reminder_sent = false;
  bool due_fired = false;
  bool overdue = false;
  int sequence = 0;  // iCalendar SEQUENCE: raised on every move, reassignment, cancellation
  TimePoint created_at{};
  TimePoint updated_at{};
  std::string notes;
  Json decisions = Json::array();
  std::string held_by;
  Json ToJson() const;
};

struct IndicatorRecord {
  std::string action;
  std::string axis;
  std::string indicator;  // "jobs_created", "services_started", "people_placed", ...
  double value = 0;
  int year = 0;
};

struct ProgrammeState {
  ProgrammeDefinition definition;
  uint64_t version = 0;
  TimePoint defined_at{};
  std::map<std::string, Assignment> assignments;
  std::map<std::string, Milestone> milestones;
  std::vector<IndicatorRecord> indicators;

  // The active holder of role (on axis), if any.
  const Assignment* ActiveHolder(std::string_view role, std::string_view axis) const;
  // The people holding the coordinator role now, by start of term, then name.
  std::vector<std::string> ActiveCoordinators() const;
  // People to tell about a milestone: the active coordinators and, for a
  // review, its élu (NotifyList).
  std::vector<std::string> NotifyFor(const Milestone& milestone) const;
};

// coordinators, then person when named and not already among them.
std::vector<std::string> NotifyList(std::vector<std::string> coordinators, const std::string& person);

// Indicator sums: {"programme": {indicator: sum}, "axes": {axis: {indicator:
// sum}}, "actions": {...}}; an axis includes its sub-axes. year 0: all years.
Json IndicatorTotals(const ProgrammeState& state, int year = 0);

// Folds one event of the programme's stream into state. Unknown types are
// ignored (forward compatibility). Errors: kCorruption when a known event's
// data is malformed.
Status ApplyEvent(ProgrammeState& state, std::string_view type, const Json& data, TimePoint recorded_at);

}  // namespace relais::programme
