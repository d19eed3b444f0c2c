// EndpointRegistry: partners' webhook endpoints (URL, event type patterns,
// optional project and axis filters, signing secrets), kept in the event
// store's key-value space under "webhook/endpoint/<id>" as JSON and cached in
// memory for the outbox hook's hot path. See docs/webhooks.md.
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization. *store and *clock must outlive the registry.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "engine/store/event_store.h"
#include "engine/util/clock.h"
#include "engine/util/json.h"
#include "engine/util/status.h"

namespace relais::notify {

struct EndpointSecret {
  std::string secret;                  // "whsec_..."
  std::optional<TimePoint> not_after;  // set on the old secret by a rotation
};

struct Endpoint {
  std::string id;       // a UUID
  std::string partner;  // the partner it belongs to
  std::string url;
  std::string description;
  std::vector<std::string> event_types;  // patterns: "*" any run of characters ("phase_*", "*")
  std::vector<std::string> projects;     // empty: every project of the partner
  std::vector<std::string> axes;         // empty: every axis
  // Topic patterns ("action.verdict", "action.*"). Empty: events whatever
  // their topics. Else only events announcing a matching topic (a workflow
  // event's `notify:`), on top of the event type and the other filters.
  std::vector<std::string> topics;
  std::vector<EndpointSecret> secrets;  // newest first
  bool active = true;
  std::string disabled_reason;
  std::optional<TimePoint> disabled_at;
  std::optional<TimePoint> failing_since;  // first failure since the last success
  TimePoint created_at{};

  // The secrets that sign at `now` (newest first).
  std::vector<std::string> SigningSecrets(TimePoint now) const;
  bool MatchesType(std::string_view type) const;
  // Whether an event announcing `event_topics` passes the topic filter.
  bool MatchesTopics(const std::vector<std::string>& event_topics) const;
  // project/axis filters only (the partner check is the caller's).
  bool MatchesProject(std::string_view project_id, std::string_view axis) const;
  // The API's view: everything but the secrets.
  Json ToPublicJson() const;
  Json ToStoredJson() const;
  static StatusOr<Endpoint> FromStoredJson(const Json& json);
};

// True if text matches pattern, where '*' matches any run of characters.
bool GlobMatch(std::string_view pattern, std::string_view text);

// Limits of an endpoint's topic filter.
inline constexpr size_t kMaxTopicPatterns = 100;
inline constexpr size_t kMaxTopicPatternBytes = 128;

// A topic pattern: dot-separated words of lower-case letters, digits and
// '_' ("action.verdict"), where '*' stands for any run of characters
// ("action.*", "*.phase"). Ok, or kInvalidArgument saying what was found
// and expected, prefixed with `where` ("topics[2]").
Status ValidateTopicPattern(std::string_view pattern, const std::string& where);

// The editable fields, as a request body gives them.
struct EndpointFields {
  std::optional<std::string> url, description, secret;
  std::optional<std::vector<std::string>> event_types, projects, axes, topics;
  std::optional<bool> active;
  // Reads {url, description, secret, event_types, projects, axes, topics,
  // active}. kInvalidArgument naming the member for unknown members, wrong
  // types, a bad URL, pattern, topic or secret.
  static StatusOr<EndpointFields> FromJson(const Json& body);
};

class EndpointRegistry {
 public:
  EndpointRegistry(EventStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Reads every stored endpoint into the cache, replacing it whole (readers
  // keep the previous one meanwhile; on an error it stays). On a store
  // shared by several nodes, called again periodically so that endpoints
  // made or changed on another node reach this one's outbox hook.
  // Errors: kCorruption, kUnavailable.
  Status Load();

  // Registers an endpoint for partner; generates a secret unless fields has one,
  // and a UUID id unless id is given (an importer's name-based id).
  // Errors: kInvalidArgument (missing url, bad fields); kAlreadyExists (id
  // taken); kUnavailable.
  StatusOr<Endpoint> Create(const std::string& partner, const EndpointFields& fields, const std::string& id = "");
  // Changes the given fields; active=true re-enables a disabled endpoint.
  // Errors: kNotFound; kInvalidArgument.
  StatusOr<Endpoint> Update(const std::string& id, const EndpointFields& fields);
  // Errors: kNotFound.
  Status Delete(const std::string& id);
  // A new secret (given, or generated) signs from now on; the previous one
  // keeps signing for `overlap`. Errors: kNotFound; kInvalidArgument.
  StatusOr<Endpoint> RotateSecret(const std::string& id, std::optional<std::string> secret,
                                  std::chrono::milliseconds overlap);
  // From the cache, else from the store (made on another node since the
  // last Load). Errors: kNotFound; the store's.
  StatusOr<Endpoint> Get(const std::string& id) const;
  // Endpoints of partner (every partner when empty), by id, after start_after.
  std::vector<Endpoint> List(const std::string& partner, const std::string& start_after, size_t limit) const;
  // Active endpoints of any of partners.
  std::vector<Endpoint> ActiveFor(const std::vector<std::string>& partners) const;

  // Dispatcher bookkeeping. A success clears failing_since; a failure sets
  // it if unset and returns it. Disable records why (idempotent: false when
  // it was already disabled).
  Status RecordSuccess(const std::string& id);
  StatusOr<TimePoint> RecordFailure(const std::string& id, TimePoint now);
  StatusOr<bool> Disable(const std::string& id, const std::string& reason);

 private:
  Status Put(const Endpoint& endpoint, bool sync);

  EventStore& store_;
  const Clock& clock_;
  // Serializes Load with this node's writes (taken before mu_).
  std::mutex write_mu_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Endpoint> endpoints_;
  std::map<std::string, std::vector<std::string>> by_partner_;
};

}  // namespace relais::notify
