// Router: maps method + path pattern to an asynchronous handler. No I/O: a
// request goes in, exactly one response comes out through `respond`, so it is
// tested without sockets and the server stays generic over what it serves.
//
// Patterns are absolute paths whose segments are literals or {name}
// parameters ("/v1/projects/{id}/events"). A parameter matches one non-empty
// segment, percent-decoded. A literal segment beats a parameter at the same
// position. Unknown paths answer 404, known paths with another method 405
// with an Allow header; HEAD is served by the GET handler when no HEAD route
// exists (the server drops the body).
//
// Thread-safety: registration (AddRoute, SetObserver) is not thread-safe and
// must finish before serving starts; after that Dispatch and ListRoutes are
// safe for concurrent access from multiple threads without any external
// synchronization.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/server/http_types.h"

namespace relais::server {

// The {name} values of a matched pattern, decoded.
class RouteParams {
 public:
  void Set(std::string name, std::string value);
  // The value of {name}, or nullopt if the pattern has no such parameter.
  std::optional<std::string_view> Find(std::string_view name) const;
  // The value of {name}, or "" if absent.
  std::string Get(std::string_view name) const;
  size_t size() const { return values_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// Called exactly once per request, from any thread. Later calls are ignored.
using Respond = std::function<void(HttpResponse)>;
// An asynchronous handler: may call respond before returning or later from
// another thread (e.g. once a durable append completes).
using Handler = std::function<void(HttpRequest, RouteParams, Respond respond)>;
// A synchronous handler, for routes that answer at once.
using SyncHandler = std::function<HttpResponse(const HttpRequest&, const RouteParams&)>;

struct RouteInfo {
  std::string method;
  std::string pattern;
  friend bool operator==(const RouteInfo&, const RouteInfo&) = default;
};

// What an observer learns about each completed request. route is the
// matched pattern, or "unmatched" for 404/405 (never the raw path, to keep
// metric label cardinality bounded).
struct RequestRecord {
  std::string_view method;
  std::string_view route;
  int status;
  std::chrono::nanoseconds elapsed;
};
using RequestObserver = std::function<void(const RequestRecord&)>;

inline constexpr std::string_view kUnmatchedRoute = "unmatched";

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers a route. Throws std::invalid_argument on a malformed pattern
  // (not starting with '/', empty or duplicate {name}, stray braces) or a
  // duplicate method + pattern: both are programmer errors.
  void AddRoute(std::string method, std::string pattern, Handler handler);
  void AddSyncRoute(std::string method, std::string pattern, SyncHandler handler);

  // Every registered route, in registration order.
  std::vector<RouteInfo> ListRoutes() const;

  // Called after each response, with the handler's latency. Optional.
  void SetObserver(RequestObserver observer);

  // Routes the request; respond is called exactly once, possibly on another
  // thread. A handler that throws yields a 500 problem (if it had not
  // responded yet). Never throws.
  void Dispatch(HttpRequest request, Respond respond) const;

 private:
  struct Route;
  std::vector<std::unique_ptr<Route>> routes_;
  RequestObserver observer_;
};

}  // namespace relais::server
