// QueueAdmin: the read side of one durable outbox (a QueueLayout) and its
// replay: pending deliveries, attempts, dead letters, and queuing a dead
// letter again. Webhooks and e-mail each have one (WebhookService,
// email::EmailService). Every read first settles the dispatcher, so it sees
// the outcomes recorded so far.
//
// Thread-safety: safe from any thread. *store and *dispatcher must outlive it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/notify/dispatcher.h"
#include "engine/notify/queue_layout.h"
#include "engine/store/event_store.h"
#include "engine/util/json.h"

namespace relais::notify {

// A page of JSON items and where the next page starts (empty: no more).
struct JsonPage {
  std::vector<Json> items;
  std::string next_after;
};

// Which of an endpoint's attempts to list: in a period [since, until), with
// an outcome (delivered, failed, gone, refused), after a cursor.
struct AttemptQuery {
  std::string after;  // the next_after of the previous page
  size_t limit = 50;
  std::optional<TimePoint> since, until;
  std::optional<std::string> outcome;
  size_t scan_budget = 10'000;  // most log entries read for one page (a rare outcome ends a page early)
};

class QueueAdmin {
 public:
  QueueAdmin(EventStore& store, QueueLayout layout, Dispatcher& dispatcher)
      : store_(store), layout_(std::move(layout)), dispatcher_(dispatcher) {}

  // Deliveries waiting for the endpoint, oldest first per lane.
  StatusOr<JsonPage> Pending(const std::string& endpoint, const std::string& after, size_t limit);
  // Every attempt of one delivery, in order.
  StatusOr<std::vector<Json>> Attempts(const std::string& delivery);
  // The endpoint's attempts, oldest first.
  // An endpoint's attempts, oldest first (the log is ordered by time). A page
  // may hold fewer than limit items and still have a next_after: the scan
  // budget ran out before the period did.
  StatusOr<JsonPage> EndpointAttempts(const std::string& endpoint, const AttemptQuery& query);
  // Dead letters, of the given endpoints only when endpoints is set.
  StatusOr<JsonPage> DeadLetters(const std::optional<std::vector<std::string>>& endpoints, const std::string& after,
                                 size_t limit);
  // The dead letter of delivery, with its endpoint. Errors: kNotFound.
  StatusOr<Json> DeadLetter(const std::string& delivery);
  // Queues a dead letter again (same id, same body, its place in its lane's
  // order). Errors: kNotFound.
  Status Replay(const std::string& delivery);
  // Replays every dead letter dead since `since` (of endpoints, when set);
  // returns how many.
  StatusOr<size_t> ReplaySince(TimePoint since, const std::optional<std::vector<std::string>>& endpoints);

 private:
  EventStore& store_;
  const QueueLayout layout_;
  Dispatcher& dispatcher_;
};

}  // namespace relais::notify
