// The operational endpoints every Relais server exposes:
//   GET /healthz  200 while the process can answer at all.
//   GET /readyz   200 when the caller's readiness check passes, else 503.
//   GET /metrics  the registry in Prometheus text format.
// RegisterOperationalRoutes also installs the router's request observer, so
// /metrics carries, per method, route pattern and status:
//   relais_http_requests_total (counter)
//   relais_http_request_duration_seconds (histogram, by method and route)
//
// Thread-safety: call during setup, before serving (see Router).
#pragma once

#include <functional>

#include "engine/server/metrics.h"
#include "engine/server/router.h"
#include "engine/util/status.h"

namespace relais::server {

// OK when ready to take traffic; otherwise the reason (shown in the 503).
// Called on an I/O thread per /readyz request: keep it quick.
using ReadinessCheck = std::function<Status()>;

// REQUIRES: metrics outlives router's use; no route of these three paths
// registered yet. An empty readiness check means always ready.
void RegisterOperationalRoutes(Router& router, Metrics& metrics, ReadinessCheck readiness);

// Just the observer half, for routers that serve no operational routes.
void InstrumentRouter(Router& router, Metrics& metrics);

}  // namespace relais::server
