// ServerState: what the listener and every session of one HttpServer share:
// the limits, the router, the connection registry, the log and the
// transport's own counters. Internal to engine/server.
//
// Thread-safety: immutable after construction except the registry, the
// counters and the logger, which are themselves thread-safe.
#pragma once

#include <algorithm>

#include "engine/server/connection_registry.h"
#include "engine/server/metrics.h"
#include "engine/server/router.h"
#include "engine/server/server_config.h"
#include "engine/util/log.h"

namespace relais::server::internal {

struct TransportCounters {
  Counter* connections_total;            // accepted and served
  Counter* connections_rejected;         // answered 503 because of max_connections or shutdown
  Counter* connections_client_rejected;  // answered 429: max_connections_per_client from one address
  Counter* connections_reclaimed;        // idle keep-alive connections closed to make room
  Counter* body_too_large;               // 413
  Counter* headers_too_large;            // 431
  Counter* bad_request;                  // 400 from the parser, a malformed target, a missing Host
  Counter* not_implemented;              // 501: a transfer coding other than chunked
  Counter* read_timeout;                 // a request did not arrive within read_timeout
  Counter* io_error;                     // reset, broken pipe, write timeout...
  Counter* internal_request;             // relais_internal_errors_total{where="request"}: 500 answers
  Counter* internal_io_thread;           // relais_internal_errors_total{where="io_thread"}: escaped exceptions
};

// The registry's limits from the configuration.
inline ConnectionLimits LimitsOf(const ServerConfig& c) {
  ConnectionLimits limits;
  limits.max_connections = c.max_connections;
  limits.max_per_client = c.max_connections_per_client;
  limits.reclaim_idle_at = std::max<size_t>(1, c.max_connections * c.idle_reclaim_threshold_percent / 100);
  return limits;
}

struct ServerState {
  ServerState(ServerConfig c, const Router& r, TransportCounters k, Logger* l)
      : config(std::move(c)), router(r), registry(LimitsOf(config)), counters(k), logger(*l) {}

  const ServerConfig config;
  const Router& router;  // outlives the server (HttpServer's contract)
  ConnectionRegistry registry;
  const TransportCounters counters;
  Logger& logger;  // outlives the server (HttpServer's contract)
};

}  // namespace relais::server::internal
