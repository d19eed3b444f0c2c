// EmailService: e-mail as one unit for the composition root, the API and
// other units (accounts' invitations and sign-in links): the outbox
// (EmailOutbox, entries under email/q/ written in the caller's batch), the
// dispatcher (engine/notify, the same as webhooks': retries, dead letters)
// with its SmtpChannel (plugins/email), and the read side with replay
// (QueueAdmin over email/). See docs/email.md.
//
// Guarantee: at least once. A message queued in a committed batch is handed
// to the relay, or dead-lettered after its last retry (or a 5xx refusal);
// after a crash it may be sent again, with the same Message-ID.
//
// Thread-safety: Create/Start/Stop from one thread; everything else is safe
// from any thread. *store and *clock must outlive the service.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/email/digest.h"
#include "engine/email/email_notifier.h"
#include "engine/email/email_options.h"
#include "engine/email/email_outbox.h"
#include "engine/email/preferences.h"
#include "engine/email/recipients.h"
#include "engine/email/review_invitations.h"
#include "engine/email/smtp_targets.h"
#include "engine/email/unsubscribe.h"
#include "engine/notify/dispatcher.h"
#include "engine/notify/queue_admin.h"
#include "engine/programme/programme_service.h"
#include "engine/runtime/project_service.h"

namespace relais::email {

class EmailService {
 public:
  // channel: how messages leave (null: the SmtpChannel on options.smtp_url;
  // tests may pass another). Reads (or makes) the unsubscribe secret.
  // Errors: kInvalidArgument (tls mode, from address); kNotFound
  // (password_file); the store's.
  static StatusOr<std::unique_ptr<EmailService>> Create(EventStore& store, const Clock& clock, EmailOptions options,
                                                        notify::Dispatcher::ChannelFactory channel = nullptr);
  ~EmailService();

  // Tells people of projects' and programmes' events (EmailNotifier) and
  // sends élus' reviews as calendar invitations (ReviewInvitations), in the
  // events' batch, and sends the daily digests (DigestRunner, every
  // digest_check_interval once started). REQUIRES: before any command or
  // change runs; once.
  void Attach(runtime::ProjectService& projects, programme::ProgrammeService& programmes, RecipientDirectory& people);

  // Starts delivering what is queued, and the digests when attached (none
  // when e-mail is off). Errors: the channel's.
  Status Start();
  void Stop();

  bool enabled() const { return options_.enabled(); }
  const EmailOptions& options() const { return options_; }

  // The transactional API (one message to one person, e.g. an invitation):
  // adds the message's queue entry to writes, to commit in the same batch as
  // the caller's own changes (store.KvWrite or an append's side writes);
  // returns the delivery id (email.id). Once the batch commits the message
  // is sent at least once. A message with an id already queued is replaced
  // by the new one (same id, same Message-ID). An append carrying writes
  // wakes the dispatcher by itself; after store.KvWrite(writes), call
  // Wake() so it is sent at once (else within email.max_sleep_ms).
  // Errors: kFailedPrecondition when e-mail is off (no email.smtp_url);
  // kInvalidArgument (EmailOutbox::Queue).
  StatusOr<std::string> EnqueueMessage(const OutgoingEmail& email, KvWrites& writes);
  // EnqueueMessage in a batch of its own, written durably (synced) before
  // it returns, then Wake(). Errors: as EnqueueMessage; the store's.
  StatusOr<std::string> SendMessage(const OutgoingEmail& email);
  // Tells the dispatcher that messages were committed by a KvWrite.
  void Wake() { dispatcher_->Wake(); }

  // Queues the digests due at now (DigestRunner::RunDue); 0 before Attach.
  StatusOr<size_t> RunDigests(TimePoint now);

  // The read side: messages waiting, attempts, dead letters; replay.
  notify::QueueAdmin& admin() { return *admin_; }
  notify::Dispatcher& dispatcher() { return *dispatcher_; }
  EmailPreferences& preferences() { return preferences_; }
  EventStore& store() { return store_; }
  const UnsubscribeLinks& unsubscribe_links() const { return *links_; }

 private:
  EmailService(EventStore& store, const Clock& clock, EmailOptions options);

  EventStore& store_;
  const Clock& clock_;
  const EmailOptions options_;
  EmailOutbox outbox_;
  SmtpTargets targets_;
  EmailPreferences preferences_;
  std::optional<UnsubscribeLinks> links_;
  std::unique_ptr<EmailNotifier> notifier_;
  std::unique_ptr<ReviewInvitations> invitations_;
  std::unique_ptr<DigestRunner> digests_;
  std::mutex digest_mu_;  // one RunDue at a time
  // The digest thread: wakes every digest_check_interval until Stop.
  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread digest_thread_;
  std::unique_ptr<notify::Dispatcher> dispatcher_;
  std::unique_ptr<notify::QueueAdmin> admin_;
};

}  // namespace relais::email
