#include "engine/server/operational_routes.h"

#include "engine/server/problem.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

namespace relais::server {
namespace {

using ::testing::HasSubstr;

HttpResponse Call(const Router& router, std::string method, std::string_view target) {
  std::optional<HttpResponse> out;
  router.Dispatch(MakeRequest(std::move(method), target), [&](HttpResponse r) { out = std::move(r); });
  return out.value_or(HttpResponse{});
}

TEST(OperationalRoutesTest, HealthReadyAndMetrics) {
  Router router;
  Metrics metrics;
  Status ready = Unavailable("store is opening");
  RegisterOperationalRoutes(router, metrics, [&] { return ready; });

  EXPECT_EQ(Call(router, "GET", "/healthz").status, 200);
  HttpResponse not_ready = Call(router, "GET", "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_THAT(not_ready.body, HasSubstr("store is opening"));
  EXPECT_EQ(not_ready.content_type, kProblemContentType);
  EXPECT_TRUE(not_ready.headers.Get("Retry-After").has_value());
  ready = Status::Ok();
  EXPECT_EQ(Call(router, "GET", "/readyz").status, 200);
  Call(router, "GET", "/nowhere");
  Call(router, "BREW", "/nowhere");
  Call(router, "X-MADE-UP", "/healthz");

  HttpResponse m = Call(router, "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, kPrometheusContentType);
  EXPECT_THAT(m.body, HasSubstr("relais_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1\n"));
  EXPECT_THAT(m.body, HasSubstr("relais_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"503\"} 1\n"));
  EXPECT_THAT(m.body, HasSubstr("relais_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n"));
  EXPECT_THAT(m.body, HasSubstr("relais_http_requests_total{method=\"other\",route=\"unmatched\",status=\"404\"} 1\n"));
  EXPECT_THAT(m.body, HasSubstr("relais_http_requests_total{method=\"other\",route=\"unmatched\",status=\"405\"} 1\n"));
  EXPECT_THAT(
      m.body,
      HasSubstr("relais_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"+Inf\"} 1\n"));
}

TEST(OperationalRoutesTest, RoutesAreListed) {
  Router router;
  Metrics metrics;
  RegisterOperationalRoutes(router, metrics, nullptr);
  EXPECT_EQ(router.ListRoutes(),
            (std::vector<RouteInfo>{{"GET", "/healthz"}, {"GET", "/readyz"}, {"GET", "/metrics"}}));
  EXPECT_EQ(Call(router, "GET", "/readyz").status, 200);
}

}  // namespace
}  // namespace relais::server
