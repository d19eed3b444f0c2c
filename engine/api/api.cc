#include "engine/api/api.h"

#include "engine/accounts/account_service.h"
#include "engine/api/api_problems.h"
#include "engine/api/session_cookie.h"
#include "engine/notify/webhook_service.h"

namespace relais::api {
namespace {

// A token bucket allowing `attempts` per `window`, refilled evenly.
RateLimiter SignInLimiter(size_t attempts, std::chrono::milliseconds window, size_t max_keys, RateLimiter::Now now) {
  const double seconds = std::max(0.001, std::chrono::duration<double>(window).count());
  return RateLimiter(static_cast<double>(attempts) / seconds, static_cast<double>(attempts), std::move(now), max_keys);
}

accounts::AccountsOptions AccountsOf(const ApiServices& services) {
  return services.accounts ? services.accounts->options() : accounts::AccountsOptions{};
}

}  // namespace

using server::HttpRequest;
using server::HttpResponse;

Api::Api(ApiServices services, ApiOptions config, const std::vector<TokenConfig>& tokens, server::Metrics* metrics,
         RateLimiter::Now now)
    : services_(services),
      config_(config),
      authenticator_(tokens),
      scopes_(services_, authorizer_),
      rate_limiter_(static_cast<double>(config.rate_limit_per_second), static_cast<double>(config.rate_limit_burst),
                    now),
      sign_in_by_address_(SignInLimiter(AccountsOf(services).sign_in_attempts_per_address,
                                        AccountsOf(services).sign_in_window, AccountsOf(services).sign_in_rate_keys,
                                        now)),
      sign_in_by_client_(SignInLimiter(AccountsOf(services).sign_in_attempts_per_client,
                                       AccountsOf(services).sign_in_window, AccountsOf(services).sign_in_rate_keys,
                                       now)),
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
  // The live streams announce each webhook attempt once it is stored (the
  // deliveries page re-reads on it instead of polling). Cleared by Stop.
  if (notify::WebhookService* webhooks = services_.webhooks)
    webhooks->dispatcher().OnAttemptsWritten([this, webhooks](const std::vector<Json>& attempts) {
      streams_->AnnounceAttempts(attempts, [webhooks](const std::string& endpoint) {
        auto found = webhooks->endpoints().Get(endpoint);
        return found.ok() ? found->partner : std::string();
      });
    });
}

Api::~Api() {
  Stop();
  if (metrics_ && queue_gauge_) metrics_->RemoveGaugeCallback(queue_gauge_);
  if (metrics_ && streams_gauge_) metrics_->RemoveGaugeCallback(streams_gauge_);
}

void Api::Stop() {
  if (services_.webhooks) services_.webhooks->dispatcher().OnAttemptsWritten(nullptr);
  workers_.Stop();
  streams_->Stop();
}

std::variant<access::Principal, HttpResponse> Api::Authenticate(const HttpRequest& request) {
  auto authorization = request.Header("Authorization");
  if (authorization) {
    // Bearer tokens: the configuration's first, then personal ones. No
    // CSRF check: a browser never adds this header by itself.
    if (auto p = authenticator_.Authenticate(authorization)) return std::move(*p);
    if (services_.accounts) {
      if (auto token = Authenticator::BearerToken(*authorization)) {
        if (auto p = services_.accounts->AuthenticateToken(*token)) return std::move(*p);
      }
    }
    return server::UnauthorizedProblem("the bearer token is not valid");
  }
  if (auto session = SessionCookieOf(request); session && services_.accounts) {
    auto p = services_.accounts->AuthenticateSession(*session);
    if (!p)
      return server::UnauthorizedProblem("the session has ended (signed out, expired or disabled): sign in again");
    if (!IsSafeMethod(request.method) && !CsrfAllows(request, accounts::AccountService::CsrfTokenOf(*session)))
      return Forbidden(std::string("a change made with a session cookie needs the ") + std::string(kCsrfHeader) +
                       " header that GET /v1/me gives (and, when sent, an Origin of this server)");
    return std::move(*p);
  }
  return server::UnauthorizedProblem("sign in, or send a bearer token");
}

server::Handler Api::Open(OpenHandler handler) {
  return
      [this, handler = std::move(handler)](HttpRequest request, server::RouteParams params, server::Respond respond) {
        auto task = [handler, request = std::move(request), params = std::move(params), respond]() {
          try {
            handler(request, params, respond);
          } catch (const std::exception& e) {
            respond(server::MakeProblem(server::ProblemKind::kInternal, "the request could not be completed"));
          }
        };
        Submit(std::move(task), respond);
      };
}

std::optional<access::Principal> Api::Admit(const HttpRequest& request, const server::Respond& respond) {
  auto authenticated = Authenticate(request);
  if (auto* problem = std::get_if<HttpResponse>(&authenticated)) {
    respond(std::move(*problem));
    return std::nullopt;
  }
  access::Principal& principal = std::get<access::Principal>(authenticated);
  if (int retry_after = rate_limiter_.Acquire(principal.subject)) {
    if (rejected_rate_) rejected_rate_->Increment();
    respond(server::TooManyRequestsProblem(
        "rate limit of " + std::to_string(config_.rate_limit_per_second) + " requests per second exceeded",
        retry_after));
    return std::nullopt;
  }
  return std::move(principal);
}

void Api::Submit(std::function<void()> task, const server::Respond& respond) {
  if (!workers_.TrySubmit(std::move(task))) {
    if (rejected_full_) rejected_full_->Increment();
    respond(server::UnavailableProblem("the server is busy or stopping; retry shortly", 1));
  }
}

server::Handler Api::Guarded(ApiHandler handler, InlineHandler fast) {
  return [this, handler = std::move(handler), fast = std::move(fast)](HttpRequest request, server::RouteParams params,
                                                                      server::Respond respond) {
    std::optional<access::Principal> principal = Admit(request, respond);
    if (!principal) return;
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
    Submit(
        [handler, principal = std::move(*principal), request = std::move(request), params = std::move(params),
         respond]() {
          HttpResponse response;
          try {
            response = handler(principal, request, params);
          } catch (const std::exception& e) {
            // A bug, not bad input: never show internals to the client.
            response = server::MakeProblem(server::ProblemKind::kInternal, "the request could not be completed");
          }
          respond(std::move(response));
        },
        respond);
  };
}

server::Handler Api::GuardedAsync(AsyncApiHandler handler) {
  return [this, handler = std::move(handler)](HttpRequest request, server::RouteParams params,
                                              server::Respond respond) {
    std::optional<access::Principal> principal = Admit(request, respond);
    if (!principal) return;
    auto shared = std::make_shared<const HttpRequest>(std::move(request));
    auto run = [handler, shared, respond](const access::Principal& who, const server::RouteParams& p, bool may_wait) {
      try {
        return handler(who, shared, p, respond, may_wait);
      } catch (const std::exception& e) {
        respond(server::MakeProblem(server::ProblemKind::kInternal, "the request could not be completed"));
        return true;
      }
    };
    if (run(*principal, params, false)) return;
    Submit([run, principal = std::move(*principal), params = std::move(params)] { run(principal, params, true); },
           respond);
  };
}

void Api::RegisterRoutes(server::Router& router) {
  RouteContext ctx{*this,
                   router,
                   [this](ApiHandler h) { return Guarded(std::move(h)); },
                   [this](InlineHandler fast, ApiHandler h) { return Guarded(std::move(h), std::move(fast)); },
                   [this](OpenHandler h) { return Open(std::move(h)); },
                   [this](AsyncApiHandler h) { return GuardedAsync(std::move(h)); }};
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
  AddSignInRoutes(ctx);
  AddAccountRoutes(ctx);
  AddInvitationRoutes(ctx);
  AddExportRoutes(ctx);
  AddNetworkRoutes(ctx);
  AddMigrationRoutes(ctx);
}

}  // namespace relais::api
