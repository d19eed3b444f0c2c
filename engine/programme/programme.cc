#include "engine/programme/programme.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "engine/programme/review_slots.h"
#include "engine/util/ids.h"
#include "engine/util/time_format.h"

namespace relais::programme {
namespace {

constexpr size_t kMaxText = 1024;
constexpr size_t kMaxItems = 10'000;

// Programme, axis and action ids follow the one id pattern (util/ids.h).
Status CheckId(const std::string& where, const std::string& id) { return ValidateId(where, id); }

Status Bad(const std::string& where, const std::string& what) { return InvalidArgument(where + ": " + what); }

Status ReadString(const Json& obj, const char* key, const std::string& where, bool required, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return Bad(where + "." + key, "is required");
    return Status::Ok();
  }
  if (!it->is_string() || it->get_ref<const std::string&>().size() > kMaxText)
    return Bad(where + "." + key, "expected a string of at most " + std::to_string(kMaxText) + " bytes");
  *out = it->get<std::string>();
  return Status::Ok();
}

Status ReadInt(const Json& obj, const char* key, const std::string& where, int min, int max, int* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_number_integer() || it->get<int64_t>() < min || it->get<int64_t>() > max)
    return Bad(where + "." + key, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
  *out = static_cast<int>(it->get<int64_t>());
  return Status::Ok();
}

Status ReadArray(const Json& obj, const char* key, const std::string& where, const Json** out) {
  static const Json kEmpty = Json::array();
  auto it = obj.find(key);
  *out = &kEmpty;
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_array() || it->size() > kMaxItems)
    return Bad(where + "." + key, "expected a list of at most " + std::to_string(kMaxItems) + " items");
  *out = &*it;
  return Status::Ok();
}

Json LocalJson(const calendar::LocalDateTime& at) {
  char time[8];
  std::snprintf(time, sizeof time, "%02d:%02d", at.hour, at.minute);
  return Json{{"date", at.date.ToString()}, {"time", time}};
}

Status ReadLocal(const Json& j, calendar::LocalDateTime* at) {
  auto date = calendar::ParseCivilDate(j.value("date", ""));
  if (!date.ok()) return Corruption("milestone date: " + date.status().message());
  std::string time = j.value("time", "");
  if (time.size() != 5 || time[2] != ':') return Corruption("milestone time '" + time + "'");
  at->date = *date;
  at->hour = std::stoi(time.substr(0, 2));
  at->minute = std::stoi(time.substr(3, 2));
  at->second = 0;
  return Status::Ok();
}

}  // namespace

const Axis* ProgrammeDefinition::FindAxis(std::string_view id) const {
  for (const Axis& a : axes)
    if (a.id == id) return &a;
  return nullptr;
}

const PlannedAction* ProgrammeDefinition::FindAction(std::string_view id) const {
  for (const PlannedAction& a : actions)
    if (a.id == id) return &a;
  return nullptr;
}

Json ProgrammeDefinition::ToJson() const {
  Json axes_json = Json::array();
  for (const Axis& a : axes) {
    Json j = {{"id", a.id}, {"title", a.title}};
    if (!a.parent.empty()) j["parent"] = a.parent;
    axes_json.push_back(std::move(j));
  }
  Json actions_json = Json::array();
  for (const PlannedAction& a : actions)
    actions_json.push_back({{"id", a.id}, {"axis", a.axis}, {"title", a.title}, {"planned_years", a.planned_years}});
  Json yearly_json = Json::array();
  for (const YearlyMilestone& y : yearly)
    yearly_json.push_back(
        {{"kind", y.kind}, {"title_fr", y.title_fr}, {"title_en", y.title_en}, {"month", y.month}, {"day", y.day}});
  Json closed = Json::array();
  for (const CivilDate& d : closed_days) closed.push_back(d.ToString());
  char time[8];
  std::snprintf(time, sizeof time, "%02d:%02d", reviews.hour, reviews.minute);
  Json review = {{"per_year", reviews.per_year}, {"time", time}};
  if (!reviews.months.empty()) {
    review["months"] = reviews.months;
    review["day"] = reviews.day;
  }
  if (reviews.duration_minutes > 0) review["duration_minutes"] = reviews.duration_minutes;
  if (!reviews.working_hours.empty()) {
    Json hours = Json::array();
    for (const WorkingWindow& w : reviews.working_hours) hours.push_back(FormatWorkingWindow(w));
    review["working_hours"] = std::move(hours);
  }
  if (reviews.max_per_day > 0) review["max_per_day"] = reviews.max_per_day;
  Json out = {{"id", id},
              {"title", title},
              {"territory", territory},
              {"plan_years", plan_years},
              {"axes", axes_json},
              {"actions", actions_json},
              {"reviews", review},
              {"yearly", yearly_json},
              {"closed_days", closed},
              {"public_holidays", public_holidays},
              {"time_zone", time_zone.name()}};
  if (!region.empty()) out["region"] = region;  // absent when none: definitions stored before it compare equal
  return out;
}

StatusOr<ProgrammeDefinition> ProgrammeDefinition::FromJson(const Json& j) {
  ProgrammeDefinition d;
  if (!j.is_object()) return Bad("programme", "expected an object");
  RELAIS_RETURN_IF_ERROR(ReadString(j, "id", "programme", true, &d.id));
  RELAIS_RETURN_IF_ERROR(CheckId("programme.id", d.id));
  RELAIS_RETURN_IF_ERROR(ReadString(j, "title", "programme", false, &d.title));
  RELAIS_RETURN_IF_ERROR(ReadString(j, "region", "programme", false, &d.region));
  const Json* list = nullptr;
  RELAIS_RETURN_IF_ERROR(ReadArray(j, "territory", "programme", &list));
  for (size_t i = 0; i < list->size(); ++i) {
    if (!(*list)[i].is_string())
      return Bad("programme.territory[" + std::to_string(i) + "]", "expected a commune name");
    d.territory.push_back((*list)[i].get<std::string>());
  }
  RELAIS_RETURN_IF_ERROR(ReadArray(j, "plan_years", "programme", &list));
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& y = (*list)[i];
    if (!y.is_number_integer() || y.get<int64_t>() < 1990 || y.get<int64_t>() > 2200)
      return Bad("programme.plan_years[" + std::to_string(i) + "]", "expected a year from 1990 to 2200");
    d.plan_years.push_back(y.get<int>());
  }
  RELAIS_RETURN_IF_ERROR(ReadArray(j, "axes", "programme", &list));
  std::set<std::string> axis_ids;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string where = "programme.axes[" + std::to_string(i) + "]";
    const Json& a = (*list)[i];
    if (!a.is_object()) return Bad(where, "expected an object {id, title, parent}");
    Axis axis;
    RELAIS_RETURN_IF_ERROR(ReadString(a, "id", where, true, &axis.id));
    RELAIS_RETURN_IF_ERROR(CheckId(where + ".id", axis.id));
    if (!axis_ids.insert(axis.id).second) return Bad(where + ".id", "axis '" + axis.id + "' is defined twice");
    RELAIS_RETURN_IF_ERROR(ReadString(a, "title", where, false, &axis.title));
    RELAIS_RETURN_IF_ERROR(ReadString(a, "parent", where, false, &axis.parent));
    d.axes.push_back(std::move(axis));
  }
  for (size_t i = 0; i < d.axes.size(); ++i)
    if (!d.axes[i].parent.empty() && !axis_ids.count(d.axes[i].parent))
      return Bad("programme.axes[" + std::to_string(i) + "].parent", "no axis '" + d.axes[i].parent + "'");
  RELAIS_RETURN_IF_ERROR(ReadArray(j, "actions", "programme", &list));
  std::set<std::string> action_ids;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string where = "programme.actions[" + std::to_string(i) + "]";
    const Json& a = (*list)[i];
    if (!a.is_object()) return Bad(where, "expected an object {id, axis, title, planned_years}");
    PlannedAction action;
    RELAIS_RETURN_IF_ERROR(ReadString(a, "id", where, true, &action.id));
    RELAIS_RETURN_IF_ERROR(CheckId(where + ".id", action.id));
    if (!action_ids.insert(action.id).second) return Bad(where + ".id", "action '" + action.id + "' is listed twice");
    RELAIS_RETURN_IF_ERROR(ReadString(a, "axis", where, true, &action.axis));
    if (!axis_ids.count(action.axis)) return Bad(where + ".axis", "no axis '" + action.axis + "'");
    RELAIS_RETURN_IF_ERROR(ReadString(a, "title", where, false, &action.title));
    if (auto it = a.find("planned_years"); it != a.end() && !it->is_null()) {
      if (!it->is_object()) return Bad(where + ".planned_years", "expected an object {phase: year}");
      for (const auto& [phase, year] : it->items()) {
        if (!year.is_number_integer() || year.get<int64_t>() < 1990 || year.get<int64_t>() > 2200)
          return Bad(where + ".planned_years." + phase, "expected a year from 1990 to 2200");
        action.planned_years[phase] = year.get<int>();
      }
    }
    d.actions.push_back(std::move(action));
  }
  if (auto it = j.find("reviews"); it != j.end() && !it->is_null()) {
    const std::string where = "programme.reviews";
    if (!it->is_object()) return Bad(where, "expected an object {per_year, months, day, time}");
    RELAIS_RETURN_IF_ERROR(ReadInt(*it, "per_year", where, 0, 12, &d.reviews.per_year));
    const Json* months = nullptr;
    RELAIS_RETURN_IF_ERROR(ReadArray(*it, "months", where, &months));
    for (size_t i = 0; i < months->size(); ++i) {
      const Json& m = (*months)[i];
      if (!m.is_number_integer() || m.get<int64_t>() < 1 || m.get<int64_t>() > 12)
        return Bad(where + ".months[" + std::to_string(i) + "]", "expected a month from 1 to 12");
      if (std::count(d.reviews.months.begin(), d.reviews.months.end(), m.get<int>()))
        return Bad(where + ".months[" + std::to_string(i) + "]", "month " + m.dump() + " is listed twice");
      d.reviews.months.push_back(m.get<int>());
    }
    std::sort(d.reviews.months.begin(), d.reviews.months.end());
    if (!d.reviews.months.empty() && !it->contains("per_year"))
      d.reviews.per_year = static_cast<int>(d.reviews.months.size());
    if (!d.reviews.months.empty() && static_cast<size_t>(d.reviews.per_year) != d.reviews.months.size())
      return Bad(where + ".months", "lists " + std::to_string(d.reviews.months.size()) + " months but per_year is " +
                                        std::to_string(d.reviews.per_year));
    RELAIS_RETURN_IF_ERROR(ReadInt(*it, "day", where, 1, 31, &d.reviews.day));
    std::string time;
    RELAIS_RETURN_IF_ERROR(ReadString(*it, "time", where, false, &time));
    if (!time.empty()) {
      if (time.size() != 5 || time[2] != ':' || !std::isdigit(time[0]) || !std::isdigit(time[1]) ||
          !std::isdigit(time[3]) || !std::isdigit(time[4]) || std::stoi(time.substr(0, 2)) > 23 ||
          std::stoi(time.substr(3, 2)) > 59)
        return Bad(where + ".time", "expected HH:MM (local time of the programme's time_zone), got '" + time + "'");
      d.reviews.hour = std::stoi(time.substr(0, 2));
      d.reviews.minute = std::stoi(time.substr(3, 2));
    }
    RELAIS_RETURN_IF_ERROR(ReadInt(*it, "duration_minutes", where, 5, 480, &d.reviews.duration_minutes));
    RELAIS_RETURN_IF_ERROR(ReadInt(*it, "max_per_day", where, 1, 24, &d.reviews.max_per_day));
    const Json* hours = nullptr;
    RELAIS_RETURN_IF_ERROR(ReadArray(*it, "working_hours", where, &hours));
    for (size_t i = 0; i < hours->size(); ++i) {
      const std::string field = where + ".working_hours[" + std::to_string(i) + "]";
      if (!(*hours)[i].is_string()) return Bad(field, "expected \"HH:MM-HH:MM\"");
      RELAIS_ASSIGN_OR_RETURN(WorkingWindow w, ParseWorkingWindow(field, (*hours)[i].get<std::string>()));
      d.reviews.working_hours.push_back(w);
    }
    if (!d.reviews.working_hours.empty())
      RELAIS_RETURN_IF_ERROR(
          CheckWorkingWindows(where + ".working_hours", d.reviews.working_hours, d.reviews.duration_minutes));
  }
  RELAIS_RETURN_IF_ERROR(ReadArray(j, "yearly", "programme", &list));
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string where = "programme.yearly[" + std::to_string(i) + "]";
    const Json& y = (*list)[i];
    if (!y.is_object()) return Bad(where, "expected an object {kind, title_fr, title_en, month, day}");
    YearlyMilestone m;
    RELAIS_RETURN_IF_ERROR(ReadString(y, "kind", where, true, &m.kind));
    if (m.kind != "annual_event" && m.kind != "evaluation")
      return Bad(where + ".kind", "expected \"annual_event\" or \"evaluation\", got \"" + m.kind + "\"");
    RELAIS_RETURN_IF_ERROR(ReadString(y, "title_fr", where, true, &m.title_fr));
    RELAIS_RETURN_IF_ERROR(ReadString(y, "title_en", where, false, &m.title_en));
    if (m.title_en.empty()) m.title_en = m.title_fr;
    m.month = 0;
    RELAIS_RETURN_IF_ERROR(ReadInt(y, "month", where, 1, 12, &m.month));
    if (m.month == 0) return Bad(where + ".month", "is required (1 to 12)");
    RELAIS_RETURN_IF_ERROR(ReadInt(y, "day", where, 1, 31, &m.day));
    d.yearly.push_back(std::move(m));
  }
  RELAIS_RETURN_IF_ERROR(ReadArray(j, "closed_days", "programme", &list));
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string where = "programme.closed_days[" + std::to_string(i) + "]";
    if (!(*list)[i].is_string()) return Bad(where, "expected a date YYYY-MM-DD");
    auto date = calendar::ParseCivilDate((*list)[i].get<std::string>());
    if (!date.ok()) return Bad(where, date.status().message());
    d.closed_days.push_back(*date);
  }
  if (auto it = j.find("public_holidays"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) return Bad("programme.public_holidays", "expected true or false");
    d.public_holidays = it->get<bool>();
  }
  std::string zone_name;
  RELAIS_RETURN_IF_ERROR(ReadString(j, "time_zone", "programme", false, &zone_name));
  d.time_zone_stated = !zone_name.empty();
  if (zone_name.empty()) zone_name = calendar::kDefaultTimeZone;
  auto zone = calendar::TimeZone::Find(zone_name);
  if (!zone.ok()) return Bad("programme.time_zone", zone.status().message());
  d.time_zone = *std::move(zone);
  return d;
}

Json Assignment::ToJson() const {
  Json j = {{"id", id},        {"person", person}, {"role", role}, {"start", start.ToString()}, {"end", end.ToString()},
            {"active", active}};
  if (!axis.empty()) j["axis"] = axis;
  if (!end_reason.empty()) j["end_reason"] = end_reason;
  return j;
}

std::string_view ToString(MilestoneStatus status) {
  switch (status) {
    case MilestoneStatus::kScheduled: return "scheduled";
    case MilestoneStatus::kHeld: return "held";
    case MilestoneStatus::kCancelled: return "cancelled";
  }
  return "scheduled";
}

Json Milestone::ToJson() const {
  Json j = LocalJson(at);
  j["id"] = id;
  j["kind"] = kind;
  j["due"] = FormatIso8601(due);
  j["status"] = std::string(ToString(status));
  j["overdue"] = overdue;
  j["reminder_sent"] = reminder_sent;
  j["sequence"] = sequence;
  if (duration_minutes > 0) j["duration_minutes"] = duration_minutes;
  if (!axis.empty()) j["axis"] = axis;
  if (!person.empty()) j["person"] = person;
  if (!assignment_id.empty()) j["assignment"] = assignment_id;
  if (!title_fr.empty()) j["title_fr"] = title_fr;
  if (!title_en.empty()) j["title_en"] = title_en;
  if (status == MilestoneStatus::kHeld) {
    j["notes"] = notes;
    j["decisions"] = decisions;
    j["held_by"] = held_by;
  }
  return j;
}

const Assignment* ProgrammeState::ActiveHolder(std::string_view role, std::string_view axis) const {
  for (const auto& [id, a] : assignments)
    if (a.active && a.role == role && a.axis == axis) return &a;
  return nullptr;
}

std::vector<std::string> ProgrammeState::ActiveCoordinators() const {
  std::vector<const Assignment*> active;
  for (const auto& [id, a] : assignments)
    if (a.active && a.role == kRoleCoordinator) active.push_back(&a);
  std::sort(active.begin(), active.end(), [](const Assignment* x, const Assignment* y) {
    return x->start != y->start ? x->start < y->start : x->person < y->person;
  });
  std::vector<std::string> out;
  for (const Assignment* a : active) out.push_back(a->person);
  return out;
}

std::vector<std::string> NotifyList(std::vector<std::string> coordinators, const std::string& person) {
  if (!person.empty() && std::find(coordinators.begin(), coordinators.end(), person) == coordinators.end())
    coordinators.push_back(person);
  return coordinators;
}

std::vector<std::string> ProgrammeState::NotifyFor(const Milestone& milestone) const {
  return NotifyList(ActiveCoordinators(), milestone.person);
}

Json IndicatorTotals(const ProgrammeState& state, int year) {
  Json programme = Json::object(), axes = Json::object(), actions = Json::object();
  auto add = [](Json& bucket, const std::string& indicator, double value) {
    if (!bucket.is_object()) bucket = Json::object();
    bucket[indicator] = bucket.value(indicator, 0.0) + value;
  };
  for (const Axis& a : state.definition.axes) axes[a.id] = Json::object();
  for (const IndicatorRecord& r : state.indicators) {
    if (year != 0 && r.year != year) continue;
    add(programme, r.indicator, r.value);
    add(actions[r.action], r.indicator, r.value);
    // The action's axis and every axis above it.
    std::string axis = r.axis;
    for (int depth = 0; !axis.empty() && depth < 16; ++depth) {
      add(axes[axis], r.indicator, r.value);
      const Axis* a = state.definition.FindAxis(axis);
      axis = a ? a->parent : "";
    }
  }
  return {{"programme", programme}, {"axes", axes}, {"actions", actions}};
}

Status ApplyEvent(ProgrammeState& state, std::string_view type, const Json& data, TimePoint recorded_at) {
  ++state.version;
  auto milestone = [&](const char* key = "milestone") -> Milestone* {
    auto it = state.milestones.find(data.value(key, ""));
    return it == state.milestones.end() ? nullptr : &it->second;
  };
  auto malformed = [&] { return Corruption("programme event " + std::string(type) + ": malformed " + data.dump()); };
  try {
    if (type == "programme_defined") {
      RELAIS_ASSIGN_OR_RETURN(state.definition, ProgrammeDefinition::FromJson(data.at("definition")));
      state.defined_at = recorded_at;
    } else if (type == "programme_details_changed") {
      RELAIS_ASSIGN_OR_RETURN(state.definition, ProgrammeDefinition::FromJson(data.at("definition")));
    } else if (type == "person_assigned") {
      const Json& a = data.at("assignment");
      Assignment as;
      as.id = a.at("id").get<std::string>();
      as.person = a.at("person").get<std::string>();
      as.role = a.at("role").get<std::string>();
      as.axis = a.value("axis", "");
      auto start = calendar::ParseCivilDate(a.at("start").get<std::string>());
      auto end = calendar::ParseCivilDate(a.at("end").get<std::string>());
      if (!start.ok() || !end.ok()) return malformed();
      as.start = *start;
      as.end = *end;
      state.assignments[as.id] = std::move(as);
    } else if (type == "term_reminder_sent") {
      auto it = state.assignments.find(data.at("assignment").get<std::string>());
      if (it == state.assignments.end()) return malformed();
      it->second.term_reminder_sent = true;
    } else if (type == "term_ended") {
      auto it = state.assignments.find(data.at("assignment").get<std::string>());
      if (it == state.assignments.end()) return malformed();
      it->second.active = false;
      it->second.end_reason = data.value("reason", "ended");
      if (data.contains("end")) {
        auto end = calendar::ParseCivilDate(data.at("end").get<std::string>());
        if (end.ok()) it->second.end = *end;
      }
    } else if (type == "milestone_scheduled") {
      const Json& m = data.at("milestone");
      Milestone ms;
      ms.id = m.at("id").get<std::string>();
      ms.kind = m.at("kind").get<std::string>();
      ms.axis = m.value("axis", "");
      ms.person = m.value("person", "");
      ms.assignment_id = m.value("assignment", "");
      ms.title_fr = m.value("title_fr", "");
      ms.title_en = m.value("title_en", "");
      RELAIS_RETURN_IF_ERROR(ReadLocal(m, &ms.at));
      ms.due = state.definition.time_zone.ToUtc(ms.at);
      ms.duration_minutes = m.value("duration_minutes", 0);
      ms.created_at = ms.updated_at = recorded_at;
      state.milestones[ms.id] = std::move(ms);
    } else if (type == "milestone_moved") {
      Milestone* ms = milestone();
      if (!ms) return malformed();
      RELAIS_RETURN_IF_ERROR(ReadLocal(data, &ms->at));
      ms->due = state.definition.time_zone.ToUtc(ms->at);
      ms->duration_minutes = data.value("duration_minutes", ms->duration_minutes);
      ms->sequence = data.value("sequence", ms->sequence + 1);
      ms->reminder_sent = ms->due_fired = ms->overdue = false;
      ms->updated_at = recorded_at;
    } else if (type == "milestone_reassigned") {
      Milestone* ms = milestone();
      if (!ms) return malformed();
      ms->person = data.at("person").get<std::string>();
      ms->assignment_id = data.value("assignment", "");
      ms->sequence = data.value("sequence", ms->sequence + 1);
      ms->updated_at = recorded_at;
    } else if (type == "milestone_cancelled") {
      Milestone* ms = milestone();
      if (!ms) return malformed();
      ms->status = MilestoneStatus::kCancelled;
      ms->sequence = data.value("sequence", ms->sequence + 1);
      ms->updated_at = recorded_at;
    } else if (type == "reminder_sent") {
      Milestone* ms = milestone();
      if (!ms) return malformed();
      ms->reminder_sent = true;
    } else if (type == "milestone_due") {
      Milestone* ms = milestone();
      if (!ms) return malformed();
      ms->reminder_sent = true;
      ms->due_fired = true;
    } else if (type == "milestone_overdue") {
      Milestone* ms = milestone();
      if (!ms) return malformed();
      ms->reminder_sent = ms->due_fired = true;
      ms->overdue = true;
    } else if (type == "review_held") {
      Milestone* ms = milestone();
      if (!ms) return malformed();
      ms->status = MilestoneStatus::kHeld;
      ms->overdue = false;
      ms->notes = data.value("notes", "");
      ms->decisions = data.value("decisions", Json::array());
      ms->held_by = data.value("by", "");
      ms->updated_at = recorded_at;
    } else if (type == "indicator_recorded") {
      IndicatorRecord r;
      r.action = data.at("action").get<std::string>();
      r.axis = data.value("axis", "");
      r.indicator = data.at("indicator").get<std::string>();
      r.value = data.at("value").get<double>();
      r.year = data.value("year", 0);
      state.indicators.push_back(std::move(r));
    }
    // role_vacant and unknown types change nothing folded here.
  } catch (const Json::exception&) {
    return malformed();
  }
  return Status::Ok();
}

}  // namespace relais::programme
