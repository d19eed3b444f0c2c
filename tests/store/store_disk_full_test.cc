// The durable store on a disk that really fills (a small tmpfs the test
// mounts; skipped, saying why, when the test is not root): writes are
// refused while the disk is full, Writable() says why, the store recovers by
// itself once space is freed, and the log holds exactly the acknowledged
// appends. An open on a full disk fails with one line and leaves no
// temporary file (RocksDB 7.8 used to abort the process there).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "engine/store/rocksdb_event_store.h"
#include "engine/util/log.h"
#include "tests/store/store_factory.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/tmpfs_mount.h"

namespace relais {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::IsOk;
using testing::MakeEvent;
using ::testing::Not;
using testing::StatusIs;

// Bounds, not targets: how long recovery may take once space is back, and
// how many appends the test makes to reach a full disk.
constexpr auto kRecoveryDeadline = 20s;
constexpr int kMaxAppendsToFill = 4000;

std::set<std::string> FilesEndingIn(const fs::path& dir, const std::string& suffix) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.insert(e.path().string());
  }
  return out;
}

std::set<std::string> StoredEventIds(EventStore& store) {
  std::set<std::string> ids;
  for (uint64_t from = 1;;) {
    auto page = store.ReadAll(from, 500);
    EXPECT_THAT(page, IsOk());
    if (!page.ok() || page->events.empty()) return ids;
    for (const auto& e : page->events) ids.insert(e.event_id);
    from = page->next_position;
  }
}

class StoreDiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!disk_.mounted()) GTEST_SKIP() << "disk-full test skipped: " << disk_.skip_reason();
  }
  RocksDbStoreOptions Options() {
    RocksDbStoreOptions o;
    o.path = disk_.Sub("store");
    o.write_buffer_bytes = 1 << 20;  // memtables that fit the small disk when flushed
    o.block_cache_bytes = 1 << 20;
    // The first retry comes one interval after the failure: the checks made
    // right after it see the failed state (RocksDB may free space it had
    // reserved, so a retry can succeed although the filler is still there).
    o.resume_interval = 2s;
    o.recovery_free_bytes = 1 << 20;  // one write buffer, as for the disk's size
    o.info_log = &log_;
    return o;
  }
  testing::TmpfsMount disk_{8 << 20};
  CapturingLogger log_;
};

// The store recovers by reopening its database (RocksDB 7.8's DB::Resume()
// could wait for good here, in more than one run in three: docs/storage.md).
TEST_F(StoreDiskFullTest, RefusesWhileFullThenRecoversByItselfAndKeepsExactlyTheAcknowledged) {
  auto opened = RocksDbEventStore::Open(Options());
  ASSERT_THAT(opened, IsOk());
  auto store = std::move(opened).value();
  std::set<std::string> acknowledged, refused;
  const std::string payload(2000, 'x');
  auto append = [&](const std::string& stream) {
    NewEvent e = MakeEvent("noted", Json{{"text", payload}});
    const std::string id = e.event_id;
    auto r = store->Append(stream, ExpectedVersion::Any(), {std::move(e)});
    (r.ok() ? acknowledged : refused).insert(id);
    return r;
  };
  ASSERT_THAT(append("before"), IsOk());
  ASSERT_THAT(store->Writable(), IsOk());

  disk_.FillUp();
  // Free blocks a file had reserved may still take a few appends.
  StatusOr<AppendResult> failed = Internal("no append failed");
  for (int i = 0; i < kMaxAppendsToFill && failed.status().code() == StatusCode::kInternal; ++i) {
    auto r = append("during");
    if (!r.ok()) failed = r.status();
  }
  ASSERT_THAT(failed, StatusIs(StatusCode::kUnavailable)) << "the disk never filled";
  EXPECT_THAT(store->Writable(), StatusIs(StatusCode::kUnavailable, HasSubstr("free disk space")));
  EXPECT_THAT(store->Writable(), StatusIs(StatusCode::kUnavailable, HasSubstr(disk_.Sub("store"))));
  EXPECT_FALSE(log_.Matching("store writes failing").empty());
  // Still full: refused at once, and never acknowledged later.
  EXPECT_THAT(append("during"), StatusIs(StatusCode::kUnavailable));
  // Reads keep working.
  EXPECT_THAT(store->ReadAll(1, 10), IsOk());
  // And still, a retry later: with less than recovery_free_bytes free, the
  // store does not close its database for a reopen that would fail.
  std::this_thread::sleep_for(Options().resume_interval + 500ms);
  EXPECT_THAT(store->ReadAll(1, 10), IsOk());
  EXPECT_THAT(store->Writable(), StatusIs(StatusCode::kUnavailable));

  disk_.Free();
  const auto deadline = std::chrono::steady_clock::now() + kRecoveryDeadline;
  while (!store->Writable().ok() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  ASSERT_THAT(store->Writable(), IsOk()) << "the store did not recover by itself once space was freed";
  EXPECT_FALSE(log_.Matching("store writable again").empty());
  ASSERT_THAT(append("after"), IsOk());

  // Every acknowledged event is there, no refused one, with a gapless log.
  EXPECT_EQ(StoredEventIds(*store), acknowledged);
  EXPECT_EQ(store->LastPosition(), acknowledged.size());
  EXPECT_FALSE(refused.empty());
  // And the same after a restart.
  store.reset();
  auto reopened = RocksDbEventStore::Open(Options());
  ASSERT_THAT(reopened, IsOk());
  EXPECT_EQ(StoredEventIds(**reopened), acknowledged);
  EXPECT_THAT((*reopened)->Append("after.restart", ExpectedVersion::Any(), {MakeEvent("noted")}), IsOk());
}

TEST_F(StoreDiskFullTest, OpeningAnExistingStoreOnAFullDiskFailsInOneLineAndLeavesNoTempFile) {
  {
    auto created = RocksDbEventStore::Open(Options());
    ASSERT_THAT(created, IsOk());
    ASSERT_THAT((*created)->Append("p", ExpectedVersion::NoStream(), {MakeEvent("noted")}), IsOk());
  }
  disk_.FillUp();
  const size_t records_before = log_.records().size();
  auto opened = RocksDbEventStore::Open(Options());
  ASSERT_THAT(opened, StatusIs(StatusCode::kUnavailable, HasSubstr("disk is full")));
  EXPECT_EQ(log_.records().size(), records_before) << "a failed open is its Status, nothing else";
  const std::string message = opened.status().message();
  EXPECT_THAT(message, HasSubstr(disk_.Sub("store")));
  EXPECT_THAT(message, HasSubstr("free space"));
  EXPECT_THAT(message, Not(HasSubstr("\n")));
  EXPECT_EQ(FilesEndingIn(disk_.Sub("store"), ".dbtmp"), std::set<std::string>{});
  EXPECT_FALSE(fs::exists(disk_.Sub("store") + "/LOG")) << "RocksDB's own LOG file is not written";

  disk_.Free();
  auto healthy = RocksDbEventStore::Open(Options());
  ASSERT_THAT(healthy, IsOk());
  EXPECT_EQ((*healthy)->LastPosition(), 1u);
}

TEST_F(StoreDiskFullTest, CreatingAStoreOnAFullDiskFailsInOneLineAndLeavesNothing) {
  disk_.FillUp();
  auto opened = RocksDbEventStore::Open(Options());
  ASSERT_THAT(opened, StatusIs(StatusCode::kUnavailable, HasSubstr("disk is full")));
  EXPECT_THAT(log_.records(), ::testing::IsEmpty()) << "a failed open is its Status, nothing else";
  EXPECT_THAT(opened.status().message(), HasSubstr(disk_.Sub("store")));
  EXPECT_THAT(opened.status().message(), Not(HasSubstr("\n")));
  // Nothing but the filler: no staging directory, no temporary file.
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(disk_.Sub("")))
    if (e.path().filename() != "filler") left.push_back(e.path().string());
  EXPECT_THAT(left, ::testing::IsEmpty());
}

}  // namespace
}  // namespace relais
