#include "engine/api/slot_refusal.h"

#include <cstdio>

#include "engine/api/language.h"
#include "engine/server/problem.h"

namespace relais::api {
namespace {

using programme::SlotFault;

std::string Clock(int minute_of_day) {
  char text[16];
  std::snprintf(text, sizeof text, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return text;
}

std::string Hours(const programme::SlotRules& rules, const char* joiner) {
  std::string out;
  for (size_t i = 0; i < rules.windows.size(); ++i) {
    if (i) out += joiner;
    out += Clock(rules.windows[i].start) + "–" + Clock(rules.windows[i].end);
  }
  return out;
}

struct Words {
  std::string fr;
  std::string en;
};

Words WordsOf(const programme::SlotRefusal& r) {
  const std::string day = r.wanted.date.ToString();
  const std::string when = day + " " + Clock(programme::MinuteOfDay(r.wanted));
  const std::string length = std::to_string(r.rules.duration_minutes);
  switch (r.check.fault) {
    case SlotFault::kNotWorkingDay:
      return {"Le " + day + " n'est pas un jour ouvré (week-end, jour férié ou fermeture) : choisissez un autre jour.",
              day + " is not a working day (weekend, public holiday or closure): choose another day."};
    case SlotFault::kOutsideHours:
      return {"Un rendez-vous de " + length + " minutes à " + when + " sort des heures de travail (" +
                  Hours(r.rules, " et ") + ").",
              "A " + length + "-minute review at " + when + " falls outside working hours (" + Hours(r.rules, " and ") +
                  ")."};
    case SlotFault::kPersonBusy: {
      const std::string other = r.check.conflict.milestone + " (" + r.check.conflict.programme + ", " +
                                Clock(r.check.conflict.start) + "–" + Clock(r.check.conflict.end) + ")";
      return {r.check.person + " est déjà pris le " + day + " à cette heure-là : " + other + ".",
              r.check.person + " is already busy on " + day + " at that time: " + other + "."};
    }
    case SlotFault::kDayFull: {
      const std::string max = std::to_string(r.rules.max_per_day);
      return {r.check.person + " a déjà " + max + " rendez-vous le " + day + ", le maximum par jour.",
              r.check.person + " already has " + max + " reviews on " + day + ", the most in one day."};
    }
    case SlotFault::kNone: break;
  }
  return {"Ce créneau n'est pas libre.", "This slot is not free."};
}

}  // namespace

server::HttpResponse SlotRefusalProblem(const programme::SlotRefusal& refusal, const server::HttpRequest& request) {
  const Words words = WordsOf(refusal);
  const std::string reason = PreferredLanguage(request) == "fr" ? words.fr : words.en;
  Json details = {{"date", refusal.wanted.date.ToString()}, {"time", Clock(programme::MinuteOfDay(refusal.wanted))}};
  if (!refusal.check.person.empty()) details["person"] = refusal.check.person;
  if (refusal.check.fault == SlotFault::kPersonBusy) {
    details["conflict"] = {{"programme", refusal.check.conflict.programme},
                           {"milestone", refusal.check.conflict.milestone},
                           {"start", Clock(refusal.check.conflict.start)},
                           {"end", Clock(refusal.check.conflict.end)}};
  }
  if (refusal.check.fault == SlotFault::kDayFull) details["max_per_day"] = refusal.rules.max_per_day;
  Json nearest = Json::array();
  for (const calendar::LocalDateTime& at : refusal.nearest)
    nearest.push_back({{"date", at.date.ToString()}, {"time", Clock(programme::MinuteOfDay(at))}});
  Json ext = {{"code", std::string(programme::SlotFaultCode(refusal.check.fault))},
              {"reason", reason},
              {"messages", {{"fr", words.fr}, {"en", words.en}}},
              {"details", std::move(details)},
              {"nearest", std::move(nearest)}};
  return server::MakeProblem(server::ProblemKind::kStateConflict, reason, std::move(ext));
}

}  // namespace relais::api
