#include "engine/cli/runtime_host.h"

#include <cstdio>

#include "engine/runtime/late_sweep.h"
#include "engine/store/postgres_event_store.h"
#include "engine/util/thread_name.h"

namespace relais::cli {

namespace {

// rescan: on a shared store, how often commits may lead to a rescan of the
// queue for the entries other nodes queued (DispatcherOptions); else 0.
notify::WebhookOptions WebhookOptionsWith(notify::WebhookOptions options, Logger* log, const WorkGate* gate,
                                          std::chrono::milliseconds rescan) {
  options.dispatcher.info_log = log;
  options.dispatcher.gate = gate;
  options.dispatcher.rescan_after_commits = rescan;
  return options;
}

email::EmailOptions EmailOptionsWith(email::EmailOptions options, const notify::WebhookOptions& webhooks, Logger* log,
                                     const WorkGate* gate, std::chrono::milliseconds rescan) {
  options.dispatcher.info_log = log;
  options.dispatcher.gate = gate;
  options.dispatcher.rescan_after_commits = rescan;
  if (options.public_base_url.empty()) options.public_base_url = webhooks.public_base_url;
  return options;
}

// The store reports its failures and recoveries (and RocksDB's warnings,
// forwarded only once the database has opened) to log.
RocksDbStoreOptions StoreOptionsWith(RocksDbStoreOptions options, Logger* log) {
  options.info_log = log;
  return options;
}

}  // namespace

StatusOr<std::unique_ptr<EventStore>> OpenConfiguredStore(const RelaisConfig& config, Logger* log,
                                                          RocksDbEventStore** rocksdb) {
  if (rocksdb) *rocksdb = nullptr;
  if (config.store_engine.engine == StoreEngineOptions::Engine::kPostgres) {
    PostgresStoreOptions pg;
    pg.conninfo = config.store_engine.postgres_conninfo;
    pg.read_connections = config.store_engine.postgres_read_connections;
    pg.catch_up_interval = config.store_engine.postgres_catch_up_interval;
    pg.recent_events = config.store_engine.postgres_recent_events;
    pg.notify_events_bytes = config.store_engine.postgres_notify_events_bytes;
    pg.stream_versions = config.store_engine.postgres_stream_versions;
    pg.max_batch_events = config.store.max_batch_events;
    pg.max_batch_bytes = config.store.max_batch_bytes;
    pg.limits = config.store.limits;
    RELAIS_ASSIGN_OR_RETURN(auto opened, PostgresEventStore::Open(pg));
    return std::unique_ptr<EventStore>(std::move(opened));
  }
  RELAIS_ASSIGN_OR_RETURN(auto opened, RocksDbEventStore::Open(StoreOptionsWith(config.store, log)));
  if (rocksdb) *rocksdb = opened.get();
  return std::unique_ptr<EventStore>(std::move(opened));
}

StatusOr<std::unique_ptr<RuntimeHost>> RuntimeHost::Open(const RelaisConfig& config, bool deploy_workflows,
                                                         Logger* log) {
  RocksDbEventStore* rocksdb = nullptr;
  RELAIS_ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store, OpenConfiguredStore(config, log, &rocksdb));
  std::unique_ptr<RuntimeHost> host(new RuntimeHost(config, std::move(store), rocksdb));
  host->log_ = log;
  RELAIS_RETURN_IF_ERROR(host->registry_->LoadPersisted().WithContext("reloading deployed workflows"));
  if (deploy_workflows)
    RELAIS_RETURN_IF_ERROR(host->registry_->DeployDirectory(config.workflows_dir).WithContext("deploying workflows"));
  // Commits of other nodes (a shared PostgreSQL store) reach the caches
  // through the read model's catch-up: an older cached project is dropped, a
  // cached programme caught up at its next read, accounts reloaded. The
  // embedded store has one writer, whose caches are exact: no hook.
  if (!host->rocksdb_)
    host->index_->OnFolded([h = host.get()](const RecordedEvent& e) {
      const std::string_view stream = e.stream_id;
      if (stream.starts_with(runtime::kProjectStreamPrefix))
        h->projects_->NoteStored(e.stream_id.substr(runtime::kProjectStreamPrefix.size()), e.version);
      else if (stream.starts_with(programme::kStreamPrefix))
        h->programmes_->NoteStored(e.stream_id.substr(programme::kStreamPrefix.size()), e.version);
      else if (stream == accounts::kAuditStream && h->accounts_)
        h->accounts_->NoteAudit(e.version);
    });
  RELAIS_RETURN_IF_ERROR(host->index_->Open().WithContext("opening the read model"));
  RELAIS_RETURN_IF_ERROR(host->index_->CatchUp().WithContext("bringing the read model up to date"));
  // On a shared store, other nodes queue deliveries too: the dispatchers
  // look for them after commits, at most once per catch-up interval.
  const std::chrono::milliseconds rescan_after_commits{host->rocksdb_ ? std::chrono::milliseconds(0)
                                                                      : config.store_engine.postgres_catch_up_interval};
  // The background work runs on the one node holding the store's lease.
  if (config.runtime.background_work)
    host->lease_ = std::make_unique<runtime::LeaseKeeper>(*host->store_, std::string(kBackgroundLease),
                                                          runtime::NodeHolderName(), config.runtime.lease, log);
  RELAIS_ASSIGN_OR_RETURN(host->webhooks_,
                          notify::WebhookService::Create(
                              *host->store_, host->clock_,
                              WebhookOptionsWith(config.webhooks, log, host->lease_.get(), rescan_after_commits)));
  host->webhooks_->Attach(*host->projects_);
  host->spawner_ = std::make_unique<runtime::Spawner>(*host->store_, *host->projects_, log, config.runtime.spawn);
  host->webhooks_->Attach(*host->programmes_);
  RELAIS_ASSIGN_OR_RETURN(
      host->email_, email::EmailService::Create(*host->store_, host->clock_,
                                                EmailOptionsWith(config.email, config.webhooks, log, host->lease_.get(),
                                                                 rescan_after_commits)));
  host->recipients_ = std::make_unique<PeopleRecipients>(*host->store_);
  host->email_->Attach(*host->projects_, *host->programmes_, *host->recipients_);
  // Without an SMTP relay, accounts have no mailer: invitations answer with
  // their link and sign-in links are refused (docs/accounts.md).
  if (host->email_->enabled()) host->account_mailer_ = std::make_unique<AccountMailer>(*host->email_);
  RELAIS_ASSIGN_OR_RETURN(host->accounts_, accounts::AccountService::Open(*host->store_, host->clock_, config.accounts,
                                                                          host->account_mailer_.get()));
  if (!host->rocksdb_) host->accounts_->FollowOtherNodes();
  host->account_people_ = std::make_unique<AccountPeople>(*host->store_);
  host->account_people_->Attach(*host->accounts_);
  return host;
}

RuntimeHost::RuntimeHost(const RelaisConfig& config, std::unique_ptr<EventStore> store, RocksDbEventStore* rocksdb)
    : config_(config), clock_(SystemClock::Instance()), store_(std::move(store)), rocksdb_(rocksdb) {
  registry_ = std::make_unique<runtime::WorkflowRegistry>(*store_);
  projects_ = std::make_unique<runtime::ProjectService>(*store_, *registry_, clock_, config.runtime.projects);
  timers_ = std::make_unique<runtime::TimerService>(*store_, *projects_, clock_, config.runtime.timers);
  programmes_ = std::make_unique<programme::ProgrammeService>(*store_, clock_, config.programmes);
  timers_->RouteFires(std::string(programme::kFiresPrefix),
                      [this](const std::vector<runtime::DueTimer>& due) { return programmes_->FireTimers(due); });
  index_ = std::make_unique<runtime::ProjectIndex>(*store_, projects_->definitions(), config.runtime.index);
  projects_->OnSpawnQueued([this] {
    if (spawn_timer_) boost::asio::post(io_, [this] { RunSpawns(); });
  });
}

RuntimeHost::~RuntimeHost() { StopBackground(); }

void RuntimeHost::StartBackground() {
  if (background_.joinable()) return;
  work_ =
      std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(io_.get_executor());
  runtime::SchedulerOptions scheduling = config_.runtime.scheduler;
  scheduling.info_log = log_;
  scheduling.gate = lease_.get();
  timer_work_ = std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
      timer_io_.get_executor());
  scheduler_ = std::make_unique<runtime::TimerScheduler>(timer_io_, *store_, *timers_, clock_, scheduling);
  index_follower_ = std::make_unique<runtime::CommitFollower>(boost::asio::make_strand(io_), *store_, [this] {
    if (Status s = index_->CatchUp(); !s.ok()) log_->Error("read model failed", {{"cause", s.ToString()}});
  });
  index_follower_->Start();
  // A shared (PostgreSQL) store: webhook endpoints and workflow versions
  // deployed on another node reach this one within the catch-up interval.
  if (!rocksdb_) {
    follow_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
    boost::asio::post(io_, [this] { FollowOtherNodesLater(); });  // Open has just loaded both
  }
  // The read model follows the log on every node; the rest runs where
  // runtime.background_work says (one node of a cluster, docs/deploy.md).
  if (config_.runtime.background_work) {
    scheduler_->Start();
    late_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
    boost::asio::post(io_, [this] { SweepLateThenWait(); });
    spawn_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
    boost::asio::post(io_, [this] { RunSpawns(); });
    if (Status s = webhooks_->Start(); !s.ok()) log_->Error("webhooks failed", {{"cause", s.ToString()}});
    if (Status s = email_->Start(); !s.ok()) log_->Error("e-mail failed", {{"cause", s.ToString()}});
  }
  timer_thread_ = std::thread([this] {
    SetThreadName("timers");
    timer_io_.run();
  });
  background_ = std::thread([this] {
    SetThreadName("background");
    io_.run();
  });
  if (lease_)
    lease_->Start([this](bool held) {
      if (!held) return;  // each unit looks at the gate before each piece of work
      scheduler_->Wake();
      webhooks_->dispatcher().Wake();
      if (email_->enabled()) email_->Wake();
      boost::asio::post(io_, [this] { RunSpawns(); });
    });
}

void RuntimeHost::SweepLateThenWait() {
  size_t recorded = 0;
  if (GateOpen(lease_.get())) {
    Status s = index_->CatchUp();
    if (s.ok()) s = runtime::SweepLate(*index_, *projects_, clock_.Now(), &recorded);
    if (!s.ok()) log_->Error("lateness failed", {{"cause", s.ToString()}});
  }
  late_timer_->expires_after(config_.runtime.late_sweep.interval);
  late_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) SweepLateThenWait();
  });
}

void RuntimeHost::FollowOtherNodesLater() {
  follow_timer_->expires_after(config_.store_engine.postgres_catch_up_interval);
  follow_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (Status s = webhooks_->endpoints().Load(); !s.ok())
      log_->Error("reloading webhook endpoints failed", {{"cause", s.ToString()}});
    if (Status s = registry_->Refresh(); !s.ok())
      log_->Error("reloading deployed workflows failed", {{"cause", s.ToString()}});
    FollowOtherNodesLater();
  });
}

void RuntimeHost::RunSpawns() {
  size_t created = 0, left = 0;
  Status s = Status::Ok();
  const bool open = GateOpen(lease_.get());
  if (open) s = spawner_->RunPending(&created, &left);
  if (!s.ok()) log_->Error("spawning failed", {{"cause", s.ToString()}});
  // Another node of a shared store may queue spawns: it is looked at again.
  if (open && s.ok() && left == 0 && rocksdb_) return;
  spawn_timer_->expires_after(spawner_->options().retry_interval);
  spawn_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) RunSpawns();
  });
}

void RuntimeHost::StopBackground() {
  if (!background_.joinable()) return;
  if (lease_) lease_->Stop();  // given up first: another node may take over at once
  if (config_.runtime.background_work) {
    boost::asio::post(io_, [this] {
      late_timer_->cancel();
      spawn_timer_->cancel();
    });
    webhooks_->Stop();
    email_->Stop();
    scheduler_->Stop();
  }
  if (follow_timer_) boost::asio::post(io_, [this] { follow_timer_->cancel(); });
  index_follower_->Stop();
  timer_work_.reset();
  timer_io_.stop();
  timer_thread_.join();
  work_.reset();
  io_.stop();
  background_.join();
  if (Status s = index_->Flush(); !s.ok()) log_->Error("read model failed", {{"cause", s.ToString()}});
}

}  // namespace relais::cli
