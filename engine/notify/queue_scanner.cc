#include "engine/notify/queue_scanner.h"

namespace relais::notify {

namespace {

std::string LaneOfSuffix(const std::string& suffix) { return suffix.substr(0, suffix.rfind('/')); }

}  // namespace

Status QueueScanner::ForEachLane(const std::function<void(const std::string& lane)>& found) {
  after_.clear();
  std::string after;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(layout_.QueuePrefix(), after, 1));
    if (page.empty()) return Status::Ok();
    const std::string lane = LaneOfSuffix(page.front().key.substr(layout_.QueuePrefix().size()));
    found(lane);
    after = layout_.QueueKey(lane + "/~");  // past this lane's entries
  }
}

void QueueScanner::Expect(std::vector<std::string> suffixes) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(incoming_mu_);
  for (auto& s : suffixes) incoming_.push_back({std::move(s), now});
}

std::vector<std::string> QueueScanner::TakeCommitted() {
  {
    std::lock_guard lock(incoming_mu_);
    for (auto& e : incoming_) expected_.push_back(std::move(e));
    incoming_.clear();
  }
  std::vector<std::string> lanes;
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(expected_, [&](const Expected& e) {
    auto value = store_.KvGet(layout_.QueueKey(e.suffix));
    if (value.ok() && value->has_value()) {
      lanes.push_back(LaneOfSuffix(e.suffix));
      return true;
    }
    return now - e.since > kExpectFor;
  });
  return lanes;
}

StatusOr<std::optional<KvEntry>> QueueScanner::Head(const std::string& lane) {
  // Usually the first entry is the head: read one, then pages of eight past
  // entries deleted by unwritten changes.
  constexpr size_t kPage = 8;
  const uint64_t epoch = epoch_.load();
  if (epoch != cursor_epoch_) {
    after_.clear();
    cursor_epoch_ = epoch;
  }
  const std::string prefix = layout_.QueueKey(lane + "/");
  std::string after;
  if (auto it = after_.find(lane); it != after_.end()) after = it->second;
  const bool from_cursor = !after.empty();
  for (size_t want = 1;; want = kPage) {
    const uint64_t written = writer_.written();
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(prefix, after, want));
    // Entries queued again below the cursor while scanning: look again from
    // the lane's start (the epoch moved, so the cursor is dropped).
    if (from_cursor && epoch_.load() != epoch) return Head(lane);
    for (KvEntry& entry : page) {
      auto change = writer_.Unwritten(entry.key);
      // A batch written between the scan and Unwritten: the scan may hold
      // the value from before it (a retried delivery's old attempt count, so
      // its next attempt would be sent twice as "attempt 1"). Look again;
      // bounded, since only this thread submits to the writer.
      if (!change && writer_.written() != written) return Head(lane);
      if (!change) return std::optional<KvEntry>(std::move(entry));
      if (*change) {
        entry.value = std::move(**change);
        return std::optional<KvEntry>(std::move(entry));
      }
      after = entry.key;  // deleted, not yet written
    }
    if (page.size() < want) return std::optional<KvEntry>();
  }
}

}  // namespace relais::notify
