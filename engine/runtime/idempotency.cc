#include "engine/runtime/idempotency.h"

#include <openssl/sha.h>

#include <cstdio>

namespace relais::runtime {
namespace {

// The refusals are recognised by code and by these message prefixes, which
// only this file writes.
constexpr std::string_view kReusedPrefix = "Idempotency-Key reused: ";
constexpr std::string_view kInFlightPrefix = "Idempotency-Key in flight: ";

bool StartsWith(const std::string& s, std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

}  // namespace

std::string RequestFingerprint(std::string_view operation, std::string_view target, const Json& body) {
  const std::string text = std::string(operation) + "\n" + std::string(target) + "\n" + DumpJson(body);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  std::string hex;
  hex.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char b : digest) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", b);
    hex += buf;
  }
  return hex;
}

std::string IdempotencyRecordKey(std::string_view first_event_id) {
  return std::string(kIdempotencyRecordPrefix) + std::string(first_event_id);
}

std::string IdempotencyRecordValue(std::string_view operation, std::string_view fingerprint) {
  return DumpJson({{"operation", std::string(operation)}, {"fingerprint", std::string(fingerprint)}});
}

Status CheckIdempotencyRecord(const std::optional<std::string>& stored, std::string_view fingerprint,
                              const std::string& key, const std::string& project_id) {
  if (!stored) return Status::Ok();  // stored before records existed
  auto record = ParseJson(*stored);
  std::string operation = "an unreadable record";
  if (record.ok() && record->is_object()) {
    if (record->value("fingerprint", "") == fingerprint) return Status::Ok();
    operation = record->value("operation", "another operation");
  }
  return IdempotencyKeyReused(key, project_id, operation);
}

Status IdempotencyKeyReused(const std::string& key, const std::string& project_id, std::string_view first_operation) {
  return FailedPrecondition(std::string(kReusedPrefix) + "'" + key + "' was already used on project '" + project_id +
                            "' for another request (first a " + std::string(first_operation) +
                            "; this one differs in its body, event type or operation); a new request needs a new key");
}

Status IdempotencyKeyInFlight(const std::string& key, const std::string& project_id) {
  return AlreadyExists(std::string(kInFlightPrefix) + "the first request with '" + key + "' on project '" + project_id +
                       "' is still being processed; retry once it has finished");
}

IdempotencyFault IdempotencyFaultOf(const Status& status) {
  if (status.code() == StatusCode::kFailedPrecondition && StartsWith(status.message(), kReusedPrefix))
    return IdempotencyFault::kReused;
  if (status.code() == StatusCode::kAlreadyExists && StartsWith(status.message(), kInFlightPrefix))
    return IdempotencyFault::kInFlight;
  return IdempotencyFault::kNone;
}

InFlightKeys::Claim& InFlightKeys::Claim::operator=(Claim&& o) noexcept {
  if (this != &o) {
    Release();
    owner_ = o.owner_;
    scope_ = std::move(o.scope_);
    o.owner_ = nullptr;
  }
  return *this;
}

void InFlightKeys::Claim::Release() {
  if (!owner_) return;
  std::lock_guard lock(owner_->mu_);
  owner_->held_.erase(scope_);
  owner_ = nullptr;
}

Status InFlightKeys::TryClaim(const std::string& project_id, const std::string& key, Claim* claim) {
  if (key.empty()) return Status::Ok();
  std::string scope = project_id + '\n' + key;
  {
    std::lock_guard lock(mu_);
    if (!held_.insert(scope).second) return IdempotencyKeyInFlight(key, project_id);
  }
  *claim = Claim(this, std::move(scope));
  return Status::Ok();
}

}  // namespace relais::runtime
