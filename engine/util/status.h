// Status and StatusOr<T>: the one error discipline of Relais (after absl/status).
//
// Expected failures (bad input, not found, conflicts, I/O) travel as a Status;
// exceptions are reserved for programmer error. Third-party code that throws
// (nlohmann/json, yaml-cpp, RocksDB's C++ API does not) is wrapped at one place
// that returns a Status.
//
// Thread-safety: a Status is a value; distinct objects may be used from
// different threads without synchronization.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace relais {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed or out of range
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // creating something that exists (e.g. event id reused)
  kVersionConflict,     // optimistic concurrency: expected version differs
  kFailedPrecondition,  // the system is not in a state that allows the call
  kPermissionDenied,    // the caller may not do this
  kResourceExhausted,   // a configured limit was reached
  kUnavailable,         // transient: retry may succeed (I/O error, shutting down)
  kCorruption,          // stored data is unreadable or not what we wrote
  kInternal,            // a bug: an invariant did not hold
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // A numeric detail carried with some codes; kVersionConflict carries the
  // stream's actual version here.
  std::optional<uint64_t> actual_version() const { return actual_version_; }
  Status& set_actual_version(uint64_t v) {
    actual_version_ = v;
    return *this;
  }

  // Prefixes the message with context ("loading cbe.yaml: ...").
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) { return a.code_ == b.code_ && a.message_ == b.message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::optional<uint64_t> actual_version_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status VersionConflict(std::string m, uint64_t actual) {
  Status s(StatusCode::kVersionConflict, std::move(m));
  s.set_actual_version(actual);
  return s;
}

// StatusOr<T>: either a T or a non-OK Status.
// REQUIRES: constructing from a Status passes a non-OK one.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) v_ = Status(StatusCode::kInternal, "StatusOr built from OK status");
  }
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace relais

// Early-return helpers. RELAIS_ASSIGN_OR_RETURN(auto x, expr) declares x.
#define RELAIS_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::relais::Status relais_status_ = (expr);        \
    if (!relais_status_.ok()) return relais_status_; \
  } while (0)

#define RELAIS_CONCAT_INNER(a, b) a##b
#define RELAIS_CONCAT(a, b) RELAIS_CONCAT_INNER(a, b)
#define RELAIS_ASSIGN_OR_RETURN(lhs, expr) \
  RELAIS_ASSIGN_OR_RETURN_IMPL(RELAIS_CONCAT(relais_statusor_, __LINE__), lhs, expr)
#define RELAIS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
