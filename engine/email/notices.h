// What e-mail tells of events: the Notice of a project's event (its
// workflow's labels, the action's title and phase after the event) and of a
// programme's event (reviews and other milestones coming, due or overdue;
// terms ending), and who hears each: for a project, the people of the
// partners it names (the same partners webhooks go to); for a programme,
// the people its event's `notify` list names (the coordinators, and the élu
// of a review: ProgrammeState::NotifyFor).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "engine/email/notice.h"
#include "engine/runtime/project.h"
#include "engine/store/event.h"
#include "engine/workflow/definition.h"

namespace relais::email {

// Project events that e-mail: those announcing topics (their type's
// `notify:` in the workflow: what partners are told), and the runtime's
// lateness notice.
bool ProjectEventMails(const NewEvent& event, const std::vector<std::string>& topics);

// The notice of a project's event. definition may be null (labels then
// fall back to the type and phase ids); actor_name names who recorded it;
// base_url is the dashboard's (<base>/#/action/<id>).
Notice ProjectNotice(const runtime::Project& before, const NewEvent& event, const workflow::WorkflowDefinition* def,
                     const std::string& actor_name, const std::string& base_url, TimePoint now);

// The notice of a programme event that names people to tell (data.notify),
// or nullopt for the events e-mail does not tell. person_name names the
// person the event is about (the élu of a review, the holder of a term).
std::optional<Notice> ProgrammeNotice(const std::string& programme_id, const std::string& programme_title,
                                      const NewEvent& event, const std::string& person_name,
                                      const std::string& base_url, TimePoint now);

}  // namespace relais::email
