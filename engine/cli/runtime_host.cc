#include "engine/cli/runtime_host.h"

#include <cstdio>

#include "engine/runtime/late_sweep.h"

namespace relais::cli {
namespace {

notify::WebhookOptions WebhookOptionsFrom(const server::WebhooksConfig& c, Logger* log) {
  notify::WebhookOptions o;
  o.dispatcher.info_log = log;
  o.dispatcher.retry_schedule = c.retry_schedule;
  o.dispatcher.jitter_percent = c.retry_jitter_percent;
  o.dispatcher.max_concurrency_per_endpoint = c.max_concurrency_per_endpoint;
  o.dispatcher.disable_after = c.disable_after;
  o.dispatcher.max_sleep = c.max_sleep;
  o.connect_timeout = c.connect_timeout;
  o.total_timeout = c.total_timeout;
  o.secret_overlap = c.secret_overlap;
  o.allowed_ranges = c.allowed_ranges;
  o.ca_bundle = c.ca_bundle;
  o.public_base_url = c.public_base_url;
  o.max_programme_partners = c.max_programme_partners;
  return o;
}

}  // namespace

StatusOr<std::unique_ptr<RuntimeHost>> RuntimeHost::Open(const server::RelaisConfig& config, bool deploy_workflows,
                                                         Logger* log) {
  RocksDbStoreOptions options;
  options.path = config.data_dir;
  options.max_batch_events = config.store.max_batch_events;
  options.max_batch_bytes = config.store.max_batch_bytes;
  options.stream_cache_capacity = config.store.stream_cache_capacity;
  options.max_total_wal_bytes = config.store.max_total_wal_bytes;
  options.resume_interval = config.store.resume_interval;
  RELAIS_ASSIGN_OR_RETURN(auto store, RocksDbEventStore::Open(options));
  std::unique_ptr<RuntimeHost> host(new RuntimeHost(config, std::move(store)));
  host->log_ = log;
  RELAIS_RETURN_IF_ERROR(host->registry_->LoadPersisted().WithContext("reloading deployed workflows"));
  if (deploy_workflows)
    RELAIS_RETURN_IF_ERROR(host->registry_->DeployDirectory(config.workflows_dir).WithContext("deploying workflows"));
  RELAIS_RETURN_IF_ERROR(host->index_->Open().WithContext("opening the read model"));
  RELAIS_RETURN_IF_ERROR(host->index_->CatchUp().WithContext("bringing the read model up to date"));
  RELAIS_ASSIGN_OR_RETURN(host->webhooks_,
                          notify::WebhookService::Create(*host->store_, host->clock_, WebhookOptionsFrom(config.webhooks, log)));
  host->webhooks_->Attach(*host->projects_);
  host->programmes_->AddAppendHook(
      [webhooks = host->webhooks_.get()](const std::string& programme_id, const std::string& title,
                                         uint64_t first_version, const std::vector<NewEvent>& events,
                                         KvWrites& writes) {
        return webhooks->OnProgrammeAppend(programme_id, title, first_version, events, writes);
      });
  return host;
}

RuntimeHost::RuntimeHost(const server::RelaisConfig& config, std::unique_ptr<RocksDbEventStore> store)
    : config_(config), clock_(SystemClock::Instance()), store_(std::move(store)) {
  runtime::RuntimeOptions options;
  options.snapshot_every = config.runtime.snapshot_every;
  options.project_cache_capacity = config.runtime.project_cache_capacity;
  options.max_conflict_retries = config.runtime.max_conflict_retries;
  registry_ = std::make_unique<runtime::WorkflowRegistry>(*store_);
  projects_ = std::make_unique<runtime::ProjectService>(*store_, *registry_, clock_, options);
  runtime::TimerOptions timer_options;
  timer_options.fire_batch = config.runtime.timer_fire_batch;
  timer_options.routed_fire_threads = config.runtime.timer_fire_threads;
  timers_ = std::make_unique<runtime::TimerService>(*store_, *projects_, clock_, timer_options);
  programme::ProgrammeOptions programme_options;
  programme_options.reminder_days = static_cast<int>(config.programmes.reminder_days);
  programme_options.escalation_days = static_cast<int>(config.programmes.escalation_days);
  programme_options.term_reminder_days = static_cast<int>(config.programmes.term_reminder_days);
  programme_options.max_term_years = static_cast<int>(config.programmes.max_term_years);
  programme_options.public_url = config.programmes.public_url;
  programme_options.cache_capacity = config.programmes.cache_capacity;
  programmes_ = std::make_unique<programme::ProgrammeService>(*store_, clock_, programme_options);
  timers_->RouteFires(std::string(programme::kFiresPrefix),
                      [this](const std::vector<runtime::DueTimer>& due) { return programmes_->FireTimers(due); });
  runtime::IndexOptions index_options;
  index_options.page_events = config.runtime.index_page_events;
  index_options.persist_every_events = config.runtime.index_persist_every_events;
  index_ = std::make_unique<runtime::ProjectIndex>(*store_, projects_->definitions(), index_options);
}

RuntimeHost::~RuntimeHost() { StopBackground(); }

void RuntimeHost::StartBackground() {
  if (background_.joinable()) return;
  work_ = std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
      io_.get_executor());
  runtime::SchedulerOptions scheduling;
  scheduling.max_sleep = config_.runtime.timer_max_sleep;
  scheduling.commit_recheck = config_.runtime.timer_commit_recheck;
  scheduling.info_log = log_;
  scheduler_ = std::make_unique<runtime::TimerScheduler>(io_, *store_, *timers_, clock_, scheduling);
  index_follower_ = std::make_unique<runtime::CommitFollower>(boost::asio::make_strand(io_), *store_, [this] {
    if (Status s = index_->CatchUp(); !s.ok()) log_->Error("read model failed", {{"cause", s.ToString()}});
  });
  scheduler_->Start();
  index_follower_->Start();
  late_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
  boost::asio::post(io_, [this] { SweepLateThenWait(); });
  if (Status s = webhooks_->Start(); !s.ok()) log_->Error("webhooks failed", {{"cause", s.ToString()}});
  background_ = std::thread([this] { io_.run(); });
}

void RuntimeHost::SweepLateThenWait() {
  size_t recorded = 0;
  Status s = index_->CatchUp();
  if (s.ok()) s = runtime::SweepLate(*index_, *projects_, clock_.Now(), &recorded);
  if (!s.ok()) log_->Error("lateness failed", {{"cause", s.ToString()}});
  late_timer_->expires_after(config_.runtime.late_sweep_interval);
  late_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) SweepLateThenWait();
  });
}

void RuntimeHost::StopBackground() {
  if (!background_.joinable()) return;
  boost::asio::post(io_, [this] { late_timer_->cancel(); });
  webhooks_->Stop();
  scheduler_->Stop();
  index_follower_->Stop();
  work_.reset();
  io_.stop();
  background_.join();
  if (Status s = index_->Flush(); !s.ok()) log_->Error("read model failed", {{"cause", s.ToString()}});
}

}  // namespace relais::cli
