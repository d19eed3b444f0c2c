// EventStreamHub: feeds the live streams of GET /v1/stream (Server-Sent
// Events). One subscription to the store's commits wakes one hub thread (no
// polling), which reads the global log from each stream's cursor, keeps the
// project events its caller may see (the Authorizer decides) and writes them as
// SSE: "id: <global position>", "event: <type>", "data: <event JSON>". A
// client resumes with Last-Event-ID = the last position it received.
//
// Notices that are not events of the log (a webhook delivery attempt's
// outcome) go out as "event: delivery_attempt" without an "id:" line (a
// client's Last-Event-ID stays its last event's), to the streams open when
// they are announced, of those who may see that partner's deliveries. They
// are a live courtesy, not a log: at most config.max_stream_notices wait
// between two rounds of the hub (older ones are dropped), and a stream
// resumed later does not get the ones it missed (the page reads the
// attempts it shows from GET .../attempts).
//
// Thread-safety: safe for concurrent access from multiple threads without
// any external synchronization. Stop() (or destruction) must happen before
// the store and the project service are destroyed.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/access/principal.h"
#include "engine/api/api_config.h"
#include "engine/api/scope.h"
#include "engine/runtime/project_service.h"
#include "engine/server/response_stream.h"
#include "engine/store/event_store.h"

namespace relais::api {

class EventStreamHub {
 public:
  EventStreamHub(EventStore& store, runtime::ProjectService& projects, Scopes& scopes, const ApiOptions& config);
  ~EventStreamHub();
  EventStreamHub(const EventStreamHub&) = delete;
  EventStreamHub& operator=(const EventStreamHub&) = delete;

  // A stream of the events after global position `after` that `who` may see.
  // nullptr when config.max_streams streams are open or the hub is stopped.
  std::shared_ptr<server::ResponseStream> Open(access::Principal who, uint64_t after);

  // Announces that these attempt records (OutcomeRecorder) are in the store;
  // partner_of names the partner of an endpoint id ("" when unknown: none
  // sees it but admins). Returns at once.
  void AnnounceAttempts(const std::vector<Json>& attempts,
                        const std::function<std::string(const std::string& endpoint)>& partner_of);

  // Ends every stream and joins the hub thread. Idempotent.
  void Stop();

  size_t open_streams() const;

  // One event as an SSE message.
  static std::string FormatEvent(const RecordedEvent& event);
  // One notice as an SSE message without an id.
  static std::string FormatNotice(std::string_view name, const Json& data);

 private:
  struct Shared;
  class Follower;
  void Run();
  bool Visible(const access::Principal& who, const RecordedEvent& event);

  EventStore& store_;
  runtime::ProjectService& projects_;
  Scopes& scopes_;
  const ApiOptions config_;
  std::shared_ptr<Shared> shared_;
  EventStore::Subscription subscription_;
  std::thread thread_;
};

}  // namespace relais::api
