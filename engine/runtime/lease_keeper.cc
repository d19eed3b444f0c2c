#include "engine/runtime/lease_keeper.h"
#include "engine/util/thread_name.h"

#include <unistd.h>

#include <random>

namespace relais::runtime {

std::string NodeHolderName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::random_device random;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%06x", static_cast<unsigned>(random() & 0xffffff));
  return std::string(host[0] ? host : "node") + "/" + std::to_string(getpid()) + "/" + suffix;
}

LeaseKeeper::LeaseKeeper(EventStore& store, std::string lease, std::string holder, LeaseOptions options, Logger* log)
    : store_(store), lease_(std::move(lease)), holder_(std::move(holder)), options_(options), log_(*log) {}

LeaseKeeper::~LeaseKeeper() { Stop(); }

void LeaseKeeper::Start(ChangeHandler on_change) {
  if (thread_.joinable()) return;
  on_change_ = std::move(on_change);
  {
    std::lock_guard lock(mu_);
    stop_ = false;
  }
  Attempt();
  thread_ = std::thread([this] {
    SetThreadName("lease");
    Run();
  });
}

void LeaseKeeper::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  bool was_held;
  {
    std::lock_guard lock(mu_);
    was_held = held_;
    held_ = false;
  }
  if (was_held) {
    if (Status s = store_.ReleaseLease(lease_, holder_); !s.ok())
      log_.Warn("lease: giving it up failed; it expires on its own", {{"lease", lease_}, {"cause", s.ToString()}});
    if (on_change_) on_change_(false);
  }
}

bool LeaseKeeper::open() const {
  std::lock_guard lock(mu_);
  return held_ && Steady::now() < deadline_;
}

std::optional<Fence> LeaseKeeper::fence() const {
  std::lock_guard lock(mu_);
  return fence_;
}

void LeaseKeeper::Set(bool held, uint64_t token, Steady::time_point deadline) {
  bool lost = false, taken = false;
  {
    std::lock_guard lock(mu_);
    const bool new_token = held && (!fence_ || fence_->token != token);
    lost = held_ && (!held || new_token);
    taken = held && (!held_ || new_token);
    if (held) {
      fence_ = Fence{lease_, token};
      deadline_ = deadline;
    }
    held_ = held;
  }
  if (lost) {
    log_.Warn("lease: lost; this node's background work stops", {{"lease", lease_}, {"holder", holder_}});
    if (on_change_) on_change_(false);
  }
  if (taken) {
    log_.Info("lease: taken; this node runs the background work",
              {{"lease", lease_}, {"holder", holder_}, {"token", std::to_string(token)}});
    if (on_change_) on_change_(true);
  }
}

void LeaseKeeper::Attempt() {
  const Steady::time_point started = Steady::now();
  auto grant = store_.AcquireLease(lease_, holder_, options_.ttl);
  if (grant.ok()) {
    unreachable_logged_ = false;
    if (grant->held) return Set(true, grant->token, started + options_.ttl - options_.ttl / 10);
    return Set(false, 0, {});
  }
  if (!unreachable_logged_)
    log_.Warn("lease: the store cannot be reached; retrying",
              {{"lease", lease_}, {"cause", grant.status().ToString()}});
  unreachable_logged_ = true;
  // Still held until the deadline of the last renewal (open() says so on its own).
  bool expired;
  {
    std::lock_guard lock(mu_);
    expired = held_ && Steady::now() >= deadline_;
  }
  if (expired) Set(false, 0, {});
}

void LeaseKeeper::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    Steady::time_point next = Steady::now() + options_.renew_interval;
    if (held_ && deadline_ < next) next = deadline_;  // close the gate on time, with on_change
    wake_.wait_until(lock, next, [&] { return stop_; });
    if (stop_) break;
    lock.unlock();
    Attempt();
    lock.lock();
  }
}

}  // namespace relais::runtime
