#include "engine/api/dashboard_route.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>
#include <vector>

#include "engine/server/problem.h"

namespace relais::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::RouteParams;

constexpr std::string_view kIndex = "/ui/index.html";

// Who may load what the pages load: the server itself, nothing inline.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

bool IsServableName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return name.find("..") == std::string_view::npos;
}

// 64-bit FNV-1a of the content, as the strong validator.
std::string ContentEtag(std::string_view body) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char text[24];
  std::snprintf(text, sizeof(text), "\"%016llx\"", static_cast<unsigned long long>(h));
  return text;
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match == "*") return true;
  size_t start = 0;
  while (start <= if_none_match.size()) {
    size_t comma = if_none_match.find(',', start);
    std::string_view item =
        if_none_match.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == etag) return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

HttpResponse NotFound() { return server::MakeProblem(server::ProblemKind::kNotFound, "no such dashboard file"); }

class StaticFiles {
 public:
  explicit StaticFiles(const DashboardOptions& config) : config_(config) {
    std::error_code ec;
    root_ = std::filesystem::weakly_canonical(config.directory, ec);
    if (ec) root_ = std::filesystem::path(config.directory).lexically_normal();
    cache_control_ = config.cache_max_age_seconds == 0
                         ? std::string("no-cache")
                         : "public, max-age=" + std::to_string(config.cache_max_age_seconds);
  }

  HttpResponse Serve(const HttpRequest& request, const std::vector<std::string>& segments) const {
    std::filesystem::path relative;
    for (const std::string& segment : segments) {
      if (!IsServableName(segment)) return NotFound();
      relative /= segment;
    }
    std::optional<std::string_view> type = DashboardContentType(segments.back());
    if (!type) return NotFound();
    std::error_code ec;
    const std::filesystem::path file = std::filesystem::canonical(root_ / relative, ec);
    if (ec || !Inside(file) || !std::filesystem::is_regular_file(file, ec)) return NotFound();
    const auto size = std::filesystem::file_size(file, ec);
    if (ec || size > config_.max_file_bytes) return NotFound();
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) return NotFound();

    HttpResponse response;
    response.body = text.str();
    const std::string etag = ContentEtag(response.body);
    response.headers.Set("ETag", etag);
    response.headers.Set("Cache-Control", cache_control_);
    response.headers.Set("X-Content-Type-Options", "nosniff");
    if (segments.back().ends_with(".html")) {
      response.headers.Set("Content-Security-Policy", std::string(kContentSecurityPolicy));
    }
    if (auto match = request.Header("If-None-Match"); match && EtagMatches(*match, etag)) {
      response.status = 304;
      response.body.clear();
      return response;
    }
    response.status = 200;
    response.content_type = std::string(*type);
    return response;
  }

 private:
  bool Inside(const std::filesystem::path& file) const {
    auto f = file.begin();
    for (auto r = root_.begin(); r != root_.end(); ++r, ++f) {
      if (f == file.end() || *f != *r) return false;
    }
    return true;
  }

  const DashboardOptions config_;
  std::filesystem::path root_;
  std::string cache_control_;
};

}  // namespace

std::optional<std::string_view> DashboardContentType(std::string_view file_name) {
  struct Type {
    std::string_view extension;
    std::string_view content_type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".json", "application/json"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
  };
  for (const Type& t : kTypes) {
    if (file_name.size() > t.extension.size() &&
        file_name.substr(file_name.size() - t.extension.size()) == t.extension) {
      return t.content_type;
    }
  }
  return std::nullopt;
}

void RegisterDashboardRoutes(server::Router& router, const DashboardOptions& config) {
  if (!config.enabled) return;
  auto files = std::make_shared<const StaticFiles>(config);
  // "/" opens the index; a browser keeps a link's #fragment across the
  // redirect (the e-mailed action links, <public_base_url>/#/action/...).
  auto to_index = [](const HttpRequest&, const RouteParams&) {
    HttpResponse response;
    response.status = 302;
    response.headers.Set("Location", std::string(kIndex));
    response.headers.Set("Cache-Control", "no-cache");
    return response;
  };
  router.AddSyncRoute("GET", "/", to_index);
  router.AddSyncRoute("GET", "/ui/{file}", [files](const HttpRequest& request, const RouteParams& params) {
    return files->Serve(request, {params.Get("file")});
  });
  router.AddSyncRoute("GET", "/ui/{dir}/{file}", [files](const HttpRequest& request, const RouteParams& params) {
    return files->Serve(request, {params.Get("dir"), params.Get("file")});
  });
}

}  // namespace relais::api
