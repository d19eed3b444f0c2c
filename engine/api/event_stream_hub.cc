#include "engine/api/event_stream_hub.h"

#include "engine/notify/webhook_keys.h"
#include "engine/programme/programme.h"
#include "engine/util/thread_name.h"

#include <algorithm>
#include <deque>
#include <map>
#include <string_view>

namespace relais::api {
namespace {

// Global-log events read per stream per round, so one stream catching up
// from far back does not delay the others.
constexpr size_t kEventsPerRound = 256;

}  // namespace

// What the hub thread, the store's commit listener and the followers share.
struct EventStreamHub::Shared {
  std::mutex mu;
  std::condition_variable wake;
  bool dirty = false;  // something to do: a commit, a new or resumed stream
  bool stopping = false;
  std::vector<std::shared_ptr<Follower>> followers;
  struct Notice {
    std::string partner;  // who may see it: those who manage its endpoints
    std::string text;     // the SSE message
  };
  std::deque<Notice> notices;  // announced, not yet written

  // commit: only open streams have anything to read then (a stream that
  // opens later reads from its own cursor), so the hub thread sleeps through
  // commits while none is open.
  void Wake(bool commit = false) {
    {
      std::lock_guard lock(mu);
      if (commit && followers.empty()) return;
      dirty = true;
    }
    wake.notify_one();
  }
};

// One open stream. Start/Stop come from the HTTP session; the cursor is the
// hub thread's alone.
class EventStreamHub::Follower final : public server::ResponseStream {
 public:
  Follower(std::shared_ptr<Shared> shared, access::Principal who, uint64_t next, std::chrono::milliseconds keepalive)
      : shared_(std::move(shared)), who_(std::move(who)), keepalive_(keepalive) {
    next_ = next;
  }

  void Start(std::shared_ptr<server::StreamSink> sink) override {
    {
      std::lock_guard lock(shared_->mu);
      if (stopped_) return;
      sink_ = std::move(sink);
    }
    shared_->Wake();
  }
  void Stop() override {
    std::lock_guard lock(shared_->mu);
    stopped_ = true;
    sink_.reset();
  }
  std::chrono::milliseconds keepalive() const override { return keepalive_; }

  // Under shared_->mu.
  bool stopped() const { return stopped_; }
  std::shared_ptr<server::StreamSink> sink() const { return sink_; }
  void EndLocked() {
    stopped_ = true;
    if (sink_) sink_->Close();
    sink_.reset();
  }

  const access::Principal& who() const { return who_; }
  uint64_t next_ = 1;  // hub thread only: the next global position to read

 private:
  std::shared_ptr<Shared> shared_;
  const access::Principal who_;
  const std::chrono::milliseconds keepalive_;
  bool stopped_ = false;
  std::shared_ptr<server::StreamSink> sink_;  // null until started
};

EventStreamHub::EventStreamHub(EventStore& store, runtime::ProjectService& projects, Scopes& scopes,
                               const ApiOptions& config)
    : store_(store), projects_(projects), scopes_(scopes), config_(config), shared_(std::make_shared<Shared>()) {
  subscription_ = store_.Subscribe([shared = shared_](uint64_t) { shared->Wake(/*commit=*/true); });
  thread_ = std::thread([this] {
    SetThreadName("event-streams");
    Run();
  });
}

EventStreamHub::~EventStreamHub() { Stop(); }

void EventStreamHub::Stop() {
  subscription_.Reset();
  {
    std::lock_guard lock(shared_->mu);
    shared_->stopping = true;
    for (auto& f : shared_->followers) f->EndLocked();
    shared_->followers.clear();
  }
  shared_->wake.notify_all();
  if (thread_.joinable()) thread_.join();
}

size_t EventStreamHub::open_streams() const {
  std::lock_guard lock(shared_->mu);
  return static_cast<size_t>(
      std::count_if(shared_->followers.begin(), shared_->followers.end(), [](const auto& f) { return !f->stopped(); }));
}

std::shared_ptr<server::ResponseStream> EventStreamHub::Open(access::Principal who, uint64_t after) {
  std::lock_guard lock(shared_->mu);
  if (shared_->stopping) return nullptr;
  std::erase_if(shared_->followers, [](const auto& f) { return f->stopped(); });
  if (shared_->followers.size() >= config_.max_streams) return nullptr;
  auto follower = std::make_shared<Follower>(shared_, std::move(who), after + 1, config_.stream_keepalive);
  shared_->followers.push_back(follower);
  return follower;
}

std::string EventStreamHub::FormatEvent(const RecordedEvent& event) {
  std::string type = event.type;
  std::replace_if(
      type.begin(), type.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  // Compact JSON has no raw line breaks (they are escaped in strings).
  return "id: " + std::to_string(event.position) + "\nevent: " + type + "\ndata: " + event.ToJsonText() + "\n\n";
}

std::string EventStreamHub::FormatNotice(std::string_view name, const Json& data) {
  return "event: " + std::string(name) + "\ndata: " + DumpJson(data) + "\n\n";
}

void EventStreamHub::AnnounceAttempts(const std::vector<Json>& attempts,
                                      const std::function<std::string(const std::string& endpoint)>& partner_of) {
  {
    // No stream open (the usual case): nothing to format.
    std::lock_guard lock(shared_->mu);
    if (shared_->stopping || shared_->followers.empty()) return;
  }
  std::vector<Shared::Notice> notices;
  for (const Json& a : attempts)
    notices.push_back({partner_of(a.value("endpoint", "")), FormatNotice("delivery_attempt", a)});
  {
    std::lock_guard lock(shared_->mu);
    if (shared_->stopping || shared_->followers.empty()) return;
    for (auto& n : notices) shared_->notices.push_back(std::move(n));
    while (shared_->notices.size() > config_.max_stream_notices) shared_->notices.pop_front();
    shared_->dirty = true;
  }
  shared_->wake.notify_one();
}

bool EventStreamHub::Visible(const access::Principal& who, const RecordedEvent& event) {
  const access::Authorizer& authorizer = scopes_.authorizer();
  // Programme events (docs/programmes.md): those who read the whole
  // programme see them all; a person sees those naming them.
  if (event.stream_id.rfind(programme::kStreamPrefix, 0) == 0) {
    const std::string id = event.stream_id.substr(programme::kStreamPrefix.size());
    if (authorizer.Decide(who, access::ProgrammeResource{id, {}}, access::Verb::kRead).may_act()) return true;
    auto data = ParseJson(event.data_json);
    if (!data.ok() || !data->is_object()) return false;
    if (data->value("person", "") == who.subject) return true;
    auto notify = data->find("notify");
    if (notify == data->end() || !notify->is_array()) return false;
    for (const Json& n : *notify)
      if (n.is_string() && n.get_ref<const std::string&>() == who.subject) return true;
    return false;
  }
  // Relais's own webhook events (an endpoint disabled) go to those who
  // manage that partner's endpoints.
  if (event.stream_id == notify::kWebhookSystemStream) {
    auto data = ParseJson(event.data_json);
    if (!data.ok() || !data->is_object()) return false;
    const std::string partner = data->value("partner", "");
    return !partner.empty() && scopes_.DecideEndpoints(who, partner).may_act();
  }
  const std::string_view prefix = runtime::kProjectStreamPrefix;
  if (event.stream_id.compare(0, prefix.size(), prefix) != 0) return false;  // only project events are streamed
  bool visible = false;
  Status read = projects_.Read(event.stream_id.substr(prefix.size()), [&](const runtime::Project& p) {
    visible = !scopes_.CheckProject(who, p.info, access::Verb::kRead).has_value();
  });
  return read.ok() && visible;
}

void EventStreamHub::Run() {
  while (true) {
    std::vector<std::pair<std::shared_ptr<Follower>, std::shared_ptr<server::StreamSink>>> active;
    std::deque<Shared::Notice> notices;
    {
      std::unique_lock lock(shared_->mu);
      shared_->wake.wait(lock, [&] { return shared_->stopping || shared_->dirty; });
      if (shared_->stopping) return;
      shared_->dirty = false;
      notices.swap(shared_->notices);
      for (auto& f : shared_->followers)
        if (!f->stopped() && f->sink()) active.emplace_back(f, f->sink());
    }
    bool behind = false;
    const uint64_t last = store_.LastPosition();
    for (auto& [follower, sink] : active) {
      std::string text;
      bool read = false;
      if (follower->next_ <= last) {
        auto page = store_.ReadAll(follower->next_, kEventsPerRound);
        if (!page.ok()) {
          std::lock_guard lock(shared_->mu);
          follower->EndLocked();  // the client resumes with Last-Event-ID
          continue;
        }
        for (const RecordedEvent& e : page->events)
          if (Visible(follower->who(), e)) text += FormatEvent(e);
        if (!page->events.empty()) follower->next_ = page->next_position;
        read = !page->events.empty();
      }
      // Notices after the events read with them: an attempt's event is
      // never announced after its outcome on a caught-up stream.
      // One decision per partner and round (a scoped coordinator's costs a
      // scan of the read model), not one per notice.
      std::map<std::string_view, bool> may_see;
      for (const Shared::Notice& n : notices) {
        auto [it, fresh] = may_see.try_emplace(n.partner, false);
        if (fresh) it->second = scopes_.DecideEndpoints(follower->who(), n.partner).may_act();
        if (it->second) text += n.text;
      }
      if (!text.empty() && !sink->Write(std::move(text))) {
        std::lock_guard lock(shared_->mu);
        follower->EndLocked();
        continue;
      }
      if (read && follower->next_ <= last) behind = true;
    }
    if (behind) {
      std::lock_guard lock(shared_->mu);
      shared_->dirty = true;
    }
  }
}

}  // namespace relais::api
