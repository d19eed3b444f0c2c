// WebhookService: webhooks as one unit for the composition root and the API:
// the endpoint registry, the outbox hook on the ProjectService, the
// dispatcher with its WebhookChannel, and the read side (pending deliveries,
// attempts, dead letters) with replay. See docs/webhooks.md.
//
// Thread-safety: Create/Attach/Start/Stop from one thread; everything else is
// safe from any thread. *store and *clock must outlive the service.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/notify/dispatcher.h"
#include "engine/notify/endpoint_registry.h"
#include "engine/notify/outbox.h"
#include "engine/notify/queue_admin.h"
#include "engine/notify/webhook_targets.h"
#include "engine/people/person_directory.h"
#include "engine/programme/programme_service.h"
#include "engine/runtime/project_service.h"

namespace relais::notify {

// Section `webhooks:` of the configuration file (webhook_config.h).
struct WebhookOptions {
  DispatcherOptions dispatcher;                           // retries, jitter, concurrency, disabling, re-check interval
  std::chrono::milliseconds connect_timeout{5'000};       // resolve + connect + TLS handshake (<= 15 s)
  std::chrono::milliseconds total_timeout{15'000};        // one whole attempt (<= 15 s)
  std::chrono::milliseconds secret_overlap{86'400'000};   // old secret still signs this long after a rotation
  std::vector<std::string> allowed_ranges;                // CIDRs exempt from the SSRF guard (e.g. 127.0.0.1/32)
  std::string ca_bundle;                                  // PEM file of trusted CAs; empty: the system's
  std::string public_base_url = "http://127.0.0.1:8080";  // links in payloads: <base>/v1/projects/<id>
  size_t max_programme_partners = 10'000;                 // partners a programme's events go to, at most
};

class WebhookService {
 public:
  // Loads the endpoints. channel: how deliveries leave (null: the
  // WebhookChannel; tests pass a fake). Errors: kInvalidArgument
  // (allowed_ranges, CA bundle); the store's errors.
  static StatusOr<std::unique_ptr<WebhookService>> Create(EventStore& store, const Clock& clock, WebhookOptions options,
                                                          Dispatcher::ChannelFactory channel = nullptr);
  ~WebhookService();

  // Adds the outbox hook to projects' appends. REQUIRES: before any command runs.
  void Attach(runtime::ProjectService& projects);
  // Adds the outbox hook to programmes' appends (OnProgrammeAppend).
  // REQUIRES: before any change is made.
  void Attach(programme::ProgrammeService& programmes);
  // The outbox half for a programme's events: deliveries to the endpoints of
  // the partners named by the programme's projects, in the same batch as the
  // events. Errors: the store's (reading which partners the programme concerns).
  Status OnProgrammeAppend(const programme::ProgrammeAppend& append, KvWrites& writes);
  Status Start();
  void Stop();

  EndpointRegistry& endpoints() { return registry_; }
  Dispatcher& dispatcher() { return *dispatcher_; }
  const Outbox& outbox() const { return outbox_; }
  const WebhookOptions& options() const { return options_; }

  // Refuses an endpoint URL whose host is an address literal the SSRF guard
  // refuses (host names are checked at each delivery). kPermissionDenied.
  Status CheckTarget(const std::string& url) const;
  // Re-enables or updates; a re-enabled endpoint's queue is picked up again.
  StatusOr<Endpoint> UpdateEndpoint(const std::string& id, const EndpointFields& fields);

  // The read side and replay (QueueAdmin over webhook/).
  // Deliveries waiting for the endpoint, oldest project order per lane.
  StatusOr<JsonPage> Pending(const std::string& endpoint, const std::string& after, size_t limit);
  // Every attempt of one delivery, in order.
  StatusOr<std::vector<Json>> Attempts(const std::string& delivery);
  // The endpoint's attempts, oldest first.
  StatusOr<JsonPage> EndpointAttempts(const std::string& endpoint, const AttemptQuery& query);
  // Dead letters, of the given endpoints only when endpoints is set.
  StatusOr<JsonPage> DeadLetters(const std::optional<std::vector<std::string>>& endpoints, const std::string& after,
                                 size_t limit);
  // The dead letter of delivery, with its endpoint. Errors: kNotFound.
  StatusOr<Json> DeadLetter(const std::string& delivery);
  // Queues a dead letter again (same webhook-id, same body, its place in its
  // project's order). Errors: kNotFound.
  Status Replay(const std::string& delivery);
  // Replays every dead letter dead since `since` (of endpoints, when set);
  // returns how many.
  StatusOr<size_t> ReplaySince(TimePoint since, const std::optional<std::vector<std::string>>& endpoints);

 private:
  WebhookService(EventStore& store, const Clock& clock, WebhookOptions options);

  EventStore& store_;
  people::PersonDirectory people_;  // names people in programme payloads (read only here)
  const Clock& clock_;
  const WebhookOptions options_;
  EndpointRegistry registry_;
  Outbox outbox_;
  std::vector<std::string> guard_ranges_;
  std::unique_ptr<WebhookTargets> targets_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<QueueAdmin> admin_;
};

}  // namespace relais::notify
