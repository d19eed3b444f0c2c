// DigestRunner: the daily digest. Each working day, from email.digest_hour
// (Europe/Paris), every person with notices waiting (digest_keys.h) gets one
// e-mail gathering them; a notice of a programme waits while the day is a
// day off for that programme (weekends, French public holidays when the
// programme keeps them, its closed days). One batch queues the digest e-mail
// (id NameUuid("email/digest/<person>/<date>"), so a repeat is the same
// message), removes the notices it gathers and records the day as sent for
// the person (email/digest-day/<person>): a crash loses nothing, and a
// person gets at most one digest a day. Notices arriving after that wait
// for the next working day.
//
// Thread-safety: RunDue from one thread at a time. Everything given must
// outlive it.
#pragma once

#include <functional>
#include <string>

#include "engine/calendar/civil_date.h"
#include "engine/email/recipients.h"
#include "engine/email/unsubscribe.h"
#include "engine/store/event_store.h"

namespace relais::email {

class EmailService;

class DigestRunner {
 public:
  // The working days of a programme ("" for notices outside any).
  using CalendarOf = std::function<calendar::WorkingCalendar(const std::string& programme)>;

  DigestRunner(EventStore& store, EmailService& service, RecipientDirectory& people, CalendarOf calendars)
      : store_(store), service_(service), people_(people), calendars_(std::move(calendars)) {}

  // Sends the digests due at now; returns how many were queued. A person
  // the directory no longer knows keeps their notices (logged). Errors: the
  // store's (the digests queued before it stay queued).
  StatusOr<size_t> RunDue(TimePoint now);

 private:
  StatusOr<bool> RunFor(const std::string& person, const calendar::CivilDate& today, TimePoint now);

  EventStore& store_;
  EmailService& service_;
  RecipientDirectory& people_;
  CalendarOf calendars_;
};

}  // namespace relais::email
