// The dashboard's static files (docs/dashboard.md): GET / redirects to
// /ui/index.html; GET /ui/{file} and /ui/{dir}/{file} serve the files of
// config.directory with their Content-Type, a content ETag (If-None-Match
// answers 304) and Cache-Control. Public like /healthz: the pages carry no
// data, the API calls they make carry the token.
//
// Only names of letters, digits, '-', '_' and '.' not starting with '.' are
// served, with a known extension, inside the directory once symbolic links
// are resolved; anything else (.., encoded slashes, hidden files, links out
// of the folder, files over max_file_bytes) is 404. Files are read at each
// request (no build step, no restart after an edit).
//
// Thread-safety: registration is not thread-safe (like Router); the routes are
// safe for concurrent use.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/api/api_config.h"
#include "engine/server/router.h"

namespace relais::api {

// Adds GET / and the /ui/ routes when config.enabled; nothing otherwise.
void RegisterDashboardRoutes(server::Router& router, const DashboardOptions& config);

// The Content-Type served for a file name, or nullopt for an extension that
// is not served.
std::optional<std::string_view> DashboardContentType(std::string_view file_name);

}  // namespace relais::api
