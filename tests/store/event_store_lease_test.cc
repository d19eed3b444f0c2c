// The lease and fence part of the EventStore contract (event_store.h), run on
// every implementation. Expiry is real time (the store's own clock: steady
// in memory, the database's for PostgreSQL), so these tests wait out short
// leases.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/store/store_factory.h"
#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;
using namespace std::chrono_literals;

class EventStoreLeaseTest : public ::testing::TestWithParam<testing::StoreKind> {
 protected:
  EventStoreLeaseTest() : clock_(TimePoint{}), sut_(GetParam().make(clock_)) {}
  EventStore& store() { return sut_->store(); }

  LeaseGrant Take(const std::string& holder, std::chrono::milliseconds ttl = 10s) {
    auto grant = store().AcquireLease("background", holder, ttl);
    EXPECT_THAT(grant, IsOk());
    return grant.ok() ? *grant : LeaseGrant{};
  }
  static KvWrites FencedPut(const std::string& key, uint64_t token) {
    KvWrites w;
    w.Put(key, "v" + std::to_string(token));
    w.fence = Fence{"background", token};
    return w;
  }

  ManualClock clock_;
  std::unique_ptr<testing::StoreUnderTest> sut_;
};

TEST_P(EventStoreLeaseTest, OneHolderAtATimeAndRenewingKeepsTheToken) {
  LeaseGrant a = Take("node-a");
  ASSERT_TRUE(a.held);
  EXPECT_GE(a.token, 1u);
  LeaseGrant b = Take("node-b");
  EXPECT_FALSE(b.held);
  EXPECT_EQ(b.holder, "node-a") << "who holds it is said";
  LeaseGrant renewed = Take("node-a");
  EXPECT_TRUE(renewed.held);
  EXPECT_EQ(renewed.token, a.token) << "a renewal is the same holding";
}

TEST_P(EventStoreLeaseTest, AnExpiredLeaseIsTakenOverWithAGreaterToken) {
  LeaseGrant a = Take("node-a", 300ms);
  ASSERT_TRUE(a.held);
  EXPECT_FALSE(Take("node-b").held) << "not before it expires";
  std::this_thread::sleep_for(600ms);
  LeaseGrant b = Take("node-b");
  ASSERT_TRUE(b.held) << "expired: node-a did not renew";
  EXPECT_GT(b.token, a.token);
  LeaseGrant late = Take("node-a");
  EXPECT_FALSE(late.held) << "the old holder coming back finds it taken";
  EXPECT_EQ(late.holder, "node-b");
}

TEST_P(EventStoreLeaseTest, ReleasingLetsAnotherTakeOverAtOnce) {
  LeaseGrant a = Take("node-a");
  ASSERT_TRUE(a.held);
  ASSERT_THAT(store().ReleaseLease("background", "node-b"), IsOk());
  EXPECT_FALSE(Take("node-c").held) << "only the holder can give it up";
  ASSERT_THAT(store().ReleaseLease("background", "node-a"), IsOk());
  LeaseGrant c = Take("node-c");
  ASSERT_TRUE(c.held);
  EXPECT_GT(c.token, a.token);
}

TEST_P(EventStoreLeaseTest, AWriteUnderAStaleFenceIsRefusedAndWritesNothing) {
  LeaseGrant a = Take("node-a");
  ASSERT_TRUE(a.held);
  ASSERT_THAT(store().KvWrite(FencedPut("queue/1", a.token)), IsOk()) << "the holder's fence is current";
  ASSERT_THAT(store().ReleaseLease("background", "node-a"), IsOk());
  LeaseGrant b = Take("node-b");
  ASSERT_TRUE(b.held);

  KvWrites late = FencedPut("queue/1", a.token);
  late.Put("queue/2", "late");
  EXPECT_THAT(store().KvWrite(late), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("fenced")));
  EXPECT_EQ(*store().KvGet("queue/1"), std::optional<std::string>("v" + std::to_string(a.token)))
      << "nothing of the refused write";
  EXPECT_EQ(*store().KvGet("queue/2"), std::nullopt);
  EXPECT_THAT(store().KvWrite(FencedPut("queue/1", b.token)), IsOk());
  EXPECT_EQ(*store().KvGet("queue/1"), std::optional<std::string>("v" + std::to_string(b.token)));
}

TEST_P(EventStoreLeaseTest, AFenceOnALeaseNeverTakenIsRefused) {
  EXPECT_THAT(store().KvWrite(FencedPut("k", 1)), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("token 0")));
}

TEST_P(EventStoreLeaseTest, BadLeaseRequestsAndFencedSideWritesAreRefused) {
  EXPECT_THAT(store().AcquireLease("", "a", 1s), StatusIs(StatusCode::kInvalidArgument, HasSubstr("name")));
  EXPECT_THAT(store().AcquireLease("background", "", 1s), StatusIs(StatusCode::kInvalidArgument, HasSubstr("holder")));
  EXPECT_THAT(store().AcquireLease("background", "a", 0ms),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected more than 0")));
  AppendRequest request;
  request.stream_id = "s";
  request.events = {testing::MakeEvent("x")};
  request.side_writes = FencedPut("k", 1);
  EXPECT_THAT(store().Append(std::move(request)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("fence")));
  EXPECT_EQ(store().LastPosition(), 0u);
}

INSTANTIATE_TEST_SUITE_P(AllStores, EventStoreLeaseTest, ::testing::ValuesIn(testing::AllStoreKindsWithPostgres()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace relais
