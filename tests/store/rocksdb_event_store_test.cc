// What only the durable store promises: reopening, format checks that touch
// nothing, I/O errors, group commit.
#include "engine/store/rocksdb_event_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "engine/util/log.h"
#include "tests/store/store_factory.h"
#include "tests/testing/fault_injection_fs.h"
#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::IsOk;
using testing::MakeEvent;
using testing::StatusIs;

// Every file with its size and modification time: "touches nothing" means equal.
std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> Listing(const fs::path& dir) {
  std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    out[e.path().string()] = {e.is_regular_file() ? e.file_size() : 0, e.last_write_time()};
  return out;
}

class RocksDbEventStoreTest : public ::testing::Test {
 protected:
  RocksDbStoreOptions Options() {
    RocksDbStoreOptions o;
    o.path = dir_.Sub("store");
    return o;
  }
  std::unique_ptr<RocksDbEventStore> Open(const RocksDbStoreOptions& o) {
    auto s = RocksDbEventStore::Open(o);
    EXPECT_THAT(s, IsOk());
    return s.ok() ? std::move(s).value() : nullptr;
  }
  testing::TempDir dir_;
};

TEST_F(RocksDbEventStoreTest, ReopenKeepsEverythingAndContinuesPositions) {
  {
    auto store = Open(Options());
    ASSERT_THAT(store->Append("p1", ExpectedVersion::NoStream(), {MakeEvent("a"), MakeEvent("b")}), IsOk());
    ASSERT_THAT(store->Append("p2", ExpectedVersion::NoStream(), {MakeEvent("c")}), IsOk());
    KvWrites w;
    w.Put("k", "v");
    ASSERT_THAT(store->KvWrite(w), IsOk());
    ASSERT_THAT(store->SaveSnapshot("p1", {2, "s", "state"}), IsOk());
  }
  auto store = Open(Options());
  EXPECT_EQ(store->LastPosition(), 3u);
  EXPECT_EQ(*store->StreamVersion("p1"), 2u);
  EXPECT_EQ(store->KvGet("k")->value_or(""), "v");
  EXPECT_EQ((*store->LoadSnapshot("p1"))->payload, "state");
  auto r = store->Append("p1", ExpectedVersion::Exact(2), {MakeEvent("d")});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->first_version, 3u);
  EXPECT_EQ(r->first_position, 4u);
}

TEST_F(RocksDbEventStoreTest, CreatesMissingParentDirectories) {
  auto o = Options();
  o.path = dir_.Sub("a/b/c/store");
  auto store = Open(o);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(fs::exists(fs::path(o.path) / "CURRENT"));
}

TEST_F(RocksDbEventStoreTest, RefusesANonEmptyDirectoryThatIsNotAStoreAndTouchesNothing) {
  auto o = Options();
  fs::create_directories(o.path);
  std::ofstream(fs::path(o.path) / "notes.txt") << "my notes";
  auto before = Listing(o.path);
  EXPECT_THAT(RocksDbEventStore::Open(o),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("is not a Relais store")));
  EXPECT_EQ(Listing(o.path), before);
}

TEST_F(RocksDbEventStoreTest, RefusesAForeignRocksDbAndTouchesNothing) {
  auto o = Options();
  {
    rocksdb::Options ro;
    ro.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(ro, o.path, &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "someone", "else").ok());
    delete db;
  }
  auto before = Listing(o.path);
  EXPECT_THAT(RocksDbEventStore::Open(o),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("lacks the column family 'log'")));
  EXPECT_EQ(Listing(o.path), before);
}

TEST_F(RocksDbEventStoreTest, RefusesAnUnknownFormatVersionAndTouchesNothing) {
  auto o = Options();
  { Open(o); }
  {  // Pretend a future Relais wrote this store.
    rocksdb::Options ro;
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(ro, o.path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(ro, o.path, cfs, &handles, &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "relais.store.format", "99").ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  auto before = Listing(o.path);
  EXPECT_THAT(RocksDbEventStore::Open(o), StatusIs(StatusCode::kFailedPrecondition,
                                                   HasSubstr("format version 99; this build reads format version 1")));
  EXPECT_EQ(Listing(o.path), before);
}

TEST_F(RocksDbEventStoreTest, RefusesAFileWhereTheDirectoryShouldBe) {
  auto o = Options();
  std::ofstream(o.path) << "x";
  EXPECT_THAT(RocksDbEventStore::Open(o), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("not a directory")));
}

TEST_F(RocksDbEventStoreTest, WalWriteErrorFailsTheAppendAndLeavesNoTrace) {
  auto faults = testing::FaultInjectionFs::Make();
  auto env = testing::MakeEnv(faults);
  auto o = Options();
  o.env = env.get();
  std::string failed_id;
  {
    auto store = Open(o);
    ASSERT_THAT(store->Append("p1", ExpectedVersion::NoStream(), {MakeEvent("ok.before")}), IsOk());
    faults->Inject(testing::FaultInjectionFs::Fault::kWalAppend);
    NewEvent doomed = MakeEvent("doomed");
    failed_id = doomed.event_id;
    AppendRequest req;
    req.stream_id = "p1";
    req.events = {doomed, MakeEvent("doomed.too")};
    req.side_writes.Put("outbox/doomed", "x");
    EXPECT_THAT(store->Append(std::move(req)), StatusIs(StatusCode::kUnavailable, HasSubstr("append not stored")));
    EXPECT_GT(faults->injected(), 0);
    // Nothing of it is visible; reads keep working.
    EXPECT_EQ(store->LastPosition(), 1u);
    EXPECT_EQ(*store->StreamVersion("p1"), 1u);
    EXPECT_EQ(store->ReadStream("p1", 1, 10)->size(), 1u);
    EXPECT_EQ(store->ReadAll(1, 10)->events.size(), 1u);
    EXPECT_FALSE(store->KvGet("outbox/doomed")->has_value());
    faults->Inject(testing::FaultInjectionFs::Fault::kNone);
  }
  // After a restart the failed append is still absent, and appends continue gapless.
  o.env = nullptr;
  auto store = Open(o);
  EXPECT_EQ(store->LastPosition(), 1u);
  EXPECT_FALSE(store->KvGet("outbox/doomed")->has_value());
  auto r = store->Append("p1", ExpectedVersion::Exact(1), {MakeEvent("ok.after")});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->first_position, 2u);
}

TEST_F(RocksDbEventStoreTest, WalSyncErrorFailsTheAppendAndReadsKeepWorking) {
  auto faults = testing::FaultInjectionFs::Make();
  auto env = testing::MakeEnv(faults);
  auto o = Options();
  o.env = env.get();
  auto store = Open(o);
  ASSERT_THAT(store->Append("p1", ExpectedVersion::NoStream(), {MakeEvent("ok")}), IsOk());
  faults->Inject(testing::FaultInjectionFs::Fault::kWalSync);
  EXPECT_THAT(store->Append("p1", ExpectedVersion::Exact(1), {MakeEvent("doomed")}),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(store->LastPosition(), 1u);
  EXPECT_EQ(*store->StreamVersion("p1"), 1u);
  EXPECT_EQ(store->ReadStream("p1", 1, 10)->size(), 1u);
  faults->Inject(testing::FaultInjectionFs::Fault::kNone);
}

// Bounds, not targets: how long a store may take to reopen itself once the
// fault is gone.
constexpr auto kRecoveryDeadline = std::chrono::seconds(20);

bool WritableWithin(EventStore& store, std::chrono::steady_clock::duration limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!store.Writable().ok() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return store.Writable().ok();
}

// A WAL write that fails for another reason than space is, for RocksDB, a
// fatal error that no DB::Resume() clears. The store reopens its database
// once the fault is gone; readers running meanwhile get answers or
// UNAVAILABLE, never another error; the refused append is never stored.
TEST_F(RocksDbEventStoreTest, AfterAFatalWalErrorTheStoreReopensItselfAndNothingRefusedIsStored) {
  auto faults = testing::FaultInjectionFs::Make();
  auto env = testing::MakeEnv(faults);
  auto o = Options();
  o.env = env.get();
  o.resume_interval = std::chrono::milliseconds(20);
  o.recovery_free_bytes = 0;  // the temporary directory's disk is not the subject here
  CapturingLogger log;
  o.info_log = &log;
  std::string doomed_id;
  {
    auto store = Open(o);
    ASSERT_THAT(store->Append("p1", ExpectedVersion::NoStream(), {MakeEvent("ok.before")}), IsOk());
    KvWrites w;
    w.Put("k", "v");
    ASSERT_THAT(store->KvWrite(w), IsOk());
    std::atomic<bool> stop{false};
    std::atomic<int> answered{0}, unavailable{0}, other{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t)
      readers.emplace_back([&] {
        while (!stop.load()) {
          for (const Status& s :
               {store->ReadAll(1, 10).status(), store->KvGet("k").status(), store->StreamVersion("p1").status()}) {
            if (s.ok())
              ++answered;
            else if (s.code() == StatusCode::kUnavailable)
              ++unavailable;
            else
              ++other;
          }
        }
      });
    faults->Inject(testing::FaultInjectionFs::Fault::kWalAppend);
    NewEvent doomed = MakeEvent("doomed");
    doomed_id = doomed.event_id;
    EXPECT_THAT(store->Append("p1", ExpectedVersion::Any(), {doomed}), StatusIs(StatusCode::kUnavailable));
    EXPECT_THAT(store->Writable(), StatusIs(StatusCode::kUnavailable, HasSubstr(o.path)));
    EXPECT_THAT(store->Writable(), StatusIs(StatusCode::kUnavailable, HasSubstr("injected fault")));
    EXPECT_THAT(store->Writable(), StatusIs(StatusCode::kUnavailable, HasSubstr("it reopens itself")));
    faults->Inject(testing::FaultInjectionFs::Fault::kNone);

    ASSERT_TRUE(WritableWithin(*store, kRecoveryDeadline)) << store->Writable().ToString();
    stop = true;
    for (auto& t : readers) t.join();
    EXPECT_GT(answered.load(), 0);
    EXPECT_EQ(other.load(), 0) << "readers saw errors other than UNAVAILABLE";
    ASSERT_EQ(log.Matching("store writes failing").size(), 1u) << "logged once, not per retry";
    EXPECT_EQ(log.Matching("store writes failing")[0].level, LogLevel::kWarn);
    EXPECT_EQ(log.Matching("store writable again").size(), 1u);
    EXPECT_FALSE(store->LookupEvent(doomed_id)->has_value());
    EXPECT_EQ(store->LastPosition(), 1u);
    EXPECT_EQ(store->KvGet("k")->value_or(""), "v");
    auto r = store->Append("p1", ExpectedVersion::Exact(1), {MakeEvent("ok.after")});
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->first_position, 2u);
  }
  o.env = nullptr;
  auto store = Open(o);
  EXPECT_FALSE(store->LookupEvent(doomed_id)->has_value());
  EXPECT_EQ(store->LastPosition(), 2u);
}

// A sync that fails leaves the append's bytes in the log: the reopen finds
// it stored, as a restart would. It was refused, never acknowledged; its
// position is taken, subscribers hear of it, and a re-send of its event id
// is answered as deduplicated, with nothing written twice.
TEST_F(RocksDbEventStoreTest, AnAppendRefusedBecauseItsSyncFailedIsFoundStoredByTheReopenAndAResendIsDeduplicated) {
  auto faults = testing::FaultInjectionFs::Make();
  auto env = testing::MakeEnv(faults);
  auto o = Options();
  o.env = env.get();
  o.resume_interval = std::chrono::milliseconds(20);
  o.recovery_free_bytes = 0;
  CapturingLogger log;
  o.info_log = &log;
  auto store = Open(o);
  ASSERT_THAT(store->Append("p1", ExpectedVersion::NoStream(), {MakeEvent("ok")}), IsOk());
  std::atomic<uint64_t> heard{0};
  auto subscription = store->Subscribe([&](uint64_t last) { heard = last; });

  faults->Inject(testing::FaultInjectionFs::Fault::kWalSync);
  NewEvent unsure = MakeEvent("unsure");
  EXPECT_THAT(store->Append("p1", ExpectedVersion::Exact(1), {unsure}), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(store->LastPosition(), 1u) << "refused: not visible before the reopen";
  faults->Inject(testing::FaultInjectionFs::Fault::kNone);

  ASSERT_TRUE(WritableWithin(*store, kRecoveryDeadline)) << store->Writable().ToString();
  EXPECT_EQ(store->LastPosition(), 2u);
  EXPECT_EQ(heard.load(), 2u);
  EXPECT_EQ(*store->StreamVersion("p1"), 2u);
  EXPECT_EQ(log.Matching("store found refused appends stored").size(), 1u);
  auto again = store->Append("p1", ExpectedVersion::Exact(1), {unsure});
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->deduplicated);
  EXPECT_EQ(again->first_position, 2u);
  auto next = store->Append("p1", ExpectedVersion::Exact(2), {MakeEvent("next")});
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->first_position, 3u);
  EXPECT_EQ(store->ReadAll(1, 10)->events.size(), 3u);
}

TEST_F(RocksDbEventStoreTest, ConcurrentAppendsShareSyncs) {
  auto store = Open(Options());
  constexpr int kThreads = 32, kPerThread = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i)
        EXPECT_THAT(store->Append("s" + std::to_string(t), ExpectedVersion::Any(), {MakeEvent("e")}), IsOk());
    });
  for (auto& t : threads) t.join();
  StoreStats stats = store->Stats();
  EXPECT_EQ(stats.appends, uint64_t{kThreads * kPerThread});
  EXPECT_LT(stats.commit_groups, stats.appends / 2) << "group commit should batch concurrent appends";
  EXPECT_GT(stats.disk_bytes, 0u);
}

}  // namespace
}  // namespace relais
