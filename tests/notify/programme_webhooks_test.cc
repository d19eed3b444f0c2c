// A programme's events reach partners through the same outbox as project
// events: assigning an élu schedules reviews (milestone_scheduled), and the
// endpoints of the partners named by the programme's projects receive them
// when their type patterns and axis filters admit them. Real services over
// RocksDB on disk; the channel is scripted (the HTTP client has its own
// end-to-end tests in tests/webhooks).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "engine/notify/webhook_keys.h"
#include "engine/notify/webhook_service.h"
#include "engine/programme/programme_service.h"
#include "tests/notify/scripted_channel.h"
#include "tests/programme/programme_fixture.h"
#include "tests/runtime/runtime_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace relais::notify {
namespace {

using namespace std::chrono_literals;
using relais::testing::IsOk;
using testing::ScriptedChannel;

class ProgrammeWebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = programme::testing::OpenRocks(dir_.Sub("store"), clock_);
    ASSERT_NE(store_, nullptr);
    runtime_ = std::make_unique<runtime::testing::Runtime>(*store_, clock_);
    programmes_ = std::make_unique<programme::ProgrammeService>(*store_, clock_);
    shared_ = std::make_shared<ScriptedChannel::Shared>();
    WebhookOptions options;
    options.dispatcher.max_sleep = 20ms;
    auto shared = shared_;
    auto created = WebhookService::Create(
        *store_, clock_, options,
        [shared](boost::asio::io_context&) -> StatusOr<std::unique_ptr<plugins::NotificationChannel>> {
          return std::unique_ptr<plugins::NotificationChannel>(std::make_unique<ScriptedChannel>(shared));
        });
    ASSERT_THAT(created, IsOk());
    webhooks_ = std::move(*created);
    // Wired as relais serve wires them (engine/cli/runtime_host.cc).
    webhooks_->Attach(runtime_->projects);
    webhooks_->Attach(*programmes_);
  }
  void TearDown() override {
    if (webhooks_) webhooks_->Stop();
  }

  std::string AddEndpoint(const std::string& partner, std::vector<std::string> types,
                          std::vector<std::string> axes = {}) {
    EndpointFields f;
    f.url = "http://127.0.0.1:9/hook";
    f.event_types = std::move(types);
    f.axes = std::move(axes);
    auto e = webhooks_->endpoints().Create(partner, f);
    EXPECT_THAT(e, IsOk());
    return e.ok() ? e->id : "";
  }

  // The deliveries received so far, by endpoint: (type, axis of the milestone).
  std::multiset<std::pair<std::string, std::string>> Received(const std::string& endpoint) {
    std::lock_guard lock(shared_->mu);
    std::multiset<std::pair<std::string, std::string>> out;
    for (const auto& a : shared_->attempts) {
      if (a.endpoint_id != endpoint) continue;
      Json body = Json::parse(a.body);
      out.insert({body["type"], body["data"]["event"]["data"]["milestone"].value("axis", "")});
    }
    return out;
  }

  relais::testing::TempDir dir_;
  ManualClock clock_{programme::testing::T("2027-01-04T08:00:00Z")};
  std::unique_ptr<RocksDbEventStore> store_;
  std::unique_ptr<runtime::testing::Runtime> runtime_;
  std::unique_ptr<programme::ProgrammeService> programmes_;
  std::shared_ptr<ScriptedChannel::Shared> shared_;
  std::unique_ptr<WebhookService> webhooks_;
};

TEST_F(ProgrammeWebhooksTest, MilestoneEventsReachThePartnersOfTheProgrammesProjects) {
  // ccas-fresnes and anpe-orly are the partners of the fixture's projects.
  runtime_->Create("aide-domicile", "2A");
  const std::string all_reviews = AddEndpoint("ccas-fresnes", {"milestone_*"});
  const std::string axis_3_only = AddEndpoint("anpe-orly", {"milestone_scheduled"}, {"3"});
  const std::string outsider = AddEndpoint("mission-locale-thiais", {"*"});  // names no project of the programme
  ASSERT_THAT(webhooks_->Start(), IsOk());

  auto def = programme::ProgrammeDefinition::FromJson(programme::testing::CbeDefinition());
  ASSERT_THAT(def, IsOk());
  ASSERT_THAT(programmes_->Define(*def, "person:claire.dumas"), IsOk());
  ASSERT_THAT(programmes_->Assign(def->id,
                                  {"person:elu.2a", "elu_referent", "2A", programme::testing::D("2027-01-04"),
                                   programme::testing::D("2030-01-03")},
                                  "person:claire.dumas"),
              IsOk());
  auto state = programmes_->Get(def->id);
  ASSERT_THAT(state, IsOk());
  size_t scheduled = 0, reviews_2a = 0;
  for (const auto& [id, m] : (*state)->milestones) {
    ++scheduled;
    if (m.kind == "review" && m.axis == "2A") ++reviews_2a;
  }
  ASSERT_EQ(reviews_2a, 9u) << "a 3-year term: 9 reviews";

  // Every milestone_scheduled reaches ccas-fresnes (yearly milestones carry no axis).
  auto received = [&] {
    std::unique_lock lock(shared_->mu);
    return shared_->changed.wait_for(lock, 10s, [&] {
      return static_cast<size_t>(std::count_if(shared_->attempts.begin(), shared_->attempts.end(), [&](const auto& a) {
               return a.endpoint_id == all_reviews;
             })) >= scheduled;
    });
  };
  ASSERT_TRUE(received());
  auto got = Received(all_reviews);
  EXPECT_EQ(got.size(), scheduled);
  EXPECT_EQ(got.count({"milestone_scheduled", "2A"}), 9u);
  EXPECT_TRUE(Received(axis_3_only).empty()) << "its axis filter admits axis 3 only";
  EXPECT_TRUE(Received(outsider).empty()) << "a partner of no project of the programme hears nothing";

  // The body names the programme, with a link, and the event with its version.
  std::lock_guard lock(shared_->mu);
  const auto& first = *std::find_if(shared_->attempts.begin(), shared_->attempts.end(),
                                    [&](const auto& a) { return a.endpoint_id == all_reviews; });
  Json body = Json::parse(first.body);
  EXPECT_EQ(body["data"]["programme"]["id"], "sud-val-de-marnais");
  EXPECT_EQ(body["data"]["programme"]["link"], "http://127.0.0.1:8080/v1/programmes/sud-val-de-marnais");
  EXPECT_GE(body["data"]["event"]["version"].get<uint64_t>(), 1u);
  EXPECT_FALSE(first.id.empty());
}

TEST_F(ProgrammeWebhooksTest, DeliveriesAreQueuedInTheSameBatchAsTheEvents) {
  runtime_->Create("aide-domicile", "2A");
  const std::string endpoint = AddEndpoint("ccas-fresnes", {"milestone_scheduled"});
  // Not started: nothing is delivered; the queue holds one entry per event.
  auto def = programme::ProgrammeDefinition::FromJson(programme::testing::CbeDefinition());
  ASSERT_THAT(def, IsOk());
  ASSERT_THAT(programmes_->Define(*def, "person:claire.dumas"), IsOk());
  auto events = store_->ReadStream("programme-sud-val-de-marnais", 1, 1000);
  ASSERT_THAT(events, IsOk());
  size_t scheduled = 0;
  for (const auto& e : *events) scheduled += e.type == "milestone_scheduled";
  ASSERT_GT(scheduled, 0u);
  auto pending = webhooks_->Pending(endpoint, "", 1000);
  ASSERT_THAT(pending, IsOk());
  EXPECT_EQ(pending->items.size(), scheduled);
  for (const auto& item : pending->items) EXPECT_EQ(item["project"], "programme-sud-val-de-marnais");
}

}  // namespace
}  // namespace relais::notify
