// The PostgreSQL store beyond the shared contract: two stores on one
// database (two Relais nodes) appending at once keep positions gapless and in
// commit order as a reader sees them while they write; a store opened again
// finds everything; a group the database refuses at its writes leaves
// nothing; a schema newer than the binary is refused untouched.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "engine/store/codec.h"
#include "engine/store/pg_schema.h"
#include "engine/store/postgres_event_store.h"
#include "tests/store/store_factory.h"
#include "tests/testing/postgres_schema.h"
#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

using relais::testing::IsOk;
using relais::testing::MakeEvent;

class PostgresEventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.conninfo = schema_.conninfo();
    options_.read_connections = 2;
  }
  std::unique_ptr<PostgresEventStore> Open() {
    auto store = PostgresEventStore::Open(options_);
    EXPECT_THAT(store, IsOk());
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Every event row gone, no store told (a test of what a store serves
  // from memory).
  void DeleteEventsBehindTheStores() {
    auto raw = PgConnection::Connect(options_.conninfo);
    ASSERT_THAT(raw, IsOk());
    ASSERT_THAT((*raw)->Exec("DELETE FROM relais_events"), IsOk());
  }

  relais::testing::PostgresSchema schema_;
  PostgresStoreOptions options_;
};

TEST_F(PostgresEventStoreTest, TwoNodesAppendingAtOnceKeepPositionsGaplessAsAReaderSeesThem) {
  auto node_a = Open(), node_b = Open();
  ASSERT_TRUE(node_a && node_b);
  constexpr int kThreadsPerNode = 6, kAppends = 40;
  std::atomic<bool> writing{true};
  std::atomic<int> reads{0};
  // A reader on a third connection: whatever it sees is a gapless prefix.
  std::thread reader([&] {
    auto node_c = Open();
    while (writing) {
      auto page = node_c->ReadAll(1, 100'000);
      ASSERT_THAT(page, IsOk());
      for (size_t i = 0; i < page->events.size(); ++i)
        ASSERT_EQ(page->events[i].position, i + 1) << "a reader saw a gap: positions are not in commit order";
      ++reads;
    }
  });
  std::vector<std::thread> writers;
  for (EventStore* store : {static_cast<EventStore*>(node_a.get()), static_cast<EventStore*>(node_b.get())})
    for (int t = 0; t < kThreadsPerNode; ++t)
      writers.emplace_back([store, t] {
        for (int i = 0; i < kAppends; ++i) {
          std::vector<NewEvent> events = {MakeEvent("e", {{"t", t}, {"i", i}}), MakeEvent("e", {{"second", true}})};
          if (i % 2 == 0) {
            for (;;) {  // one contended stream, optimistic concurrency across the nodes
              uint64_t v = *store->StreamVersion("shared");
              auto r =
                  store->Append("shared", v == 0 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(v), events);
              if (r.ok()) break;
              ASSERT_EQ(r.status().code(), StatusCode::kVersionConflict) << r.status();
            }
          } else {
            ASSERT_THAT(store->Append("own-" + std::to_string(t), ExpectedVersion::Any(), events), IsOk());
          }
        }
      });
  for (auto& w : writers) w.join();
  writing = false;
  reader.join();
  EXPECT_GT(reads.load(), 0);
  auto page = node_a->ReadAll(1, 100'000);
  ASSERT_THAT(page, IsOk());
  const size_t expected = 2 * kThreadsPerNode * kAppends * 2;
  ASSERT_EQ(page->events.size(), expected);
  std::map<std::string, uint64_t> versions;
  std::set<std::string> ids;
  for (size_t i = 0; i < page->events.size(); ++i) {
    const RecordedEvent& e = page->events[i];
    ASSERT_EQ(e.position, i + 1);
    ASSERT_EQ(e.version, ++versions[e.stream_id]) << e.stream_id;
    ASSERT_TRUE(ids.insert(e.event_id).second);
  }
  EXPECT_EQ(versions["shared"], size_t{2 * kThreadsPerNode * kAppends / 2 * 2});
}

// Waits until pred holds (true) or timeout (false).
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout) {
  for (auto end = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < end;) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

TEST_F(PostgresEventStoreTest, ACommitOnOneNodeWakesTheOtherNodesListenersAtOnce) {
  options_.catch_up_interval = std::chrono::minutes(10);  // only the notification can wake it in time
  auto node_a = Open(), node_b = Open();
  ASSERT_TRUE(node_a && node_b);
  std::atomic<uint64_t> heard{0};
  auto subscription = node_a->Subscribe([&](uint64_t last) { heard = std::max<uint64_t>(heard, last); });
  auto appended = node_b->Append("s", ExpectedVersion::NoStream(), {MakeEvent("a"), MakeEvent("b")});
  ASSERT_THAT(appended, IsOk());
  EXPECT_TRUE(Eventually([&] { return heard.load() == appended->last_position; }, std::chrono::seconds(5)))
      << "node A heard " << heard.load();
  EXPECT_EQ(node_a->LastPosition(), appended->last_position);
}

TEST_F(PostgresEventStoreTest, ACommitWhoseNotificationIsLostIsFoundByTheCatchUp) {
  options_.catch_up_interval = std::chrono::milliseconds(200);
  auto node_a = Open();
  ASSERT_TRUE(node_a);
  std::atomic<uint64_t> heard{0};
  auto subscription = node_a->Subscribe([&](uint64_t last) { heard = std::max<uint64_t>(heard, last); });
  // Written behind the store's back: no notification at all.
  auto raw = PgConnection::Connect(options_.conninfo);
  ASSERT_THAT(raw, IsOk());
  NewEvent e = MakeEvent("silent");
  std::string envelope = codec::EncodeEvent(e, "s", SystemClock::Instance().Now());
  codec::PatchVersion(envelope, 1);
  ASSERT_THAT((*raw)->Exec("INSERT INTO relais_events (position, stream_id, version, event_id, envelope) VALUES (1, "
                           "'s', 1, $1, $2)",
                           {PgParam::Text(e.event_id), PgParam::Bytes(envelope)}),
              IsOk());
  EXPECT_TRUE(Eventually([&] { return heard.load() == 1; }, std::chrono::seconds(5)));
  EXPECT_EQ(node_a->LastPosition(), 1u);
  auto read = node_a->ReadAll(1, 10);
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(read->events.size(), 1u);
  EXPECT_EQ(read->events[0].event_id, e.event_id);
}

// The events of another node's commit come in its notification: the node
// serves them without a query. Shown by deleting the rows behind both
// stores' backs: the node that heard them still reads them, equal to what
// was written; a store that holds nothing reads the database (now empty).
TEST_F(PostgresEventStoreTest, AnotherNodesCommitIsReadFromItsNotificationAndAHoleFromTheDatabase) {
  options_.catch_up_interval = std::chrono::minutes(10);
  auto node_a = Open(), node_b = Open();
  ASSERT_TRUE(node_a && node_b);
  auto appended = node_b->Append("s", ExpectedVersion::NoStream(),
                                 {MakeEvent("a", {{"n", 1}}), MakeEvent("b", {{"text", "é, \"quoted\""}})});
  ASSERT_THAT(appended, IsOk());
  ASSERT_TRUE(Eventually([&] { return node_a->LastPosition() == 2; }, std::chrono::seconds(5)));
  auto written = node_b->ReadAll(1, 10);  // the writer's own commit, also held
  ASSERT_THAT(written, IsOk());
  ASSERT_EQ(written->events.size(), 2u);
  DeleteEventsBehindTheStores();
  for (PostgresEventStore* node : {node_a.get(), node_b.get()}) {
    auto held = node->ReadAll(1, 10);
    ASSERT_THAT(held, IsOk());
    ASSERT_EQ(held->events.size(), 2u);
    EXPECT_EQ(held->next_position, 3u);
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(held->events[i].ToJsonText(), written->events[i].ToJsonText());
      EXPECT_EQ(held->events[i].position, i + 1);
    }
  }
  auto node_c = Open();  // opened after the commit: holds nothing
  auto read = node_c->ReadAll(1, 10);
  ASSERT_THAT(read, IsOk());
  EXPECT_TRUE(read->events.empty());
}

// Committed events gone from the database (a failover to a standby that
// was not synchronous; here, rows deleted by hand) are no longer served from
// memory once the catch-up sees the database behind the node.
TEST_F(PostgresEventStoreTest, EventsGoneFromTheDatabaseAreForgottenAtTheNextCatchUp) {
  options_.catch_up_interval = std::chrono::milliseconds(100);
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_THAT(store->Append("s", ExpectedVersion::NoStream(), {MakeEvent("a"), MakeEvent("b")}), IsOk());
  auto held = store->ReadAll(1, 10);
  ASSERT_THAT(held, IsOk());
  ASSERT_EQ(held->events.size(), 2u);
  DeleteEventsBehindTheStores();
  EXPECT_TRUE(Eventually(
      [&] {
        auto page = store->ReadAll(1, 10);
        return page.ok() && page->events.empty();
      },
      std::chrono::seconds(5)));
  // The stream's version is read again too: a new append starts it afresh.
  auto again = store->Append("s", ExpectedVersion::NoStream(), {MakeEvent("c")});
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->first_version, 1u);
}

// A commit too large for its notification sends its position only: the
// other node reads it from the database.
TEST_F(PostgresEventStoreTest, ACommitTooLargeForItsNotificationIsReadFromTheDatabase) {
  options_.catch_up_interval = std::chrono::minutes(10);
  options_.notify_events_bytes = 64;
  auto node_a = Open(), node_b = Open();
  ASSERT_TRUE(node_a && node_b);
  ASSERT_THAT(node_b->Append("s", ExpectedVersion::NoStream(), {MakeEvent("a", {{"n", 1}})}), IsOk());
  ASSERT_TRUE(Eventually([&] { return node_a->LastPosition() == 1; }, std::chrono::seconds(5)));
  auto before = node_a->ReadAll(1, 10);
  ASSERT_THAT(before, IsOk());
  ASSERT_EQ(before->events.size(), 1u);
  DeleteEventsBehindTheStores();
  auto after = node_a->ReadAll(1, 10);
  ASSERT_THAT(after, IsOk());
  EXPECT_TRUE(after->events.empty()) << "node A held an event its notification could not carry";
  auto own = node_b->ReadAll(1, 10);  // the writer holds its own commit whatever its size
  ASSERT_THAT(own, IsOk());
  EXPECT_EQ(own->events.size(), 1u);
}

// A page starts with the held run and goes on from the database past a hole.
TEST_F(PostgresEventStoreTest, APageGoesOnFromTheDatabasePastAHole) {
  options_.catch_up_interval = std::chrono::milliseconds(100);
  auto node_a = Open();
  ASSERT_TRUE(node_a);
  ASSERT_THAT(node_a->Append("s", ExpectedVersion::NoStream(), {MakeEvent("held")}), IsOk());
  // Position 2 is written behind the store's back (no notification): a hole.
  auto raw = PgConnection::Connect(options_.conninfo);
  ASSERT_THAT(raw, IsOk());
  NewEvent e = MakeEvent("silent");
  std::string envelope = codec::EncodeEvent(e, "t", SystemClock::Instance().Now());
  codec::PatchVersion(envelope, 1);
  ASSERT_THAT((*raw)->Exec("INSERT INTO relais_events (position, stream_id, version, event_id, envelope) VALUES (2, "
                           "'t', 1, $1, $2)",
                           {PgParam::Text(e.event_id), PgParam::Bytes(envelope)}),
              IsOk());
  ASSERT_TRUE(Eventually([&] { return node_a->LastPosition() == 2; }, std::chrono::seconds(5)));
  ASSERT_THAT(node_a->Append("s", ExpectedVersion::Exact(1), {MakeEvent("held too")}), IsOk());
  auto page = node_a->ReadAll(1, 10);
  ASSERT_THAT(page, IsOk());
  ASSERT_EQ(page->events.size(), 3u);
  EXPECT_EQ(page->events[1].event_id, e.event_id);
  EXPECT_EQ(page->events[2].position, 3u);
  EXPECT_EQ(page->next_position, 4u);
  auto two = node_a->ReadAll(1, 2);
  ASSERT_THAT(two, IsOk());
  ASSERT_EQ(two->events.size(), 2u);
  EXPECT_EQ(two->next_position, 3u);
}

// A node commits a group in one round trip on the versions it knows; when
// another node moved a stream behind its back (here: notifications carry no
// events, so it does not learn the new version), the database refuses the
// belief and the group is decided again on the versions read: never a wrong
// decision, never a gap.
TEST_F(PostgresEventStoreTest, AVersionThatMovedOnAnotherNodeIsCaughtAndTheGroupDecidedOnWhatIsStored) {
  options_.catch_up_interval = std::chrono::minutes(10);
  options_.notify_events_bytes = 0;
  auto node_a = Open(), node_b = Open();
  ASSERT_TRUE(node_a && node_b);
  ASSERT_THAT(node_a->Append("s", ExpectedVersion::NoStream(), {MakeEvent("a1")}), IsOk());
  ASSERT_THAT(node_a->Append("s", ExpectedVersion::Exact(1), {MakeEvent("a2")}), IsOk());
  EXPECT_EQ(node_a->commit_paths().known, 2u) << "a new stream and a known one: one round trip each";
  ASSERT_THAT(node_b->Append("s", ExpectedVersion::Any(), {MakeEvent("b3")}), IsOk());  // s is at 3
  // Node A believes s is at 2: its expectation of 2 must still be refused.
  auto stale = node_a->Append("s", ExpectedVersion::Exact(2), {MakeEvent("never")});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kVersionConflict) << stale.status();
  EXPECT_EQ(node_a->commit_paths().missed, 1u);
  auto any = node_a->Append("s", ExpectedVersion::Any(), {MakeEvent("a4")});
  ASSERT_THAT(any, IsOk());
  EXPECT_EQ(any->first_version, 4u);
  EXPECT_EQ(any->first_position, 4u);
  auto exact = node_a->Append("s", ExpectedVersion::Exact(4), {MakeEvent("a5")});  // known again: one round trip
  ASSERT_THAT(exact, IsOk());
  EXPECT_EQ(node_a->commit_paths().missed, 1u);
  auto stream = node_a->ReadStream("s", 1, 10);
  ASSERT_THAT(stream, IsOk());
  ASSERT_EQ(stream->size(), 5u);
  for (size_t i = 0; i < stream->size(); ++i) EXPECT_EQ((*stream)[i].version, i + 1);
}

// A re-send of a stored append, on a node that knows the stream's version:
// deduplicated (the unique event id refuses the one-round-trip write).
TEST_F(PostgresEventStoreTest, AReSendOnAKnownStreamIsDeduplicatedNotWrittenTwice) {
  auto store = Open();
  ASSERT_TRUE(store);
  const std::vector<NewEvent> events = {MakeEvent("a"), MakeEvent("b")};
  auto first = store->Append("s", ExpectedVersion::Any(), events);
  ASSERT_THAT(first, IsOk());
  auto again = store->Append("s", ExpectedVersion::Any(), events);
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->deduplicated);
  EXPECT_EQ(again->first_position, first->first_position);
  EXPECT_GE(store->commit_paths().missed, 1u);
  EXPECT_EQ(store->LastPosition(), 2u);
  EXPECT_EQ(*store->StreamVersion("s"), 2u);
}

TEST_F(PostgresEventStoreTest, AStoreOpenedAgainFindsEverythingAndGoesOnFromTheLastPosition) {
  NewEvent first = MakeEvent("created", {{"n", 1}});
  {
    auto store = Open();
    ASSERT_THAT(store->Append("s", ExpectedVersion::NoStream(), {first}), IsOk());
    KvWrites kv;
    kv.Put("timer/due/1", "x");
    ASSERT_THAT(store->KvWrite(kv), IsOk());
  }
  auto store = Open();
  EXPECT_EQ(store->LastPosition(), 1u);
  auto found = store->LookupEvent(first.event_id);
  ASSERT_THAT(found, IsOk());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->position, 1u);
  auto next = store->Append("s", ExpectedVersion::Exact(1), {MakeEvent("changed")});
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->first_position, 2u);
  EXPECT_EQ(*store->KvGet("timer/due/1"), std::optional<std::string>("x"));
  // A re-send of the first append is deduplicated, not written again.
  auto again = store->Append("s", ExpectedVersion::NoStream(), {first});
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->deduplicated);
}

TEST_F(PostgresEventStoreTest, AGroupRefusedAtItsWritesLeavesNothingAndTheStoreGoesOn) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_THAT(store->Append("kept", ExpectedVersion::NoStream(), {MakeEvent("first")}), IsOk());
  // The database refuses one side write: the second statement of the
  // group's write pipeline fails after its events were inserted.
  auto conn = PgConnection::Connect(options_.conninfo);
  ASSERT_THAT(conn, IsOk());
  ASSERT_THAT((*conn)->Exec("ALTER TABLE relais_kv ADD CONSTRAINT no_refused CHECK (key <> 'refuse/me'::bytea)"),
              IsOk());
  AppendRequest request;
  request.stream_id = "refused";
  request.expected = ExpectedVersion::NoStream();
  request.events = {MakeEvent("never")};
  request.side_writes.Put("refuse/me", "x");
  const NewEvent event = request.events[0];
  auto refused = store->Append(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("no_refused"), std::string::npos) << refused.status();
  // Nothing of it: no event, no stream, no side write, the position unmoved.
  EXPECT_EQ(store->LastPosition(), 1u);
  EXPECT_EQ(*store->StreamVersion("refused"), 0u);
  EXPECT_EQ(*store->LookupEvent(event.event_id), std::nullopt);
  EXPECT_EQ(*store->KvGet("refuse/me"), std::nullopt);
  // Once the database accepts it again, the same append is written (it was
  // never stored, so it is not a duplicate) at the next position.
  ASSERT_THAT((*conn)->Exec("ALTER TABLE relais_kv DROP CONSTRAINT no_refused"), IsOk());
  auto written = store->Append(request);
  ASSERT_THAT(written, IsOk());
  EXPECT_FALSE(written->deduplicated);
  EXPECT_EQ(written->first_position, 2u);
  EXPECT_EQ(*store->KvGet("refuse/me"), std::optional<std::string>("x"));
}

TEST_F(PostgresEventStoreTest, ASchemaNewerThanTheBinaryIsRefusedAndLeftAsItIs) {
  { ASSERT_TRUE(Open()); }
  auto conn = PgConnection::Connect(options_.conninfo);
  ASSERT_THAT(conn, IsOk());
  ASSERT_THAT((*conn)->Exec("UPDATE relais_schema SET version = 99"), IsOk());
  auto refused = PostgresEventStore::Open(options_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("version 99, newer than this binary's (" +
                                            std::to_string(kPgSchemaVersion) + ")"),
            std::string::npos)
      << refused.status();
  auto kept = (*conn)->Exec("SELECT version FROM relais_schema");
  ASSERT_THAT(kept, IsOk());
  EXPECT_EQ(kept->U64(0, 0), 99u);
}

}  // namespace
}  // namespace relais
