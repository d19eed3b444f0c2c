#include "engine/email/review_invitations.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/email/email_service.h"
#include "engine/email/templates.h"
#include "engine/programme/ics_feed.h"
#include "engine/util/uuid.h"

namespace relais::email {

namespace {

using programme::Milestone;
using programme::MilestoneStatus;
using programme::ProgrammeState;

bool ChangesReview(std::string_view type) {
  return type == "milestone_scheduled" || type == "milestone_moved" || type == "milestone_reassigned" ||
         type == "milestone_cancelled";
}

std::string MilestoneOf(const Json& data) {
  auto it = data.find("milestone");
  if (it == data.end()) return "";
  if (it->is_object()) return it->value("id", "");
  return it->is_string() ? it->get<std::string>() : "";
}

bool Contains(const std::vector<std::string>& list, const std::string& id) {
  return std::find(list.begin(), list.end(), id) != list.end();
}

}  // namespace

ReviewInvitations::ReviewInvitations(EmailService& service, RecipientDirectory& people, EmailPreferences& preferences,
                                     const UnsubscribeLinks& links, const Clock& clock)
    : service_(service), people_(people), preferences_(preferences), links_(links), clock_(clock) {}

Status ReviewInvitations::OnProgrammeAppend(const programme::ProgrammeAppend& append, KvWrites& writes) {
  if (!service_.enabled() || append.after == nullptr) return Status::Ok();
  // Each review once per append, as the append leaves it, named by the last
  // event that touched it; with the people a reassignment took it from.
  std::map<std::string, std::string> last_event;
  std::map<std::string, std::vector<std::string>> taken_from, given_to;
  for (const NewEvent& e : append.events) {
    if (!ChangesReview(e.type)) continue;
    const std::string id = MilestoneOf(e.data);
    if (id.empty()) continue;
    last_event[id] = e.event_id;
    if (e.type != "milestone_reassigned" || append.before == nullptr) continue;
    auto was = append.before->milestones.find(id);
    if (was == append.before->milestones.end() || was->second.person.empty()) continue;
    taken_from[id].push_back(was->second.person);
    given_to[id].push_back(e.data.value("person", ""));
  }
  for (const auto& [id, event_id] : last_event) {
    auto it = append.after->milestones.find(id);
    if (it == append.after->milestones.end() || it->second.kind != "review") continue;
    const Milestone& review = it->second;
    if (review.status == MilestoneStatus::kHeld) continue;
    const bool cancel = review.status == MilestoneStatus::kCancelled;
    const bool known_before = append.before && append.before->milestones.count(id) > 0;
    if (cancel && !known_before) continue;  // made and cancelled at once: nobody had it
    const std::vector<std::string> people = append.after->NotifyFor(review);
    std::vector<std::string> newcomers = given_to[id];
    if (!known_before) newcomers = people;
    RELAIS_RETURN_IF_ERROR(Send(*append.after, review, event_id, people, newcomers, cancel, writes));
    // Whoever the review was taken from loses it from their calendar.
    std::vector<std::string> dropped;
    for (const std::string& p : taken_from[id])
      if (!Contains(people, p) && !Contains(dropped, p)) dropped.push_back(p);
    if (!dropped.empty()) RELAIS_RETURN_IF_ERROR(Send(*append.after, review, event_id, dropped, {}, true, writes));
  }
  return Status::Ok();
}

Status ReviewInvitations::Send(const ProgrammeState& programme, const Milestone& review, const std::string& event_id,
                               const std::vector<std::string>& people, const std::vector<std::string>& newcomers,
                               bool cancel, KvWrites& writes) {
  const EmailOptions& options = service_.options();
  std::optional<people::Person> elu;
  if (!review.person.empty()) {
    RELAIS_ASSIGN_OR_RETURN(elu, people_.Profile(review.person));
  }
  std::vector<Recipient> recipients;
  std::vector<calendar::IcsAttendee> attendees;
  const std::vector<std::string> coordinators = programme.ActiveCoordinators();
  for (const std::string& id : people) {
    RELAIS_ASSIGN_OR_RETURN(auto r, people_.Person(id));
    if (!r) continue;
    // The coordinators chair the review; the élu (or the élu it was taken
    // from, in their cancellation) takes part.
    const auto role = Contains(coordinators, id) && id != review.person ? calendar::AttendeeRole::kChair
                                                                        : calendar::AttendeeRole::kRequired;
    attendees.push_back({r->name, r->address, role});
    recipients.push_back(std::move(*r));
  }
  if (attendees.size() > options.max_recipients_per_event) {
    options.dispatcher.info_log->Warn("e-mail: a review names more people than email.max_recipients_per_event",
                                      {{"milestone", review.id}});
    return Status::Ok();
  }
  const std::string& programme_id = programme.definition.id;
  const std::string page = options.public_base_url + "/ui/index.html#/programme/" + programme_id;
  const auto duration =
      review.duration_minutes > 0 ? std::chrono::minutes(review.duration_minutes) : programme::kMilestoneDuration;
  for (const Recipient& r : recipients) {
    RELAIS_ASSIGN_OR_RETURN(Delivery choice, preferences_.Get(r.id, programme_id));
    if (choice == Delivery::kNone) continue;
    const std::string lang = r.language == "en" ? "en" : "fr";
    calendar::Invitation invitation;
    invitation.uid = review.id + "@" + programme_id + ".relais";  // the feed's (ics_feed.h)
    invitation.sequence = review.sequence;
    invitation.summary = programme::MilestoneTitle(programme, review, lang, elu ? &*elu : nullptr);
    invitation.description = (lang == "en" ? "Programme: " : "Programme : ") + programme.definition.title;
    invitation.url = page;
    invitation.start = review.at;
    invitation.zone = programme.definition.time_zone;
    invitation.duration = duration;
    invitation.organizer = {options.from_name, options.from_address};
    invitation.attendees = attendees;
    invitation.status = cancel ? calendar::EventStatus::kCancelled : calendar::EventStatus::kConfirmed;
    auto ics = calendar::BuildInvitation(invitation, clock_);
    if (!ics.ok()) {
      options.dispatcher.info_log->Warn("e-mail: a review's invitation could not be written",
                                        {{"milestone", review.id}, {"cause", ics.status().ToString()}});
      continue;
    }
    InvitationWords words;
    words.kind = cancel                                              ? InvitationKind::kCancel
                 : review.sequence == 0 || Contains(newcomers, r.id) ? InvitationKind::kNew
                                                                     : InvitationKind::kUpdate;
    words.title = invitation.summary;
    words.when = ReviewWhen(review.at, duration, programme.definition.time_zone.name(), lang);
    words.programme = programme.definition.title;
    words.link = page;
    const std::string unsubscribe = links_.Url(options.public_base_url, {r.id, programme_id});
    const Rendered text = RenderInvitation(words, r, unsubscribe);
    OutgoingEmail email;
    email.id = NameUuid("invite/" + event_id + "/" + r.id);
    email.to = {r.name, r.address};
    email.subject = text.subject;
    email.text = text.text;
    email.html = text.html;
    email.calendar = plugins::email::CalendarPart{cancel ? "CANCEL" : "REQUEST", std::move(*ics)};
    email.unsubscribe_url = unsubscribe;
    email.kind = cancel ? "review_cancelled" : "review_invitation";
    email.stream = event_id;
    if (auto queued = service_.EnqueueMessage(email, writes); !queued.ok()) {
      options.dispatcher.info_log->Warn("e-mail: a review's invitation could not be queued",
                                        {{"person", r.id}, {"cause", queued.status().ToString()}});
    }
  }
  return Status::Ok();
}

}  // namespace relais::email
