// ServerState: what the listener and every session of one HttpServer share:
// the limits, the router, the connection registry and the transport's own
// counters. Internal to engine/server.
//
// Thread-safety: immutable after construction except the registry and the
// counters, which are themselves thread-safe.
#pragma once

#include "engine/server/config.h"
#include "engine/server/connection_registry.h"
#include "engine/server/metrics.h"
#include "engine/server/router.h"

namespace relais::server::internal {

struct TransportCounters {
  Counter* connections_total;     // accepted and served
  Counter* connections_rejected;  // answered 503 because of max_connections or shutdown
  Counter* body_too_large;        // 413
  Counter* headers_too_large;     // 431
  Counter* bad_request;           // 400 from the parser or a malformed target
  Counter* read_timeout;          // a request did not arrive within read_timeout
  Counter* io_error;              // reset, broken pipe, write timeout...
};

struct ServerState {
  ServerState(ServerConfig c, const Router& r, TransportCounters k)
      : config(std::move(c)), router(r), registry(config.max_connections), counters(k) {}

  const ServerConfig config;
  const Router& router;  // outlives the server (HttpServer's contract)
  ConnectionRegistry registry;
  const TransportCounters counters;
};

}  // namespace relais::server::internal
