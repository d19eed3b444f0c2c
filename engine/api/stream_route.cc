// GET /v1/stream: Server-Sent Events of the project events the caller may
// see, resumable with Last-Event-ID (a global position).
#include <charconv>

#include "engine/api/api.h"
#include "engine/api/api_problems.h"
#include "engine/server/response_stream.h"

namespace relais::api {

void AddStreamRoute(RouteContext& ctx) {
  Api& api = ctx.api;
  ctx.router.AddRoute(
      "GET", "/v1/stream",
      ctx.guarded([&api](const access::Principal& who, const server::HttpRequest& req, const server::RouteParams&) {
        // Resume after Last-Event-ID (or ?after=); otherwise only what commits
        // from now on.
        uint64_t after = api.services().store.LastPosition();
        std::optional<std::string_view> resume = req.Header("Last-Event-ID");
        if (!resume) resume = req.Query("after");
        if (resume) {
          uint64_t v = 0;
          auto [ptr, ec] = std::from_chars(resume->data(), resume->data() + resume->size(), v);
          if (resume->empty() || ec != std::errc() || ptr != resume->data() + resume->size())
            return server::MakeProblem(server::ProblemKind::kBadRequest,
                                       "Last-Event-ID must be the global position of an event");
          after = v;
        }
        auto stream = api.streams().Open(who, after);
        if (!stream)
          return server::UnavailableProblem("too many live streams are open (api.max_streams); retry later", 5);
        server::HttpResponse res;
        res.status = 200;
        res.content_type = "text/event-stream; charset=utf-8";
        res.headers.Set("Cache-Control", "no-store");
        res.headers.Set("X-Accel-Buffering", "no");
        res.stream = std::move(stream);
        return res;
      }));
}

}  // namespace relais::api
