#include "engine/server/operational_routes.h"

#include <string>

#include "engine/server/problem.h"

namespace relais::server {

namespace {

// Clients choose the method token; keep label values to a fixed set so a
// stream of made-up methods cannot grow the registry without bound.
std::string MethodLabel(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return std::string(known);
  }
  return "other";
}

}  // namespace

void InstrumentRouter(Router& router, Metrics& metrics) {
  router.SetObserver([&metrics](const RequestRecord& r) {
    Labels route_labels = {{"method", MethodLabel(r.method)}, {"route", std::string(r.route)}};
    Labels status_labels = route_labels;
    status_labels.emplace_back("status", std::to_string(r.status));
    metrics
        .GetCounter("relais_http_requests_total", "HTTP requests answered, by method, route pattern and status.",
                    status_labels)
        .Increment();
    metrics
        .GetHistogram("relais_http_request_duration_seconds",
                      "Time from routing a request to its response, by method and route pattern.", route_labels)
        .Observe(std::chrono::duration<double>(r.elapsed).count());
  });
}

void RegisterOperationalRoutes(Router& router, Metrics& metrics, ReadinessCheck readiness) {
  InstrumentRouter(router, metrics);
  router.AddSyncRoute("GET", "/healthz", [](const HttpRequest&, const RouteParams&) {
    return JsonResponse(200, Json{{"status", "ok"}});
  });
  router.AddSyncRoute("GET", "/readyz", [readiness = std::move(readiness)](const HttpRequest&, const RouteParams&) {
    Status s = readiness ? readiness() : Status::Ok();
    if (!s.ok()) return UnavailableProblem("not ready: " + s.message(), 1);
    return JsonResponse(200, Json{{"status", "ready"}});
  });
  router.AddSyncRoute("GET", "/metrics", [&metrics](const HttpRequest&, const RouteParams&) {
    return TextResponse(200, metrics.RenderPrometheus(), std::string(kPrometheusContentType));
  });
}

}  // namespace relais::server
