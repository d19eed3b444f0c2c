#include "engine/email/email_notifier.h"

#include <algorithm>

#include "engine/email/digest_keys.h"
#include "engine/email/email_service.h"
#include "engine/email/notices.h"
#include "engine/email/templates.h"
#include "engine/people/person.h"
#include "engine/util/uuid.h"

namespace relais::email {

EmailNotifier::EmailNotifier(EmailService& service, RecipientDirectory& people, EmailPreferences& preferences,
                             const UnsubscribeLinks& links, runtime::DefinitionLookup definitions, const Clock& clock)
    : service_(service),
      people_(people),
      preferences_(preferences),
      links_(links),
      definitions_(std::move(definitions)),
      clock_(clock) {}

std::string EmailNotifier::NameOfActor(const std::string& actor) {
  auto person = people_.Person(people::PersonOfSubject(actor));
  if (person.ok() && *person) return (*person)->name;
  return people::PersonOfSubject(actor);
}

Status EmailNotifier::Tell(const Notice& notice, const std::vector<Recipient>& people, const std::string& skip_person,
                           KvWrites& writes) {
  const EmailOptions& options = service_.options();
  size_t told = 0;
  for (const Recipient& r : people) {
    if (r.id == skip_person) continue;
    if (++told > options.max_recipients_per_event) {
      options.dispatcher.info_log->Warn("e-mail: an event names more people than email.max_recipients_per_event",
                                        {{"event", notice.source}});
      break;
    }
    RELAIS_ASSIGN_OR_RETURN(Delivery choice, preferences_.Get(r.id, notice.programme));
    if (choice == Delivery::kNone) continue;
    if (choice == Delivery::kDigest) {
      writes.Put(DigestEntryKey(r.id, notice.at, notice.source), DumpJson(notice.ToJson()));
      continue;
    }
    const std::string unsubscribe = links_.Url(options.public_base_url, {r.id, notice.programme});
    const Rendered words = RenderNotice(notice, r, unsubscribe);
    OutgoingEmail email;
    email.id = NameUuid("email/" + notice.source + "/" + r.id);
    email.to = {r.name, r.address};
    email.subject = words.subject;
    email.text = words.text;
    email.html = words.html;
    email.unsubscribe_url = unsubscribe;
    email.kind = notice.kind;
    email.stream = notice.source;
    if (auto queued = service_.EnqueueMessage(email, writes); !queued.ok()) {
      // A person's bad address must not refuse the events.
      options.dispatcher.info_log->Warn("e-mail: a message could not be queued",
                                        {{"person", r.id}, {"cause", queued.status().ToString()}});
    }
  }
  return Status::Ok();
}

Status EmailNotifier::OnProjectAppend(const runtime::ProjectAppend& append, KvWrites& writes) {
  if (!service_.enabled()) return Status::Ok();
  std::vector<const NewEvent*> mailing;
  for (const NewEvent& e : append.events)
    if (ProjectEventMails(e, append.notify)) mailing.push_back(&e);
  if (mailing.empty()) return Status::Ok();
  std::vector<std::string> partners = append.before.info.partners;
  for (const std::string& p : append.inherited_partners)
    if (std::find(partners.begin(), partners.end(), p) == partners.end()) partners.push_back(p);
  if (partners.empty()) return Status::Ok();
  RELAIS_ASSIGN_OR_RETURN(std::vector<Recipient> people, people_.OfPartners(partners));
  if (people.empty()) return Status::Ok();
  const workflow::WorkflowDefinition* def = definitions_ ? definitions_(append.before.info.workflow_hash) : nullptr;
  const TimePoint now = clock_.Now();
  for (const NewEvent* e : mailing) {
    const Notice notice =
        ProjectNotice(append.before, *e, def, NameOfActor(e->metadata.actor), service_.options().public_base_url, now);
    RELAIS_RETURN_IF_ERROR(Tell(notice, people, people::PersonOfSubject(e->metadata.actor), writes));
  }
  return Status::Ok();
}

Status EmailNotifier::OnProgrammeAppend(const programme::ProgrammeAppend& append, KvWrites& writes) {
  if (!service_.enabled()) return Status::Ok();
  const TimePoint now = clock_.Now();
  for (const NewEvent& e : append.events) {
    if (!e.data.is_object() || !e.data.contains("notify") || !e.data["notify"].is_array()) continue;
    std::string person_name;
    if (e.data.contains("person") && e.data["person"].is_string()) {
      auto p = people_.Person(e.data["person"].get<std::string>());
      person_name = p.ok() && *p ? (*p)->name : e.data["person"].get<std::string>();
    }
    auto notice =
        ProgrammeNotice(append.programme_id, append.title, e, person_name, service_.options().public_base_url, now);
    if (!notice) continue;
    std::vector<Recipient> people;
    for (const Json& id : e.data["notify"]) {
      if (!id.is_string()) continue;
      RELAIS_ASSIGN_OR_RETURN(auto person, people_.Person(id.get<std::string>()));
      if (person) people.push_back(std::move(*person));
    }
    RELAIS_RETURN_IF_ERROR(Tell(*notice, people, "", writes));
  }
  return Status::Ok();
}

}  // namespace relais::email
