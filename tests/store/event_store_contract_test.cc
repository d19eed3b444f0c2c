// The EventStore contract, run on every implementation.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "engine/util/time_format.h"
#include "tests/store/store_factory.h"
#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::MakeEvent;
using testing::StatusIs;

class EventStoreContractTest : public ::testing::TestWithParam<testing::StoreKind> {
 protected:
  EventStoreContractTest() : clock_(*ParseIso8601("2026-11-23T10:00:00Z")), sut_(GetParam().make(clock_)) {}
  EventStore& store() { return sut_->store(); }

  StatusOr<AppendResult> Append(const std::string& stream, ExpectedVersion expected, size_t n = 1) {
    std::vector<NewEvent> events;
    for (size_t i = 0; i < n; ++i) events.push_back(MakeEvent("thing.happened", {{"i", i}}));
    return store().Append(stream, expected, std::move(events));
  }

  ManualClock clock_;
  std::unique_ptr<testing::StoreUnderTest> sut_;
};

TEST_P(EventStoreContractTest, NewStoreIsEmpty) {
  EXPECT_EQ(store().LastPosition(), 0u);
  EXPECT_EQ(*store().StreamVersion("p1"), 0u);
  EXPECT_TRUE(store().ReadStream("p1", 1, 10)->empty());
  EXPECT_TRUE(store().ReadAll(1, 10)->events.empty());
}

// A copy of another store keeps each event's first recording time.
TEST_P(EventStoreContractTest, AnAppendGivenItsRecordingTimeKeepsIt) {
  const TimePoint first = *ParseIso8601("2019-03-04T05:06:07.000008Z");
  AppendRequest request;
  request.stream_id = "copied";
  request.events = {MakeEvent("old")};
  request.recorded_at = first;
  auto r = store().Append(std::move(request));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->recorded_at, first);
  auto read = store().ReadStream("copied", 1, 10);
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].metadata.recorded_at, first);
  auto now = Append("copied", ExpectedVersion::Exact(1));
  ASSERT_THAT(now, IsOk());
  EXPECT_EQ(now->recorded_at, clock_.Now()) << "without it, the store's clock";
}

TEST_P(EventStoreContractTest, AppendAssignsVersionsAndPositions) {
  auto r1 = Append("p1", ExpectedVersion::NoStream(), 2);
  ASSERT_THAT(r1, IsOk());
  EXPECT_EQ(r1->first_version, 1u);
  EXPECT_EQ(r1->last_version, 2u);
  EXPECT_EQ(r1->first_position, 1u);
  EXPECT_EQ(r1->last_position, 2u);
  EXPECT_FALSE(r1->deduplicated);
  auto r2 = Append("p2", ExpectedVersion::NoStream());
  ASSERT_THAT(r2, IsOk());
  EXPECT_EQ(r2->first_version, 1u);
  EXPECT_EQ(r2->first_position, 3u);
  auto r3 = Append("p1", ExpectedVersion::Exact(2));
  ASSERT_THAT(r3, IsOk());
  EXPECT_EQ(r3->first_version, 3u);
  EXPECT_EQ(r3->first_position, 4u);
  EXPECT_EQ(*store().StreamVersion("p1"), 3u);
  EXPECT_EQ(store().LastPosition(), 4u);
}

TEST_P(EventStoreContractTest, EventsReadBackExactlyAsWritten) {
  NewEvent e = MakeEvent("phase.started", {{"phase", "étude"}, {"n", 3}});
  e.metadata.actor = "coordinator:alice";
  e.metadata.causation_id = "cmd-1";
  e.metadata.correlation_id = "corr-1";
  e.schema_version = 2;
  ASSERT_THAT(store().Append("p1", ExpectedVersion::Any(), {e}), IsOk());
  auto events = store().ReadStream("p1", 1, 10);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), 1u);
  const RecordedEvent& r = (*events)[0];
  EXPECT_EQ(r.stream_id, "p1");
  EXPECT_EQ(r.version, 1u);
  EXPECT_EQ(r.position, 1u);
  EXPECT_EQ(r.event_id, e.event_id);
  EXPECT_EQ(r.type, "phase.started");
  EXPECT_EQ(r.Data(), e.data);
  EXPECT_EQ(r.schema_version, 2u);
  EXPECT_EQ(r.metadata.actor, "coordinator:alice");
  EXPECT_EQ(r.metadata.causation_id, "cmd-1");
  EXPECT_EQ(r.metadata.correlation_id, "corr-1");
  EXPECT_EQ(r.metadata.recorded_at, clock_.Now()) << "the store stamps recorded_at with its clock";
  EXPECT_EQ(r.ToJson()["metadata"]["recorded_at"], "2026-11-23T10:00:00.000000Z");
}

// --- Expected version: every case ---------------------------------------

TEST_P(EventStoreContractTest, NoStreamSucceedsOnlyWhenStreamAbsent) {
  ASSERT_THAT(Append("p1", ExpectedVersion::NoStream()), IsOk());
  auto again = Append("p1", ExpectedVersion::NoStream());
  EXPECT_THAT(again, StatusIs(StatusCode::kVersionConflict, HasSubstr("at version 1")));
  EXPECT_EQ(again.status().actual_version(), 1u);
}

TEST_P(EventStoreContractTest, ExactVersionMustMatch) {
  ASSERT_THAT(Append("p1", ExpectedVersion::NoStream(), 3), IsOk());
  for (uint64_t wrong : {1u, 2u, 4u, 99u}) {
    auto r = Append("p1", ExpectedVersion::Exact(wrong));
    EXPECT_THAT(r, StatusIs(StatusCode::kVersionConflict)) << wrong;
    EXPECT_EQ(r.status().actual_version(), 3u) << wrong;
  }
  EXPECT_THAT(Append("p1", ExpectedVersion::Exact(3)), IsOk());
}

TEST_P(EventStoreContractTest, ExactVersionOnMissingStreamConflictsWithZero) {
  auto r = Append("ghost", ExpectedVersion::Exact(1));
  EXPECT_THAT(r, StatusIs(StatusCode::kVersionConflict));
  EXPECT_EQ(r.status().actual_version(), 0u);
}

TEST_P(EventStoreContractTest, AnyAlwaysAppends) {
  ASSERT_THAT(Append("p1", ExpectedVersion::Any()), IsOk());
  auto r = Append("p1", ExpectedVersion::Any());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->first_version, 2u);
}

TEST_P(EventStoreContractTest, ConflictWritesNothing) {
  ASSERT_THAT(Append("p1", ExpectedVersion::NoStream()), IsOk());
  AppendRequest req;
  req.stream_id = "p1";
  req.expected = ExpectedVersion::Exact(7);
  req.events.push_back(MakeEvent("x"));
  req.side_writes.Put("side/key", "v");
  EXPECT_THAT(store().Append(std::move(req)), StatusIs(StatusCode::kVersionConflict));
  EXPECT_EQ(store().LastPosition(), 1u);
  EXPECT_EQ(*store().StreamVersion("p1"), 1u);
  EXPECT_FALSE(store().KvGet("side/key")->has_value());
}

// --- Idempotent re-sends ------------------------------------------------

TEST_P(EventStoreContractTest, ResendingSameIdsAtSameExpectedVersionIsIdempotent) {
  ASSERT_THAT(Append("p1", ExpectedVersion::NoStream()), IsOk());
  std::vector<NewEvent> events = {MakeEvent("a"), MakeEvent("b")};
  auto first = store().Append("p1", ExpectedVersion::Exact(1), events);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(Append("p1", ExpectedVersion::Any()), IsOk());  // the stream moves on
  auto again = store().Append("p1", ExpectedVersion::Exact(1), events);
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->deduplicated);
  EXPECT_EQ(again->first_version, first->first_version);
  EXPECT_EQ(again->last_position, first->last_position);
  EXPECT_EQ(*store().StreamVersion("p1"), 4u) << "nothing written twice";
  EXPECT_EQ(store().LastPosition(), 4u);
}

TEST_P(EventStoreContractTest, ResendWithNoStreamAndAnyIsIdempotent) {
  std::vector<NewEvent> events = {MakeEvent("created")};
  ASSERT_THAT(store().Append("p1", ExpectedVersion::NoStream(), events), IsOk());
  auto no_stream = store().Append("p1", ExpectedVersion::NoStream(), events);
  ASSERT_THAT(no_stream, IsOk());
  EXPECT_TRUE(no_stream->deduplicated);
  auto any = store().Append("p1", ExpectedVersion::Any(), events);
  ASSERT_THAT(any, IsOk());
  EXPECT_TRUE(any->deduplicated);
  EXPECT_EQ(store().LastPosition(), 1u);
}

TEST_P(EventStoreContractTest, ResendAtDifferentExpectedVersionConflicts) {
  std::vector<NewEvent> events = {MakeEvent("a")};
  ASSERT_THAT(store().Append("p1", ExpectedVersion::NoStream(), events), IsOk());
  EXPECT_THAT(store().Append("p1", ExpectedVersion::Exact(5), events), StatusIs(StatusCode::kVersionConflict));
}

TEST_P(EventStoreContractTest, EventIdReusedInAnotherStreamIsRefused) {
  NewEvent e = MakeEvent("a");
  ASSERT_THAT(store().Append("p1", ExpectedVersion::Any(), {e}), IsOk());
  EXPECT_THAT(store().Append("p2", ExpectedVersion::Any(), {e}),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("another stream")));
  EXPECT_EQ(*store().StreamVersion("p2"), 0u);
}

TEST_P(EventStoreContractTest, PartlyResentAppendIsRefused) {
  NewEvent a = MakeEvent("a");
  ASSERT_THAT(store().Append("p1", ExpectedVersion::Any(), {a}), IsOk());
  EXPECT_THAT(store().Append("p1", ExpectedVersion::Any(), {a, MakeEvent("b")}),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("partly")));
  EXPECT_EQ(store().LastPosition(), 1u);
}

TEST_P(EventStoreContractTest, LookupEventFindsWhereAnIdIsStored) {
  NewEvent a = MakeEvent("a"), b = MakeEvent("b");
  ASSERT_THAT(Append("p0", ExpectedVersion::Any()), IsOk());
  auto r = store().Append("p1", ExpectedVersion::Any(), {a, b});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->recorded_at, clock_.Now());
  auto loc = store().LookupEvent(b.event_id);
  ASSERT_THAT(loc, IsOk());
  ASSERT_TRUE(loc->has_value());
  EXPECT_EQ((*loc)->stream_id, "p1");
  EXPECT_EQ((*loc)->version, 2u);
  EXPECT_EQ((*loc)->position, 3u);
  EXPECT_FALSE(store().LookupEvent(NewUuid())->has_value());
}

// --- Validation ---------------------------------------------------------

TEST_P(EventStoreContractTest, BadRequestsAreRefusedWithReasons) {
  EXPECT_THAT(store().Append("p1", ExpectedVersion::Any(), {}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store().Append("", ExpectedVersion::Any(), {MakeEvent("a")}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("stream id is empty")));
  EXPECT_THAT(store().Append(std::string("p\n1"), ExpectedVersion::Any(), {MakeEvent("a")}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("control character")));
  EXPECT_THAT(store().Append("p1", ExpectedVersion::Any(), {MakeEvent("a", {}, "not-a-uuid")}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not a UUID")));
  NewEvent e = MakeEvent("a");
  EXPECT_THAT(store().Append("p1", ExpectedVersion::Any(), {e, e}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("repeated")));
  EXPECT_THAT(store().Append("p1", ExpectedVersion::Any(), {MakeEvent("")}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("type is empty")));
  EXPECT_THAT(store().Append("p1", ExpectedVersion::Any(), {MakeEvent("a", {{"blob", std::string(2 << 20, 'x')}})}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("at most")));
  EXPECT_EQ(store().LastPosition(), 0u);
}

// --- Reads --------------------------------------------------------------

TEST_P(EventStoreContractTest, ReadStreamFromVersionWithLimit) {
  ASSERT_THAT(Append("p1", ExpectedVersion::NoStream(), 10), IsOk());
  ASSERT_THAT(Append("p2", ExpectedVersion::NoStream(), 3), IsOk());
  auto page = store().ReadStream("p1", 4, 3);
  ASSERT_THAT(page, IsOk());
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].version, 4u);
  EXPECT_EQ((*page)[2].version, 6u);
  EXPECT_EQ((*page)[0].Data()["i"], 3);
  EXPECT_EQ(store().ReadStream("p1", 9, 100)->size(), 2u);
  EXPECT_TRUE(store().ReadStream("p1", 11, 100)->empty());
  EXPECT_THAT(store().ReadStream("p1", 0, 1), StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(EventStoreContractTest, StreamIdsThatArePrefixesDoNotMix) {
  ASSERT_THAT(Append("p1", ExpectedVersion::NoStream(), 2), IsOk());
  ASSERT_THAT(Append("p10", ExpectedVersion::NoStream(), 5), IsOk());
  ASSERT_THAT(Append("p", ExpectedVersion::NoStream(), 1), IsOk());
  EXPECT_EQ(store().ReadStream("p1", 1, 100)->size(), 2u);
  EXPECT_EQ(*store().StreamVersion("p1"), 2u);
  EXPECT_EQ(*store().StreamVersion("p"), 1u);
  EXPECT_EQ(*store().StreamVersion("p10"), 5u);
}

TEST_P(EventStoreContractTest, ReadAllPagesThroughTheGlobalLog) {
  for (int i = 0; i < 7; ++i) ASSERT_THAT(Append("p" + std::to_string(i % 3), ExpectedVersion::Any()), IsOk());
  std::vector<uint64_t> positions;
  uint64_t from = 1;
  while (true) {
    auto page = store().ReadAll(from, 3);
    ASSERT_THAT(page, IsOk());
    if (page->events.empty()) break;
    for (auto& e : page->events) positions.push_back(e.position);
    from = page->next_position;
  }
  EXPECT_EQ(positions, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(from, 8u);
  EXPECT_THAT(store().ReadAll(0, 1), StatusIs(StatusCode::kInvalidArgument));
}

// --- Side writes (outbox, timers...) commit with the append ------------

TEST_P(EventStoreContractTest, SideWritesCommitWithTheAppend) {
  AppendRequest req;
  req.stream_id = "p1";
  req.events = {MakeEvent("a"), MakeEvent("b")};
  req.side_writes.Put("timer/1", "armed");
  req.attach = [](const AppendResult& r, KvWrites& w) {
    w.Put("outbox/" + std::to_string(r.first_position), "deliver");
    w.Delete("timer/0");
  };
  ASSERT_THAT(store().KvWrite([] {
    KvWrites w;
    w.Put("timer/0", "old");
    return w;
  }()),
              IsOk());
  ASSERT_THAT(store().Append(std::move(req)), IsOk());
  EXPECT_EQ(store().KvGet("timer/1")->value_or(""), "armed");
  EXPECT_EQ(store().KvGet("outbox/1")->value_or(""), "deliver");
  EXPECT_FALSE(store().KvGet("timer/0")->has_value());
}

TEST_P(EventStoreContractTest, KvScanIsOrderedAndPaged) {
  KvWrites w;
  for (std::string k : {"b/3", "a/1", "b/1", "b/2", "c/1"}) w.Put(k, k);
  ASSERT_THAT(store().KvWrite(w), IsOk());
  auto first = store().KvScan("b/", "", 2);
  ASSERT_THAT(first, IsOk());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].key, "b/1");
  EXPECT_EQ((*first)[1].key, "b/2");
  auto rest = store().KvScan("b/", "b/2", 10);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].key, "b/3");
  EXPECT_EQ(store().KvScan("a/", "", 10)->size(), 1u);
  EXPECT_EQ(store().KvScan("d/", "", 10)->size(), 0u);
}

// --- Snapshots ----------------------------------------------------------

TEST_P(EventStoreContractTest, SnapshotKeepsTheLatest) {
  EXPECT_FALSE(store().LoadSnapshot("p1")->has_value());
  ASSERT_THAT(Append("p1", ExpectedVersion::NoStream(), 5), IsOk());
  ASSERT_THAT(store().SaveSnapshot("p1", {3, "state/v1", "three"}), IsOk());
  ASSERT_THAT(store().SaveSnapshot("p1", {5, "state/v1", "five"}), IsOk());
  ASSERT_THAT(store().SaveSnapshot("p1", {4, "state/v1", "four"}), IsOk());  // older: ignored
  auto snap = store().LoadSnapshot("p1");
  ASSERT_THAT(snap, IsOk());
  ASSERT_TRUE(snap->has_value());
  EXPECT_EQ((*snap)->version, 5u);
  EXPECT_EQ((*snap)->schema, "state/v1");
  EXPECT_EQ((*snap)->payload, "five");
  EXPECT_THAT(store().SaveSnapshot("p1", {6, "state/v1", "future"}), StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(EventStoreContractTest, SnapshotSavedWithAnAppendCommitsWithIt) {
  ASSERT_THAT(Append("p1", ExpectedVersion::NoStream(), 3), IsOk());
  AppendRequest ahead;
  ahead.stream_id = "p1";
  ahead.expected = ExpectedVersion::Exact(3);
  ahead.events.push_back(MakeEvent("thing.happened", {{"i", 3}}));
  ahead.snapshot = Snapshot{4, "state/v1", "not yet"};  // the version this append creates: refused
  EXPECT_THAT(store().Append(ahead), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(*store().StreamVersion("p1"), 3u) << "nothing written";
  EXPECT_FALSE(store().LoadSnapshot("p1")->has_value());

  AppendRequest with;
  with.stream_id = "p1";
  with.expected = ExpectedVersion::Exact(3);
  with.events.push_back(MakeEvent("thing.happened", {{"i", 3}}));
  with.snapshot = Snapshot{3, "state/v1", "three"};
  ASSERT_THAT(store().Append(with), IsOk());
  auto snap = store().LoadSnapshot("p1");
  ASSERT_TRUE(snap.ok() && snap->has_value());
  EXPECT_EQ((*snap)->version, 3u);
  EXPECT_EQ((*snap)->payload, "three");

  AppendRequest conflicting = with;  // stale expected version: no event, no snapshot
  conflicting.events = {MakeEvent("thing.happened", {{"i", 9}})};
  conflicting.snapshot = Snapshot{2, "state/v1", "two"};
  EXPECT_THAT(store().Append(conflicting), StatusIs(StatusCode::kVersionConflict));
  EXPECT_EQ((*store().LoadSnapshot("p1"))->payload, "three");
}

// --- Subscriptions ------------------------------------------------------

TEST_P(EventStoreContractTest, SubscribersAreWokenOnCommit) {
  std::atomic<uint64_t> seen{0};
  auto sub = store().Subscribe([&](uint64_t last) { seen.store(last); });
  ASSERT_THAT(Append("p1", ExpectedVersion::Any(), 2), IsOk());
  EXPECT_EQ(seen.load(), 2u);
  sub.Reset();
  ASSERT_THAT(Append("p1", ExpectedVersion::Any()), IsOk());
  EXPECT_EQ(seen.load(), 2u) << "no notification after Reset()";
}

TEST_P(EventStoreContractTest, WaitForPositionWakesWithoutPolling) {
  std::thread writer([&] { ASSERT_THAT(Append("p1", ExpectedVersion::Any(), 3), IsOk()); });
  EXPECT_TRUE(store().WaitForPosition(3, std::chrono::seconds(10)));
  writer.join();
  EXPECT_FALSE(store().WaitForPosition(4, std::chrono::milliseconds(1)));
}

INSTANTIATE_TEST_SUITE_P(AllStores, EventStoreContractTest,
                         ::testing::ValuesIn(testing::AllStoreKindsWithPostgresBothWays()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace relais
