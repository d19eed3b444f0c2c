#include "engine/api/api.h"

#include "engine/api/api_problems.h"

namespace relais::api {

using server::HttpRequest;
using server::HttpResponse;

Api::Api(ApiServices services, ApiOptions config, const std::vector<TokenConfig>& tokens, server::Metrics* metrics,
         RateLimiter::Now now)
    : services_(services),
      config_(config),
      authenticator_(tokens),
      scopes_(services_, authorizer_),
      rate_limiter_(static_cast<double>(config.rate_limit_per_second), static_cast<double>(config.rate_limit_burst),
                    std::move(now)),
      partners_(services.store),
      people_(services.store),
      workers_(config.worker_threads, config.worker_queue_limit),
      streams_(std::make_unique<EventStreamHub>(services.store, services.projects, scopes_, config)),
      metrics_(metrics) {
  if (metrics_) {
    rejected_full_ = &metrics_->GetCounter("relais_api_rejected_total", "API requests refused before running.",
                                           {{"reason", "queue_full"}});
    rejected_rate_ = &metrics_->GetCounter("relais_api_rejected_total", "API requests refused before running.",
                                           {{"reason", "rate_limited"}});
    queue_gauge_ = metrics_->AddGaugeCallback("relais_api_queue_depth", "API requests waiting for a worker.", {},
                                              [this] { return static_cast<double>(workers_.queued()); });
    streams_gauge_ = metrics_->AddGaugeCallback("relais_api_streams_open", "Live streams (GET /v1/stream) open.", {},
                                                [this] { return static_cast<double>(streams_->open_streams()); });
  }
}

Api::~Api() {
  Stop();
  if (metrics_ && queue_gauge_) metrics_->RemoveGaugeCallback(queue_gauge_);
  if (metrics_ && streams_gauge_) metrics_->RemoveGaugeCallback(streams_gauge_);
}

void Api::Stop() {
  workers_.Stop();
  streams_->Stop();
}

server::Handler Api::Guarded(ApiHandler handler, InlineHandler fast) {
  return [this, handler = std::move(handler), fast = std::move(fast)](HttpRequest request, server::RouteParams params,
                                                                      server::Respond respond) {
    std::optional<access::Principal> principal = authenticator_.Authenticate(request.Header("Authorization"));
    if (!principal) {
      respond(server::UnauthorizedProblem(request.Header("Authorization") ? "the bearer token is not valid"
                                                                          : "a bearer token is required"));
      return;
    }
    if (int retry_after = rate_limiter_.Acquire(principal->subject)) {
      if (rejected_rate_) rejected_rate_->Increment();
      respond(server::TooManyRequestsProblem(
          "rate limit of " + std::to_string(config_.rate_limit_per_second) + " requests per second exceeded",
          retry_after));
      return;
    }
    if (fast) {
      std::optional<HttpResponse> answered;
      try {
        answered = fast(*principal, request, params);
      } catch (const std::exception& e) {
        answered = server::MakeProblem(server::ProblemKind::kInternal, "the request could not be completed");
      }
      if (answered) {
        respond(std::move(*answered));
        return;
      }
    }
    // The task owns everything it needs; respond is copied so a refused
    // submission can still answer.
    auto task = [handler, principal = std::move(*principal), request = std::move(request), params = std::move(params),
                 respond]() {
      HttpResponse response;
      try {
        response = handler(principal, request, params);
      } catch (const std::exception& e) {
        // A bug, not bad input: never show internals to the client.
        response = server::MakeProblem(server::ProblemKind::kInternal, "the request could not be completed");
      }
      respond(std::move(response));
    };
    if (!workers_.TrySubmit(std::move(task))) {
      if (rejected_full_) rejected_full_->Increment();
      respond(server::UnavailableProblem("the server is busy or stopping; retry shortly", 1));
    }
  };
}

void Api::RegisterRoutes(server::Router& router) {
  RouteContext ctx{*this, router, [this](ApiHandler h) { return Guarded(std::move(h)); },
                   [this](InlineHandler fast, ApiHandler h) { return Guarded(std::move(h), std::move(fast)); }};
  AddOpenApiRoute(ctx);
  AddWorkflowRoutes(ctx);
  AddProjectRoutes(ctx);
  AddCommandRoutes(ctx);
  AddPartnerRoutes(ctx);
  AddPeopleRoutes(ctx);
  AddStreamRoute(ctx);
  AddProgrammeRoutes(ctx);
  AddWebhookRoutes(ctx);
  AddEmailRoutes(ctx);
  AddMeRoute(ctx);
}

}  // namespace relais::api
