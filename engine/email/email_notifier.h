// EmailNotifier: the append hooks that tell people of events by e-mail, in
// the same atomic batch as the events (as the webhook outbox does): for
// each event that e-mails (notices.h) and each person who hears it, by
// their choice for the programme (preferences.h): the e-mail is queued
// (immediate), the notice waits for the person's digest (digest), or
// nothing (none). The person who recorded the event is not told of it.
// Every e-mail's id is NameUuid("email/<event id>/<person>"), so its
// Message-ID is the same whatever happens after.
//
// A person without a usable address is skipped (logged); store errors
// refuse the append, as they would refuse the events themselves.
//
// Thread-safety: the hooks are safe for concurrent calls. Everything given
// must outlive it.
#pragma once

#include <string>

#include "engine/email/notice.h"
#include "engine/email/preferences.h"
#include "engine/email/recipients.h"
#include "engine/email/unsubscribe.h"
#include "engine/programme/programme_service.h"
#include "engine/runtime/project_service.h"
#include "engine/util/log.h"

namespace relais::email {

class EmailService;

class EmailNotifier {
 public:
  EmailNotifier(EmailService& service, RecipientDirectory& people, EmailPreferences& preferences,
                const UnsubscribeLinks& links, runtime::DefinitionLookup definitions, const Clock& clock);

  Status OnProjectAppend(const runtime::ProjectAppend& append, KvWrites& writes);
  Status OnProgrammeAppend(const programme::ProgrammeAppend& append, KvWrites& writes);

  // Queues notice for each of people by their choice. Errors: the store's.
  Status Tell(const Notice& notice, const std::vector<Recipient>& people, const std::string& skip_person,
              KvWrites& writes);

 private:
  std::string NameOfActor(const std::string& actor);

  EmailService& service_;
  RecipientDirectory& people_;
  EmailPreferences& preferences_;
  const UnsubscribeLinks& links_;
  runtime::DefinitionLookup definitions_;
  const Clock& clock_;
};

}  // namespace relais::email
