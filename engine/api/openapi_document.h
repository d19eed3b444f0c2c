// The OpenAPI 3.1 description of the API (docs/openapi.yaml), embedded in
// the binary at build time so the server always serves the document of the
// code it runs.
//
// Thread-safety: immutable data; safe from any thread.
#pragma once

#include <string_view>

namespace relais::api {

// The text of docs/openapi.yaml as it was when this binary was built.
std::string_view OpenApiDocument();

}  // namespace relais::api
