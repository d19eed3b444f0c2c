// Notice: one thing that happened, as e-mail tells it, in French and
// English: what (the workflow's label of the event, or of a programme
// event), about what (the action's title and phase), and the dashboard page
// to open. Built once per event; an immediate e-mail or a digest entry is
// made from it per person. Stored in digest entries as JSON.
//
// Thread-safety: plain values.
#pragma once

#include <string>

#include "engine/util/clock.h"
#include "engine/util/json.h"
#include "engine/util/status.h"

namespace relais::email {

struct Words {
  std::string fr, en;
  const std::string& In(std::string_view lang) const { return lang == "en" && !en.empty() ? en : fr; }
};

struct Notice {
  std::string source;     // the event's id: with the person, it names the e-mail
  std::string kind;       // the event type ("montage_demarre", "milestone_overdue")
  std::string programme;  // "" outside any
  Words what;             // "Montage démarré" / "Set-up started"
  Words about;            // "« Garage solidaire »" / "“Garage solidaire”"
  Words detail;           // a sentence: who recorded it, the phase now
  std::string link;       // the dashboard page
  TimePoint at{};

  Json ToJson() const;
  static StatusOr<Notice> FromJson(const Json& j);
};

}  // namespace relais::email
