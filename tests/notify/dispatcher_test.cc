// The dispatcher against the in-memory store, a ManualClock and a scripted
// channel: ordering per (endpoint, project), retries on the injected clock,
// dead letters and replay, 410 and failing-for-days disabling, a restart
// redelivering with the same webhook-id, the per-endpoint concurrency limit,
// an endpoint's disabling (a durable append) holding no other lane.
#include "engine/notify/dispatcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "engine/notify/webhook_keys.h"
#include "engine/notify/webhook_service.h"
#include "engine/store/forwarding_event_store.h"
#include "engine/store/memory_event_store.h"
#include "engine/util/time_format.h"
#include "engine/util/uuid.h"
#include "tests/notify/scripted_channel.h"
#include "tests/testing/status_matchers.h"

namespace relais::notify {
namespace {

using namespace std::chrono_literals;
using plugins::DeliveryOutcome;
using plugins::OutcomeKind;
using relais::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ScriptedChannel;

// Passes everything through to base, except appends to one stream, which
// wait in the appending thread until Release.
class HoldingStore final : public ForwardingEventStore {
 public:
  HoldingStore(EventStore& base, std::string stream) : ForwardingEventStore(base), stream_(std::move(stream)) {}
  ~HoldingStore() override { Release(); }

  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  size_t held() const {
    std::lock_guard lock(mu_);
    return held_;
  }

  void AppendAsync(AppendRequest request, AppendCallback done) override {
    if (request.stream_id == stream_) {
      std::unique_lock lock(mu_);
      ++held_;
      cv_.wait(lock, [&] { return released_; });
    }
    base_.AppendAsync(std::move(request), std::move(done));
  }

 private:
  const std::string stream_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  size_t held_ = 0;
};

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override { shared_ = std::make_shared<ScriptedChannel::Shared>(); }
  void TearDown() override {
    if (service_) service_->Stop();
  }

  void Open(WebhookOptions options = Options()) {
    if (service_) service_->Stop();
    service_.reset();
    auto shared = shared_;
    auto created = WebhookService::Create(
        *target_, clock_, std::move(options),
        [shared](boost::asio::io_context& io) -> StatusOr<std::unique_ptr<plugins::NotificationChannel>> {
          shared->io = &io;
          return std::unique_ptr<plugins::NotificationChannel>(std::make_unique<ScriptedChannel>(shared));
        });
    ASSERT_THAT(created, IsOk());
    service_ = std::move(*created);
  }
  static WebhookOptions Options() {
    WebhookOptions o;
    o.dispatcher.retry_schedule = {1s, 2s};
    o.dispatcher.jitter_percent = 0;
    o.dispatcher.max_sleep = 20ms;
    o.dispatcher.disable_after = 24h;
    return o;
  }

  std::string AddEndpoint(const std::string& partner, std::vector<std::string> types = {"*"}) {
    EndpointFields f;
    f.url = "http://127.0.0.1:9/hook";
    f.event_types = std::move(types);
    auto e = service_->endpoints().Create(partner, f);
    EXPECT_THAT(e, IsOk());
    return e->id;
  }

  // Appends n events to project (partner ccas), with their deliveries, as the ProjectService hook would.
  void Append(const std::string& project, int n, const std::string& type = "indicateur_enregistre") {
    runtime::ProjectInfo info;
    info.id = project;
    info.axis = "3";
    info.partners = {"ccas"};
    uint64_t version = *store_.StreamVersion("project-" + project);
    std::vector<NewEvent> events;
    for (int i = 0; i < n; ++i) {
      NewEvent e;
      e.event_id = NewUuid();
      e.type = type;
      e.data = {{"n", version + i + 1}};
      events.push_back(e);
    }
    KvWrites writes;
    service_->outbox().Add(info, info.partners, version + 1, events, writes);
    std::vector<std::string> suffixes;
    for (const auto& op : writes.ops)
      if (op.key.rfind(kQueuePrefix, 0) == 0) suffixes.push_back(op.key.substr(kQueuePrefix.size()));
    service_->dispatcher().Expect(suffixes);
    AppendRequest request;
    request.stream_id = "project-" + project;
    request.events = events;
    request.side_writes = writes;
    ASSERT_THAT(store_.Append(std::move(request)), IsOk());
  }

  // Waits (bounded) until pred holds over the recorded attempts.
  bool WaitFor(const std::function<bool(const ScriptedChannel::Shared&)>& pred) {
    std::unique_lock lock(shared_->mu);
    return shared_->changed.wait_for(lock, 10s, [&] { return pred(*shared_); });
  }
  bool WaitUntil(const std::function<bool()>& pred) {
    for (auto deadline = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < deadline;) {
      if (pred()) return true;
      std::this_thread::yield();
    }
    return pred();
  }
  std::vector<uint64_t> VersionsOf(const std::string& project) {
    std::lock_guard lock(shared_->mu);
    std::vector<uint64_t> out;
    for (const auto& a : shared_->attempts) {
      Json body = Json::parse(a.body);
      if (body["data"]["project"]["id"] == project) out.push_back(body["data"]["event"]["version"].get<uint64_t>());
    }
    return out;
  }
  size_t AttemptCount() {
    std::lock_guard lock(shared_->mu);
    return shared_->attempts.size();
  }

  MemoryEventStore store_;
  ManualClock clock_{FromMicros(1'700'000'000'000'000)};
  std::shared_ptr<ScriptedChannel::Shared> shared_;
  std::unique_ptr<HoldingStore> holding_;  // when set, target_
  EventStore* target_ = &store_;           // the store the service is given
  std::unique_ptr<WebhookService> service_;
};

TEST_F(DispatcherTest, DeliversEachProjectInOrderAndAFailingProjectHoldsOnlyItself) {
  Open();
  AddEndpoint("ccas");
  shared_->respond = [](const plugins::Delivery& d) {
    bool stuck = Json::parse(d.body)["data"]["project"]["id"] == "stuck";
    return std::optional<DeliveryOutcome>(stuck ? DeliveryOutcome{OutcomeKind::kRetry, 500}
                                                : DeliveryOutcome{OutcomeKind::kDelivered, 200});
  };
  ASSERT_THAT(service_->Start(), IsOk());
  Append("stuck", 3);
  Append("free", 5);
  ASSERT_TRUE(WaitUntil([&] { return VersionsOf("free").size() == 5 && VersionsOf("stuck").size() == 1; }));
  EXPECT_THAT(VersionsOf("free"), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_THAT(VersionsOf("stuck"), ElementsAre(1)) << "a later event waits for the earlier one";
  // The failed head waits for the schedule's first delay on the injected clock.
  const std::string endpoint = service_->endpoints().List("", "", 10)[0].id;
  // Outcomes are written in batches: wait until the failure is recorded.
  ASSERT_TRUE(WaitUntil([&] {
    auto p = service_->Pending(endpoint, "", 1);
    return p.ok() && !p->items.empty() && p->items[0]["attempts"] == 1;
  }));
  auto pending = service_->Pending(endpoint, "", 10);
  ASSERT_THAT(pending, IsOk());
  ASSERT_EQ(pending->items.size(), 3u);
  EXPECT_EQ(pending->items[0]["attempts"], 1);
  EXPECT_EQ(pending->items[0]["next_attempt_at"], FormatIso8601(clock_.Now() + 1s));
}

TEST_F(DispatcherTest, RetriesOnTheScheduleThenDeadLettersAndReplayDeliversTheSameId) {
  Open();
  const std::string endpoint = AddEndpoint("ccas");
  bool fail = true;
  shared_->respond = [&fail](const plugins::Delivery&) {
    return std::optional<DeliveryOutcome>(fail ? DeliveryOutcome{OutcomeKind::kRetry, 503, std::nullopt, {}, "down"}
                                               : DeliveryOutcome{OutcomeKind::kDelivered, 200});
  };
  ASSERT_THAT(service_->Start(), IsOk());
  Append("p", 2);
  // Each failure is recorded (its retry planned from the clock as it is)
  // before the clock moves on.
  auto recorded = [&](int attempts) {
    return WaitUntil([&] {
      auto p = service_->Pending(endpoint, "", 1);
      return p.ok() && !p->items.empty() && p->items[0]["attempts"] == attempts;
    });
  };
  ASSERT_TRUE(recorded(1));
  clock_.Advance(1s);
  service_->dispatcher().Wake();
  ASSERT_TRUE(recorded(2));
  clock_.Advance(2s);
  service_->dispatcher().Wake();
  // Third attempt fails: dead-lettered; the lane goes on with version 2.
  ASSERT_TRUE(WaitUntil([&] { return AttemptCount() == 4; }));
  EXPECT_THAT(VersionsOf("p"), ElementsAre(1, 1, 1, 2));
  // Outcomes are written behind the deliveries: wait until the dead letter is.
  ASSERT_TRUE(WaitUntil([&] {
    auto d = service_->DeadLetters(std::nullopt, "", 10);
    return d.ok() && d->items.size() == 1;
  }));
  auto dead = service_->DeadLetters(std::nullopt, "", 10);
  ASSERT_THAT(dead, IsOk());
  ASSERT_EQ(dead->items.size(), 1u);
  const std::string id = dead->items[0]["id"];
  EXPECT_EQ(dead->items[0]["attempts"], 3);
  EXPECT_EQ(dead->items[0]["last_status"], 503);
  auto attempts = service_->Attempts(id);
  ASSERT_THAT(attempts, IsOk());
  ASSERT_EQ(attempts->size(), 3u);
  EXPECT_EQ((*attempts)[2]["excerpt"], "down");

  {
    std::lock_guard lock(shared_->mu);
    fail = false;
  }
  auto replayed = service_->ReplaySince(clock_.Now() - 1h, std::nullopt);
  ASSERT_THAT(replayed, IsOk());
  EXPECT_EQ(*replayed, 1u);
  // Version 2 waits for its retry (1 s); the replayed version 1 goes back
  // ahead of it in the lane, so it is delivered first.
  clock_.Advance(1s);
  service_->dispatcher().Wake();
  ASSERT_TRUE(WaitUntil([&] { return AttemptCount() == 6; }));
  EXPECT_THAT(VersionsOf("p"), ElementsAre(1, 1, 1, 2, 1, 2));
  EXPECT_TRUE(service_->DeadLetters(std::nullopt, "", 10)->items.empty());
  std::lock_guard lock(shared_->mu);
  EXPECT_EQ(shared_->attempts.front().id, id);
  EXPECT_EQ(shared_->attempts[4].id, id) << "a replay carries the same webhook-id";
  EXPECT_EQ(shared_->attempts[4].body, shared_->attempts.front().body);
}

TEST_F(DispatcherTest, RetryAfterIsHonouredWhenLongerThanTheSchedule) {
  Open();
  const std::string endpoint = AddEndpoint("ccas");
  shared_->respond = [](const plugins::Delivery&) {
    return std::optional<DeliveryOutcome>(DeliveryOutcome{OutcomeKind::kRetry, 429, std::chrono::seconds(60)});
  };
  ASSERT_THAT(service_->Start(), IsOk());
  Append("p", 1);
  ASSERT_TRUE(WaitUntil([&] {
    auto p = service_->Pending(endpoint, "", 1);
    return p.ok() && !p->items.empty() && p->items[0]["attempts"] == 1;
  }));
  auto pending = service_->Pending(endpoint, "", 1);
  EXPECT_EQ(pending->items[0]["next_attempt_at"], FormatIso8601(clock_.Now() + 60s));
}

TEST_F(DispatcherTest, GoneDisablesTheEndpointKeepsTheDeliveryAndRecordsAnEvent) {
  Open();
  const std::string endpoint = AddEndpoint("ccas");
  shared_->respond = [](const plugins::Delivery&) {
    return std::optional<DeliveryOutcome>(DeliveryOutcome{OutcomeKind::kGone, 410});
  };
  ASSERT_THAT(service_->Start(), IsOk());
  Append("p", 2);
  ASSERT_TRUE(WaitUntil([&] {
    auto v = store_.StreamVersion(std::string(kWebhookSystemStream));
    return v.ok() && *v == 1;
  }));
  auto e = service_->endpoints().Get(endpoint);
  EXPECT_FALSE(e->active);
  EXPECT_THAT(e->disabled_reason, HasSubstr("410"));
  auto events = store_.ReadStream(std::string(kWebhookSystemStream), 1, 10);
  ASSERT_THAT(events, IsOk());
  EXPECT_EQ((*events)[0].type, kEndpointDisabled);
  EXPECT_EQ((*events)[0].Data()["endpoint"], endpoint);
  EXPECT_EQ(service_->Pending(endpoint, "", 10)->items.size(), 2u) << "nothing is lost while disabled";
  EXPECT_EQ(AttemptCount(), 1u);
}

TEST_F(DispatcherTest, ThePartnersOtherEndpointsAreToldWhenOneIsDisabled) {
  Open();
  const std::string gone = AddEndpoint("ccas", {"indicateur_*"});
  const std::string ops = AddEndpoint("ccas", {"webhook_endpoint_disabled"});
  AddEndpoint("mission-locale", {"*"});  // another partner hears nothing of it
  shared_->respond = [gone](const plugins::Delivery& d) {
    return std::optional<DeliveryOutcome>(d.endpoint_id == gone ? DeliveryOutcome{OutcomeKind::kGone, 410}
                                                                : DeliveryOutcome{OutcomeKind::kDelivered, 200});
  };
  ASSERT_THAT(service_->Start(), IsOk());
  Append("p", 1);
  ASSERT_TRUE(WaitFor([&](const ScriptedChannel::Shared& s) {
    return std::any_of(s.attempts.begin(), s.attempts.end(), [&](const auto& a) { return a.endpoint_id == ops; });
  }));
  std::lock_guard lock(shared_->mu);
  ASSERT_EQ(shared_->attempts.size(), 2u) << "the 410, then the notice to the partner's other endpoint only";
  const plugins::Delivery& notice = shared_->attempts[1];
  Json body = Json::parse(notice.body);
  EXPECT_EQ(body["type"], kEndpointDisabled);
  EXPECT_EQ(body["data"]["partner"]["id"], "ccas");
  EXPECT_EQ(body["data"]["event"]["data"]["endpoint"], gone);
  EXPECT_THAT(body["data"]["event"]["data"]["reason"].get<std::string>(), HasSubstr("410"));
}

TEST_F(DispatcherTest, DisablingAnEndpointHoldsNoOtherLaneWhileItsNoticeIsWritten) {
  holding_ = std::make_unique<HoldingStore>(store_, std::string(kWebhookSystemStream));
  target_ = holding_.get();
  Open();
  const std::string gone = AddEndpoint("ccas", {"indicateur_*"});
  const std::string ok = AddEndpoint("ccas", {"indicateur_*"});
  shared_->respond = [gone](const plugins::Delivery& d) {
    return std::optional<DeliveryOutcome>(d.endpoint_id == gone ? DeliveryOutcome{OutcomeKind::kGone, 410}
                                                                : DeliveryOutcome{OutcomeKind::kDelivered, 200});
  };
  auto attempts_to = [&](const std::string& endpoint) {
    std::lock_guard lock(shared_->mu);
    return std::count_if(shared_->attempts.begin(), shared_->attempts.end(),
                         [&](const auto& a) { return a.endpoint_id == endpoint; });
  };
  ASSERT_THAT(service_->Start(), IsOk());
  Append("p", 1);
  // The 410 made the disabling's append start, and it is held.
  ASSERT_TRUE(WaitUntil([&] { return holding_->held() == 1; }));
  Append("q", 3);
  EXPECT_TRUE(WaitUntil([&] { return attempts_to(ok) == 4; }))
      << "the other endpoint's lanes go on while the notice waits for the disk";
  EXPECT_EQ(attempts_to(gone), 1) << "an endpoint being disabled gets no further attempt";
  holding_->Release();
  ASSERT_TRUE(WaitUntil([&] {
    auto v = store_.StreamVersion(std::string(kWebhookSystemStream));
    return v.ok() && *v == 1;
  }));
  EXPECT_FALSE(service_->endpoints().Get(gone)->active);
  // Disabled in the registry before its notice was written, it had no
  // delivery of q queued; that of p stays.
  EXPECT_EQ(service_->Pending(gone, "", 10)->items.size(), 1u) << "its delivery stays queued";
  EXPECT_EQ(attempts_to(gone), 1);
}

TEST_F(DispatcherTest, AnEndpointFailingLongerThanDisableAfterIsDisabled) {
  WebhookOptions o = Options();
  o.dispatcher.retry_schedule = {1h, 1h, 1h, 1h};
  o.dispatcher.disable_after = 2h;
  Open(o);
  const std::string endpoint = AddEndpoint("ccas");
  shared_->respond = [](const plugins::Delivery&) {
    return std::optional<DeliveryOutcome>(DeliveryOutcome{OutcomeKind::kRetry, 500});
  };
  ASSERT_THAT(service_->Start(), IsOk());
  Append("p", 1);
  for (size_t n = 1; n <= 2; ++n) {
    ASSERT_TRUE(WaitUntil([&] { return AttemptCount() == n; }));
    // The outcome is recorded (its retry planned from the clock as it is
    // now) before the clock moves: otherwise the retry lands an hour later.
    ASSERT_TRUE(WaitUntil([&] {
      auto pending = service_->Pending(endpoint, "", 10);
      return pending.ok() && pending->items.size() == 1 && pending->items[0].value("attempts", 0u) == n;
    }));
    EXPECT_TRUE(service_->endpoints().Get(endpoint)->active);
    clock_.Advance(1h);
    service_->dispatcher().Wake();
  }
  ASSERT_TRUE(WaitUntil([&] { return !service_->endpoints().Get(endpoint)->active; }));
  EXPECT_EQ(AttemptCount(), 3u);
  EXPECT_THAT(service_->endpoints().Get(endpoint)->disabled_reason, HasSubstr("no successful delivery since"));
}

TEST_F(DispatcherTest, ARestartRedeliversWhatWasInFlightWithTheSameId) {
  Open();
  AddEndpoint("ccas");
  shared_->respond = [](const plugins::Delivery&) { return std::optional<DeliveryOutcome>(); };  // never answers
  ASSERT_THAT(service_->Start(), IsOk());
  Append("p", 2);
  ASSERT_TRUE(WaitUntil([&] { return AttemptCount() == 1; }));
  std::string first_id;
  {
    std::lock_guard lock(shared_->mu);
    first_id = shared_->attempts[0].id;
    shared_->held.clear();
    shared_->respond = [](const plugins::Delivery&) {
      return std::optional<DeliveryOutcome>(DeliveryOutcome{OutcomeKind::kDelivered, 200});
    };
  }
  Open();  // a new process over the same store: endpoints and queue are reloaded
  ASSERT_THAT(service_->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return AttemptCount() == 3; }));
  std::lock_guard lock(shared_->mu);
  EXPECT_EQ(shared_->attempts[1].id, first_id);
  EXPECT_NE(shared_->attempts[2].id, first_id);
}

TEST_F(DispatcherTest, AtMostTheConcurrencyLimitIsInFlightPerEndpoint) {
  WebhookOptions o = Options();
  o.dispatcher.max_concurrency_per_endpoint = 2;
  Open(o);
  AddEndpoint("ccas");
  shared_->respond = [](const plugins::Delivery&) { return std::optional<DeliveryOutcome>(); };
  ASSERT_THAT(service_->Start(), IsOk());
  for (int p = 0; p < 5; ++p) Append("p" + std::to_string(p), 1);
  ASSERT_TRUE(WaitFor([](const auto& s) { return s.held.size() == 2; }));
  // Releasing one lets exactly one more start.
  ScriptedChannel::Done done;
  {
    std::lock_guard lock(shared_->mu);
    done = std::move(shared_->held.front());
    shared_->held.erase(shared_->held.begin());
  }
  // Outcomes arrive on the dispatcher's thread, as a real channel's do.
  boost::asio::post(*shared_->io, [done] { done(DeliveryOutcome{OutcomeKind::kDelivered, 200}); });
  ASSERT_TRUE(WaitFor([](const auto& s) { return s.attempts.size() == 3; }));
  std::lock_guard lock(shared_->mu);
  EXPECT_EQ(shared_->max_in_flight, 2u);
}

TEST_F(DispatcherTest, OnlyMatchingTypesProjectsAndPartnersAreQueued) {
  Open();
  const std::string phases = AddEndpoint("ccas", {"phase_*"});
  const std::string other_partner = AddEndpoint("anpe");
  EndpointFields only_q;
  only_q.url = "http://127.0.0.1:9/q";
  only_q.projects = std::vector<std::string>{"q"};
  auto filtered = service_->endpoints().Create("ccas", only_q);
  ASSERT_THAT(filtered, IsOk());
  Append("p", 1, "phase_started");
  Append("p", 1, "indicateur_enregistre");
  EXPECT_EQ(service_->Pending(phases, "", 10)->items.size(), 1u);
  EXPECT_EQ(service_->Pending(other_partner, "", 10)->items.size(), 0u);
  EXPECT_EQ(service_->Pending(filtered->id, "", 10)->items.size(), 0u);
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("phase_*_done", "phase_etude_done"));
  EXPECT_FALSE(GlobMatch("phase_*", "project_created"));
}

}  // namespace
}  // namespace relais::notify
