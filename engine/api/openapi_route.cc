// GET /v1/openapi.yaml: the API description; public, like /healthz.
#include "engine/api/api.h"
#include "engine/api/openapi_document.h"

namespace relais::api {

void AddOpenApiRoute(RouteContext& ctx) {
  ctx.router.AddSyncRoute("GET", "/v1/openapi.yaml", [](const server::HttpRequest&, const server::RouteParams&) {
    return server::TextResponse(200, std::string(OpenApiDocument()), "application/yaml; charset=utf-8");
  });
}

}  // namespace relais::api
