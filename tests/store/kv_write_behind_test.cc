// KvWriteBehind: writes reach the store in order, the unwritten overlay
// answers until they do, and the destructor writes what is still queued.
#include "engine/store/kv_write_behind.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "engine/store/fault_injecting_event_store.h"
#include "engine/store/memory_event_store.h"
#include "engine/store/rocksdb_event_store.h"
#include "engine/util/log.h"
#include "tests/testing/temp_dir.h"

namespace relais {
namespace {

KvWrites PutOf(std::string key, std::string value) {
  KvWrites w;
  w.Put(std::move(key), std::move(value));
  return w;
}

TEST(KvWriteBehindTest, DrainedWritesAreInTheStoreAndLeaveNoOverlay) {
  MemoryEventStore store;
  KvWriteBehind writer(store);
  writer.Submit(PutOf("k/a", "1"));
  KvWrites w;
  w.Put("k/b", "2");
  w.Delete("k/a");
  writer.Submit(std::move(w));
  writer.Drain();
  EXPECT_EQ(writer.pending(), 0u);
  EXPECT_FALSE(writer.Unwritten("k/a").has_value());
  auto a = store.KvGet("k/a");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->has_value());  // the later delete won
  auto b = store.KvGet("k/b");
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ(**b, "2");
}

TEST(KvWriteBehindTest, ThenRunsOnceItsWritesAreInTheStoreInSubmissionOrder) {
  MemoryEventStore store;
  KvWriteBehind writer(store);
  std::mutex mu;
  std::vector<std::string> seen;  // what each `then` found in the store, in call order
  for (int i = 0; i < 50; ++i) {
    const std::string key = "k/" + std::to_string(i);
    writer.Submit(PutOf(key, std::to_string(i)), [&, key] {
      auto value = store.KvGet(key);
      std::lock_guard lock(mu);
      seen.push_back(value.ok() && value->has_value() ? **value : "missing");
    });
  }
  bool empty_ran = false;
  writer.Submit(KvWrites{}, [&] { empty_ran = true; });  // nothing to write: at once
  EXPECT_TRUE(empty_ran);
  writer.Drain();
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(seen[i], std::to_string(i)) << "then ran before its write, or out of order";
}

TEST(KvWriteBehindTest, TheOverlayGivesTheLastSubmittedChangeOfAKey) {
  MemoryEventStore store;
  KvWriteBehind writer(store);
  // Many changes to one key from this thread: whatever the writer has done
  // meanwhile, the overlay never answers an older value than the last one.
  for (int i = 0; i < 2000; ++i) {
    writer.Submit(PutOf("k/x", std::to_string(i)));
    auto change = writer.Unwritten("k/x");
    if (change) {
      ASSERT_TRUE(change->has_value());
      EXPECT_EQ(**change, std::to_string(i));
    } else {
      auto stored = store.KvGet("k/x");
      ASSERT_TRUE(stored.ok() && stored->has_value());
      EXPECT_EQ(**stored, std::to_string(i));
    }
  }
  KvWrites del;
  del.Delete("k/x");
  writer.Submit(std::move(del));
  auto change = writer.Unwritten("k/x");
  if (change) {
    EXPECT_FALSE(change->has_value());  // deleted, not yet written
  }
  writer.Drain();
  auto stored = store.KvGet("k/x");
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value());
}

TEST(KvWriteBehindTest, TheDestructorWritesWhatIsQueuedToARealStore) {
  testing::TempDir dir;
  RocksDbStoreOptions options;
  options.path = dir.Sub("db");
  {
    auto store = RocksDbEventStore::Open(options);
    ASSERT_TRUE(store.ok());
    {
      KvWriteBehind writer(**store);
      for (int i = 0; i < 500; ++i) writer.Submit(PutOf("k/" + std::to_string(1000 + i), "v"));
    }
    auto all = (*store)->KvScan("k/", "", 10'000);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), 500u);
  }
}

TEST(KvWriteBehindTest, AFailedWriteIsLoggedWithItsCauseAndDropped) {
  MemoryEventStore base;
  FaultInjectingEventStore store(base);
  CapturingLogger log;
  KvWriteBehind writer(store, {.info_log = &log});
  store.FailNextAppends(1, Unavailable("disk full under /srv/relais"));
  writer.Submit(PutOf("k/a", "1"));
  writer.Drain();
  auto records = log.Matching("write-behind");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].level, LogLevel::kWarn);
  EXPECT_NE(records[0].Field("cause").find("disk full under /srv/relais"), std::string::npos);
  EXPECT_FALSE(writer.Unwritten("k/a").has_value()) << "dropped, not kept as if written";
  EXPECT_FALSE(store.KvGet("k/a")->has_value());
}

}  // namespace
}  // namespace relais
