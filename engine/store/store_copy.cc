#include "engine/store/store_copy.h"

#include <openssl/evp.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>

namespace relais {
namespace {

// An incremental SHA-256, in lower-case hex at the end.
class Digest {
 public:
  Digest() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }
  void Add(std::string_view text) {
    EVP_DigestUpdate(ctx_.get(), text.data(), text.size());
    EVP_DigestUpdate(ctx_.get(), "\n", 1);
  }
  std::string Hex() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_.get(), out, &n);
    static const char* kHex = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < n; ++i) {
      hex += kHex[out[i] >> 4];
      hex += kHex[out[i] & 15];
    }
    return hex;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

NewEvent AsNew(const RecordedEvent& e) {
  NewEvent n;
  n.event_id = e.event_id;
  n.type = e.type;
  n.data_json = e.data_json;
  n.metadata = e.metadata;
  n.schema_version = e.schema_version;
  return n;
}

// Every stream id of the store's log, from position 1.
StatusOr<std::set<std::string>> StreamsOf(EventStore& store, size_t page_events) {
  std::set<std::string> streams;
  for (uint64_t from = 1;;) {
    RELAIS_ASSIGN_OR_RETURN(LogPage page, store.ReadAll(from, page_events));
    if (page.events.empty()) break;
    for (const RecordedEvent& e : page.events) streams.insert(e.stream_id);
    from = page.next_position;
  }
  return streams;
}

// The stream's count and digest.
StatusOr<std::pair<uint64_t, std::string>> StreamDigest(EventStore& store, const std::string& stream, size_t page) {
  Digest d;
  uint64_t count = 0;
  for (uint64_t from = 1;;) {
    RELAIS_ASSIGN_OR_RETURN(auto events, store.ReadStream(stream, from, page));
    if (events.empty()) break;
    for (const RecordedEvent& e : events) {
      d.Add(std::to_string(e.position) + " " + e.ToJsonText());
      ++count;
      from = e.version + 1;
    }
  }
  return std::make_pair(count, d.Hex());
}

StatusOr<std::pair<size_t, std::string>> KvDigest(EventStore& store, size_t page) {
  Digest d;
  size_t count = 0;
  for (std::string after;;) {
    RELAIS_ASSIGN_OR_RETURN(auto entries, store.KvScan("", after, page));
    if (entries.empty()) break;
    for (const KvEntry& e : entries) {
      d.Add(std::to_string(e.key.size()) + ":" + e.key + "=" + std::to_string(e.value.size()) + ":" + e.value);
      ++count;
    }
    after = entries.back().key;
  }
  return std::make_pair(count, d.Hex());
}

// Appends one page in order, all in flight at once (they share commit
// groups); checks each lands at its source position.
Status AppendPage(EventStore& target, const std::vector<RecordedEvent>& events) {
  struct Wait {
    std::mutex mu;
    std::condition_variable cv;
    size_t left;
    Status first_error;
  };
  auto wait = std::make_shared<Wait>();
  wait->left = events.size();
  for (const RecordedEvent& e : events) {
    AppendRequest request;
    request.stream_id = e.stream_id;
    request.expected = e.version == 1 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(e.version - 1);
    request.events.push_back(AsNew(e));
    request.recorded_at = e.metadata.recorded_at;
    const uint64_t position = e.position;
    const std::string id = e.event_id;
    target.AppendAsync(std::move(request), [wait, position, id](StatusOr<AppendResult> r) {
      std::lock_guard lock(wait->mu);
      if (wait->first_error.ok()) {
        if (!r.ok())
          wait->first_error =
              r.status().WithContext("copying event " + id + " (position " + std::to_string(position) + ")");
        else if (r->first_position != position)
          wait->first_error =
              FailedPrecondition("event " + id + " landed at position " + std::to_string(r->first_position) + ", not " +
                                 std::to_string(position) + ": is something writing to the target?");
      }
      if (--wait->left == 0) wait->cv.notify_all();
    });
  }
  std::unique_lock lock(wait->mu);
  wait->cv.wait(lock, [&] { return wait->left == 0; });
  return wait->first_error;
}

}  // namespace

StatusOr<CopyReport> CopyStore(EventStore& source, EventStore& target, const CopyOptions& options) {
  CopyReport report;
  const uint64_t total = source.LastPosition();
  report.resumed_after = target.LastPosition();
  if (report.resumed_after > total)
    return FailedPrecondition("the target holds " + std::to_string(report.resumed_after) + " events, the source only " +
                              std::to_string(total) + ": not a copy of this source");
  if (report.resumed_after > 0) {
    RELAIS_ASSIGN_OR_RETURN(LogPage ours, target.ReadAll(report.resumed_after, 1));
    RELAIS_ASSIGN_OR_RETURN(LogPage theirs, source.ReadAll(report.resumed_after, 1));
    if (ours.events.empty() || theirs.events.empty() || ours.events[0].event_id != theirs.events[0].event_id)
      return FailedPrecondition("the target's event at position " + std::to_string(report.resumed_after) +
                                " is not the source's: the target holds another store's events");
  }
  for (uint64_t from = report.resumed_after + 1; from <= total;) {
    RELAIS_ASSIGN_OR_RETURN(LogPage page, source.ReadAll(from, options.page_events));
    if (page.events.empty()) break;
    RELAIS_RETURN_IF_ERROR(AppendPage(target, page.events));
    report.events += page.events.size();
    from = page.next_position;
    if (options.progress) options.progress(from - 1, total);
  }
  RELAIS_ASSIGN_OR_RETURN(auto streams, StreamsOf(source, options.page_events));
  for (const std::string& stream : streams) {
    RELAIS_ASSIGN_OR_RETURN(auto snapshot, source.LoadSnapshot(stream));
    if (!snapshot) continue;
    RELAIS_RETURN_IF_ERROR(target.SaveSnapshot(stream, *snapshot).WithContext("snapshot of " + stream));
    ++report.snapshots;
  }
  for (std::string after;;) {
    RELAIS_ASSIGN_OR_RETURN(auto entries, source.KvScan("", after, options.page_keys));
    if (entries.empty()) break;
    KvWrites writes;
    for (const KvEntry& e : entries) writes.Put(e.key, e.value);
    RELAIS_RETURN_IF_ERROR(target.KvWrite(writes));
    report.kv_entries += entries.size();
    after = entries.back().key;
  }
  return report;
}

StatusOr<CopyCheck> VerifyCopy(EventStore& source, EventStore& target, const CopyOptions& options) {
  CopyCheck check;
  check.events = source.LastPosition();
  if (target.LastPosition() != check.events)
    check.differences.push_back("last position: source " + std::to_string(check.events) + ", target " +
                                std::to_string(target.LastPosition()));
  RELAIS_ASSIGN_OR_RETURN(auto streams, StreamsOf(source, options.page_events));
  RELAIS_ASSIGN_OR_RETURN(auto target_streams, StreamsOf(target, options.page_events));
  check.streams = streams.size();
  if (target_streams != streams)
    check.differences.push_back("streams: source " + std::to_string(streams.size()) + ", target " +
                                std::to_string(target_streams.size()));
  for (const std::string& stream : streams) {
    RELAIS_ASSIGN_OR_RETURN(auto mine, StreamDigest(source, stream, options.page_events));
    RELAIS_ASSIGN_OR_RETURN(auto theirs, StreamDigest(target, stream, options.page_events));
    if (mine != theirs)
      check.differences.push_back("stream " + stream + ": source " + std::to_string(mine.first) + " events (" +
                                  mine.second.substr(0, 12) + "), target " + std::to_string(theirs.first) + " (" +
                                  theirs.second.substr(0, 12) + ")");
    RELAIS_ASSIGN_OR_RETURN(auto snap_a, source.LoadSnapshot(stream));
    RELAIS_ASSIGN_OR_RETURN(auto snap_b, target.LoadSnapshot(stream));
    if (snap_a.has_value() != snap_b.has_value() ||
        (snap_a && (snap_a->version != snap_b->version || snap_a->schema != snap_b->schema ||
                    snap_a->payload != snap_b->payload)))
      check.differences.push_back("snapshot of stream " + stream + " differs");
  }
  RELAIS_ASSIGN_OR_RETURN(auto kv_a, KvDigest(source, options.page_keys));
  RELAIS_ASSIGN_OR_RETURN(auto kv_b, KvDigest(target, options.page_keys));
  check.kv_entries = kv_a.first;
  if (kv_a != kv_b)
    check.differences.push_back("key-value space: source " + std::to_string(kv_a.first) + " entries, target " +
                                std::to_string(kv_b.first));
  return check;
}

}  // namespace relais
