// Idempotency keys (the IETF Idempotency-Key draft's behaviour): a request
// sent with a key runs once; a re-send of the same request returns the first
// outcome; a re-send with the same key and another request (another body,
// event type, operation or project) is refused, and so is a re-send while the
// first is still running.
//
// The request a key was first used for is remembered as a fingerprint (SHA-256
// over the operation, the target and the canonical JSON of the body, whose
// object keys nlohmann sorts) in an idempotency record: a side write committed
// in the same atomic batch as the request's events, under
// "idempotency/<id of its first event>". It is as durable as the events and is
// kept as long as they are. Events stored before records existed have none:
// their key replays as before.
//
// Thread-safety: the functions are stateless; InFlightKeys is safe for
// concurrent access from multiple threads without external synchronization.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "engine/util/json.h"
#include "engine/util/status.h"

namespace relais::runtime {

inline constexpr std::string_view kIdempotencyRecordPrefix = "idempotency/";

// The fingerprint of one request: lower-case hex SHA-256 of operation,
// target and DumpJson(body), each separated by a newline.
std::string RequestFingerprint(std::string_view operation, std::string_view target, const Json& body);

// The record's key and value for the request whose first event id is given.
std::string IdempotencyRecordKey(std::string_view first_event_id);
std::string IdempotencyRecordValue(std::string_view operation, std::string_view fingerprint);
// OK when the stored record (if any) names this fingerprint; the reuse
// error otherwise (a record that does not parse counts as another request).
Status CheckIdempotencyRecord(const std::optional<std::string>& stored, std::string_view fingerprint,
                              const std::string& key, const std::string& project_id);

// The two refusals. Reused: kFailedPrecondition; in flight: kAlreadyExists.
// Both are recognised by IdempotencyFaultOf (the API answers 422 and 409).
Status IdempotencyKeyReused(const std::string& key, const std::string& project_id, std::string_view first_operation);
Status IdempotencyKeyInFlight(const std::string& key, const std::string& project_id);

enum class IdempotencyFault { kNone, kReused, kInFlight };
IdempotencyFault IdempotencyFaultOf(const Status& status);

// The keys of the requests running now in this process, by scope (project
// and key). A second request with a claimed key is refused instead of
// waiting: it would only replay, and the client is told to retry.
class InFlightKeys {
 public:
  // Holds a key until destroyed.
  class Claim {
   public:
    Claim() = default;
    Claim(InFlightKeys* owner, std::string scope) : owner_(owner), scope_(std::move(scope)) {}
    Claim(Claim&& o) noexcept : owner_(o.owner_), scope_(std::move(o.scope_)) { o.owner_ = nullptr; }
    Claim& operator=(Claim&& o) noexcept;
    ~Claim() { Release(); }
    void Release();

   private:
    InFlightKeys* owner_ = nullptr;
    std::string scope_;
  };

  // A claim on (project_id, key), or kAlreadyExists (IdempotencyKeyInFlight)
  // when another request holds it. An empty key claims nothing.
  Status TryClaim(const std::string& project_id, const std::string& key, Claim* claim);

 private:
  std::mutex mu_;
  std::set<std::string> held_;
};

}  // namespace relais::runtime
