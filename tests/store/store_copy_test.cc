// CopyStore / VerifyCopy (relais copy-store): RocksDB to PostgreSQL and back,
// events at their positions with their recording times, snapshots, the
// key-value space; a copy resumed after it stopped; a target holding another
// store refused; a difference named.
#include "engine/store/store_copy.h"

#include <gtest/gtest.h>

#include "engine/util/time_format.h"
#include "tests/store/store_factory.h"
#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

using relais::testing::IsOk;
using relais::testing::MakeEvent;

// Streams of several lengths, snapshots, key-value entries with any bytes.
void Fill(EventStore& store, int from, int to, ManualClock& clock) {
  for (int i = from; i < to; ++i) {
    const std::string stream = "project-" + std::to_string(i % 7);
    clock.Advance(std::chrono::seconds(61));
    AppendRequest request;
    request.stream_id = stream;
    request.events = {MakeEvent("noted", {{"i", i}, {"texte", "été"}}), MakeEvent("second", {{"i", i}})};
    request.side_writes.Put("timer/due/" + std::to_string(i), std::string("\0\x01\xff", 3) + std::to_string(i));
    request.side_writes.Put("outbox/" + std::to_string(i), "{}");
    ASSERT_THAT(store.Append(std::move(request)), IsOk());
  }
  for (int s = 0; s < 3; ++s) {
    auto version = store.StreamVersion("project-" + std::to_string(s));
    ASSERT_THAT(version, IsOk());
    ASSERT_THAT(store.SaveSnapshot("project-" + std::to_string(s), Snapshot{*version, "project/v1", "{\"s\":1}"}),
                IsOk());
  }
  KvWrites gone;
  gone.Delete("outbox/" + std::to_string(from));
  ASSERT_THAT(store.KvWrite(gone), IsOk());
}

class StoreCopyTest : public ::testing::Test {
 protected:
  ManualClock clock_{*ParseIso8601("2026-01-05T08:00:00Z")};
  std::unique_ptr<testing::StoreUnderTest> rocks_ = testing::AllStoreKinds()[1].make(clock_);
  std::unique_ptr<testing::StoreUnderTest> pg_ = testing::PostgresStoreKind().make(clock_);
};

TEST_F(StoreCopyTest, RocksDbToPostgresAndBackKeepsPositionsTimesSnapshotsAndKeys) {
  Fill(rocks_->store(), 0, 120, clock_);
  clock_.Advance(std::chrono::hours(24));  // the copy's own time must not show
  auto copied = CopyStore(rocks_->store(), pg_->store(), CopyOptions{.page_events = 50});
  ASSERT_THAT(copied, IsOk());
  EXPECT_EQ(copied->events, 240u);
  EXPECT_EQ(copied->resumed_after, 0u);
  EXPECT_EQ(copied->snapshots, 3u);
  auto check = VerifyCopy(rocks_->store(), pg_->store());
  ASSERT_THAT(check, IsOk());
  EXPECT_TRUE(check->differences.empty()) << ::testing::PrintToString(check->differences);
  EXPECT_EQ(check->events, 240u);
  EXPECT_EQ(check->streams, 7u);
  auto a = rocks_->store().ReadAll(1, 1000), b = pg_->store().ReadAll(1, 1000);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  ASSERT_EQ(a->events.size(), b->events.size());
  for (size_t i = 0; i < a->events.size(); ++i) {
    EXPECT_EQ(b->events[i].position, a->events[i].position);
    EXPECT_EQ(b->events[i].ToJsonText(), a->events[i].ToJsonText()) << "position " << i + 1;
  }
  EXPECT_EQ(*pg_->store().KvGet("timer/due/7"), *rocks_->store().KvGet("timer/due/7"));

  // And back, into a new RocksDB store: equal to the original.
  auto back = testing::AllStoreKinds()[1].make(clock_);
  ASSERT_THAT(CopyStore(pg_->store(), back->store()), IsOk());
  auto again = VerifyCopy(rocks_->store(), back->store());
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->differences.empty()) << ::testing::PrintToString(again->differences);
}

TEST_F(StoreCopyTest, ACopyThatStoppedGoesOnWhereTheTargetEnds) {
  Fill(rocks_->store(), 0, 40, clock_);
  ASSERT_THAT(CopyStore(rocks_->store(), pg_->store()), IsOk());
  Fill(rocks_->store(), 40, 70, clock_);  // the source went on: the first copy is now a prefix
  auto resumed = CopyStore(rocks_->store(), pg_->store());
  ASSERT_THAT(resumed, IsOk());
  EXPECT_EQ(resumed->resumed_after, 80u);
  EXPECT_EQ(resumed->events, 60u);
  auto check = VerifyCopy(rocks_->store(), pg_->store());
  ASSERT_THAT(check, IsOk());
  EXPECT_TRUE(check->differences.empty()) << ::testing::PrintToString(check->differences);
}

TEST_F(StoreCopyTest, ATargetHoldingAnotherStoreIsRefusedAndADifferenceIsNamed) {
  Fill(rocks_->store(), 0, 10, clock_);
  ASSERT_THAT(pg_->store().Append("elsewhere", ExpectedVersion::NoStream(), {MakeEvent("other")}), IsOk());
  auto refused = CopyStore(rocks_->store(), pg_->store());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("another store's events"), std::string::npos) << refused.status();
  auto check = VerifyCopy(rocks_->store(), pg_->store());
  ASSERT_THAT(check, IsOk());
  EXPECT_FALSE(check->differences.empty());
}

}  // namespace
}  // namespace relais
