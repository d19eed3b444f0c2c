#include "engine/api/command_response.h"

#include <charconv>

#include "engine/server/problem.h"

namespace relais::api {

server::HttpResponse CommandResponse(const runtime::CommandOutcome& outcome, const std::string& project_id) {
  // {"events": [...], "project_id": ..., "version": ...}, the events spliced
  // as stored rather than parsed and dumped again.
  uint64_t version = 0;
  std::string body = "{\"events\":[";
  for (const RecordedEvent& e : outcome.events) {
    if (body.back() != '[') body += ',';
    body += e.ToJsonText();
    version = std::max(version, e.version);
  }
  body += "],\"project_id\":" + DumpJson(Json(project_id)) + ",\"version\":" + std::to_string(version) + "}";
  server::HttpResponse res = server::TextResponse(201, std::move(body), std::string(server::kJsonContentType));
  res.headers.Set("ETag", "\"" + std::to_string(version) + "\"");
  if (outcome.deduplicated) res.headers.Set("Idempotent-Replayed", "true");
  return res;
}

std::optional<server::HttpResponse> ReadIdempotencyKey(const server::HttpRequest& request, std::string* key) {
  auto header = request.Header("Idempotency-Key");
  if (!header) return std::nullopt;
  bool visible = std::all_of(header->begin(), header->end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (header->empty() || header->size() > kMaxIdempotencyKeyBytes || !visible)
    return server::MakeProblem(
        server::ProblemKind::kBadRequest,
        "Idempotency-Key must be 1 to " + std::to_string(kMaxIdempotencyKeyBytes) + " visible ASCII characters");
  *key = std::string(*header);
  return std::nullopt;
}

std::optional<server::HttpResponse> ReadIfMatch(const server::HttpRequest& req, std::optional<uint64_t>* version) {
  auto header = req.Header("If-Match");
  if (!header) return std::nullopt;
  std::string_view v = *header;
  if (v.substr(0, 2) == "W/") v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size())
    return server::MakeProblem(server::ProblemKind::kBadRequest, "If-Match must be a project version such as \"7\"");
  *version = n;
  return std::nullopt;
}

}  // namespace relais::api
