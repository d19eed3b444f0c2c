// RuntimeHost: the composition root. Opens the store named by the
// configuration, reloads and deploys workflows, and builds the services on
// top: projects, timers, the read model, programmes (whose milestone timers
// the TimerService routes to them). StartBackground() runs the timer
// scheduler and the read-model follower on a background I/O thread. The
// background work (timers, webhook and e-mail dispatch, the lateness sweep,
// spawns) runs while this node holds the store's "background" lease
// (runtime/lease_keeper.h): always on a lone node, on one node of a cluster.
//
// Thread-safety: build, start and stop from one thread; the services
// themselves are thread-safe.
#pragma once

#include "engine/util/log.h"

#include <memory>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/accounts/account_service.h"
#include "engine/cli/account_mailer.h"
#include "engine/cli/account_people.h"
#include "engine/cli/people_recipients.h"
#include "engine/cli/relais_config.h"
#include "engine/email/email_service.h"
#include "engine/notify/webhook_service.h"
#include "engine/programme/programme_service.h"
#include "engine/runtime/commit_follower.h"
#include "engine/runtime/lease_keeper.h"
#include "engine/runtime/project_index.h"
#include "engine/runtime/project_service.h"
#include "engine/runtime/spawner.h"
#include "engine/runtime/timer_scheduler.h"
#include "engine/runtime/timer_service.h"
#include "engine/runtime/workflow_registry.h"
#include "engine/store/rocksdb_event_store.h"

namespace relais::cli {

// The store lease under which a node runs the background work.
inline constexpr std::string_view kBackgroundLease = "background";

// The store a configuration names (store.engine), opened. rocksdb (when
// given) is set to it when it is the embedded one, else null. Errors: the
// store's open errors.
StatusOr<std::unique_ptr<EventStore>> OpenConfiguredStore(const RelaisConfig& config, Logger* log = &NullLogger(),
                                                          RocksDbEventStore** rocksdb = nullptr);

class RuntimeHost {
 public:
  // Opens everything; deploys config.workflows_dir when deploy_workflows.
  // Errors: the store's open errors; kInvalidArgument for a workflow file
  // with errors (every diagnostic listed); may return some other Status.
  // log receives what the units report (the store, the dispatcher, the timers); it must outlive the host.
  static StatusOr<std::unique_ptr<RuntimeHost>> Open(const RelaisConfig& config, bool deploy_workflows,
                                                     Logger* log = &NullLogger());
  ~RuntimeHost();

  // Timers and the read model follow the store from now on.
  void StartBackground();
  // Stops background work; the store stays open until destruction.
  void StopBackground();

  EventStore& store() { return *store_; }
  // The embedded store, or null when the store is PostgreSQL.
  RocksDbEventStore* rocksdb() { return rocksdb_; }
  runtime::WorkflowRegistry& registry() { return *registry_; }
  runtime::ProjectService& projects() { return *projects_; }
  runtime::TimerService& timers() { return *timers_; }
  runtime::ProjectIndex& index() { return *index_; }
  programme::ProgrammeService& programmes() { return *programmes_; }
  notify::WebhookService& webhooks() { return *webhooks_; }
  email::EmailService& email() { return *email_; }
  accounts::AccountService& accounts() { return *accounts_; }
  const Clock& clock() const { return clock_; }
  uint64_t timers_fired() const { return scheduler_ ? scheduler_->fired() : 0; }
  // The background lease's keeper; null when runtime.background_work is off.
  const runtime::LeaseKeeper* lease() const { return lease_.get(); }

 private:
  RuntimeHost(const RelaisConfig& config, std::unique_ptr<EventStore> store, RocksDbEventStore* rocksdb);

  const RelaisConfig config_;
  Logger* log_ = &NullLogger();
  const Clock& clock_;
  std::unique_ptr<EventStore> store_;
  RocksDbEventStore* rocksdb_ = nullptr;         // store_, when it is the embedded one
  std::unique_ptr<runtime::LeaseKeeper> lease_;  // when runtime.background_work
  std::unique_ptr<runtime::WorkflowRegistry> registry_;
  std::unique_ptr<runtime::ProjectService> projects_;
  std::unique_ptr<runtime::TimerService> timers_;
  std::unique_ptr<runtime::ProjectIndex> index_;
  std::unique_ptr<programme::ProgrammeService> programmes_;
  std::unique_ptr<notify::WebhookService> webhooks_;  // its hook is on projects_; delivers in the background
  std::unique_ptr<email::EmailService> email_;        // idem, when email.smtp_url is set
  std::unique_ptr<PeopleRecipients> recipients_;      // whom e-mail reaches (the people directory)
  std::unique_ptr<AccountMailer> account_mailer_;     // invitations and sign-in links through email_
  std::unique_ptr<AccountPeople> account_people_;     // an accepted invitation registers its person
  std::unique_ptr<accounts::AccountService> accounts_;

  boost::asio::io_context io_;  // the read model, the lateness sweep, spawns
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  // The timers on a thread of their own: a burst never waits behind the read
  // model's catch-up or a sweep (at start they all have work), nor they
  // behind a burst.
  boost::asio::io_context timer_io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> timer_work_;
  std::thread timer_thread_;
  std::unique_ptr<runtime::TimerScheduler> scheduler_;
  std::unique_ptr<runtime::CommitFollower> index_follower_;
  std::unique_ptr<boost::asio::steady_timer> late_timer_;
  std::unique_ptr<runtime::Spawner> spawner_;
  std::unique_ptr<boost::asio::steady_timer> spawn_timer_;
  std::unique_ptr<boost::asio::steady_timer> follow_timer_;  // a shared store only
  // After store.postgres.catch_up_interval_ms, reloads the webhook
  // endpoints and the current workflow versions (made on other nodes too),
  // and again after each interval.
  void FollowOtherNodesLater();
  // Creates the spawned projects queued (runtime/spawner.h); while some are
  // left (failed), again after runtime.spawn_retry_interval.
  void RunSpawns();
  // Records the late events due now (runtime/late_sweep.h), then again after
  // runtime.late_sweep_interval.
  void SweepLateThenWait();
  std::thread background_;
};

}  // namespace relais::cli
