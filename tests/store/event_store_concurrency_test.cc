// Many threads appending to the same and to different streams: versions stay
// gapless per stream, positions gapless and increasing over the store.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "tests/store/store_factory.h"
#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

using testing::MakeEvent;

class EventStoreConcurrencyTest : public ::testing::TestWithParam<testing::StoreKind> {};

TEST_P(EventStoreConcurrencyTest, GaplessUnderContention) {
  auto sut = GetParam().make(SystemClock::Instance());
  EventStore& store = sut->store();
  constexpr int kThreads = 16, kAppendsPerThread = 60;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppendsPerThread; ++i) {
        size_t n = 1 + (i % 3);
        std::vector<NewEvent> events;
        for (size_t k = 0; k < n; ++k) events.push_back(MakeEvent("e", {{"t", t}, {"i", i}, {"k", k}}));
        if (i % 2 == 0) {
          // Contended stream with optimistic concurrency: read, append, retry.
          while (true) {
            uint64_t v = *store.StreamVersion("shared");
            auto r = store.Append("shared", v == 0 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(v), events);
            if (r.ok()) break;
            ASSERT_EQ(r.status().code(), StatusCode::kVersionConflict) << r.status();
            conflicts.fetch_add(1);
          }
        } else {
          ASSERT_TRUE(store.Append("own-" + std::to_string(t), ExpectedVersion::Any(), events).ok());
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  const uint64_t expected_events = kThreads * (kAppendsPerThread / 3) * (1 + 2 + 3);
  auto page = store.ReadAll(1, 1'000'000);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), expected_events);
  std::map<std::string, uint64_t> last_version;
  std::set<std::string> ids;
  for (size_t i = 0; i < page->events.size(); ++i) {
    const RecordedEvent& e = page->events[i];
    ASSERT_EQ(e.position, i + 1) << "global positions gapless and in order";
    ASSERT_EQ(e.version, last_version[e.stream_id] + 1) << "versions gapless in " << e.stream_id;
    last_version[e.stream_id] = e.version;
    ASSERT_TRUE(ids.insert(e.event_id).second) << "no event written twice";
  }
  EXPECT_EQ(store.LastPosition(), expected_events);
  for (auto& [stream, v] : last_version) {
    EXPECT_EQ(*store.StreamVersion(stream), v);
    auto events = store.ReadStream(stream, 1, 100000);
    ASSERT_EQ(events->size(), v);
  }
}

INSTANTIATE_TEST_SUITE_P(AllStores, EventStoreConcurrencyTest,
                         ::testing::ValuesIn(testing::AllStoreKindsWithPostgresBothWays()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace relais
