// Api: the /v1 HTTP/JSON API over the runtime (workflows, projects, commands,
// history, partners, people, the OpenAPI document). RegisterRoutes adds its routes to
// a Router; handlers see only HttpRequest/HttpResponse (no Beast).
//
// Every /v1 route but the OpenAPI document requires a bearer token (401
// otherwise), counts against that token's rate limit (429) and runs on a
// bounded worker pool (503 when its queue is full), never on the HTTP I/O
// threads: service calls block until appends are durable. The actor of every
// event is the authenticated subject. See docs/api.md.
//
// Thread-safety: RegisterRoutes must finish before serving starts (like
// Router); afterwards the routes are safe for concurrent use. Stop() must be
// called (or the Api destroyed) before the services it uses are destroyed.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "engine/access/authorizer.h"
#include "engine/api/api_config.h"
#include "engine/api/authenticator.h"
#include "engine/api/event_stream_hub.h"
#include "engine/api/rate_limiter.h"
#include "engine/api/scope.h"
#include "engine/api/worker_pool.h"
#include "engine/partners/partner_directory.h"
#include "engine/people/person_directory.h"
#include "engine/programme/programme_service.h"
#include "engine/runtime/project_index.h"
#include "engine/runtime/project_service.h"
#include "engine/runtime/workflow_registry.h"
#include "engine/server/metrics.h"
#include "engine/server/router.h"
#include "engine/util/clock.h"

namespace relais::notify {
class WebhookService;
}
namespace relais::email {
class EmailService;
}
namespace relais::accounts {
class AccountService;
}

namespace relais::api {

using partners::Partner;
using partners::PartnerDirectory;
using partners::PartnerFields;
using people::Person;
using people::PersonDirectory;
using people::PersonFields;

// What the API serves from; every reference must outlive the Api.
struct ApiServices {
  EventStore& store;
  runtime::WorkflowRegistry& registry;
  runtime::ProjectService& projects;
  runtime::ProjectIndex& index;
  const Clock& clock;
  // Programmes, milestones and calendar feeds; null: those routes answer 503.
  programme::ProgrammeService* programmes = nullptr;
  notify::WebhookService* webhooks = nullptr;  // null: the /v1/webhooks routes answer 503
  email::EmailService* email = nullptr;        // null: e-mail preferences and unsubscribe answer 503
  // Accounts, sign-in, sessions, personal tokens, invitations, audit
  // (docs/accounts.md); null: only the configuration's tokens authenticate
  // and those routes answer 503.
  accounts::AccountService* accounts = nullptr;
};

// A handler behind authentication: runs on a worker thread with the caller.
using ApiHandler = std::function<server::HttpResponse(const access::Principal&, const server::HttpRequest&,
                                                      const server::RouteParams&)>;
// A read that may answer at once on the I/O thread, from memory only (never
// the store, never a lock a command holds for long); nullopt sends the
// request on to the worker pool's handler.
using InlineHandler = std::function<std::optional<server::HttpResponse>(
    const access::Principal&, const server::HttpRequest&, const server::RouteParams&)>;
// A handler that needs no credential (signing in, accepting an
// invitation): runs on a worker thread; must call respond exactly once and
// may go on working after it (to answer in the same time whatever happens).
using OpenHandler =
    std::function<void(const server::HttpRequest&, const server::RouteParams&, const server::Respond& respond)>;

// A change that answers from its commit (a command): runs first on the I/O
// thread with may_wait false, where it must not wait (no store read, no
// lock held long); it answers through respond, now or later from another
// thread, and returns true; or returns false without answering when it would
// have to wait, and then runs again on a worker with may_wait true.
using AsyncApiHandler = std::function<bool(const access::Principal&, const std::shared_ptr<const server::HttpRequest>&,
                                           const server::RouteParams&, const server::Respond& respond, bool may_wait)>;

class Api {
 public:
  // metrics may be null. now is the rate limiter's clock (tests inject one).
  Api(ApiServices services, ApiOptions config, const std::vector<TokenConfig>& tokens,
      server::Metrics* metrics = nullptr, RateLimiter::Now now = std::chrono::steady_clock::now);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Adds every /v1 route to router. REQUIRES: called once, before serving.
  void RegisterRoutes(server::Router& router);

  // Finishes queued requests and stops the workers, ends the live streams;
  // later requests get 503.
  void Stop();

  PartnerDirectory& partners() { return partners_; }
  PersonDirectory& people() { return people_; }
  const access::Authorizer& authorizer() const { return authorizer_; }
  Scopes& scopes() { return scopes_; }
  EventStreamHub& streams() { return *streams_; }
  const ApiOptions& config() const { return config_; }
  ApiServices& services() { return services_; }

  // The sign-in rate limits (docs/accounts.md): by e-mail address and by
  // client address. Return 0 when allowed, else the seconds to wait.
  int AcquireSignInAddress(const std::string& person) { return sign_in_by_address_.Acquire(person); }
  int AcquireSignInClient(const std::string& client) { return sign_in_by_client_.Acquire(client); }

 private:
  // Wraps an ApiHandler with authentication (a configured token, a
  // personal token, or a session cookie with its CSRF header on writes),
  // rate limiting and the pool; first tries fast (when given) on the I/O
  // thread.
  server::Handler Guarded(ApiHandler handler, InlineHandler fast = nullptr);
  // Wraps an AsyncApiHandler with authentication and rate limiting; runs it
  // on the I/O thread, then on the pool if it must wait.
  server::Handler GuardedAsync(AsyncApiHandler handler);
  // Authentication and rate limiting: the caller's principal, or nullopt
  // once respond answered the problem.
  std::optional<access::Principal> Admit(const server::HttpRequest& request, const server::Respond& respond);
  // Runs task on the pool; answers 503 when the queue is full.
  void Submit(std::function<void()> task, const server::Respond& respond);
  // Wraps an OpenHandler with the pool.
  server::Handler Open(OpenHandler handler);
  // The caller's principal, or the problem to answer (401, 403 for a
  // cookie write without its CSRF token).
  std::variant<access::Principal, server::HttpResponse> Authenticate(const server::HttpRequest& request);

  ApiServices services_;
  const ApiOptions config_;
  Authenticator authenticator_;
  access::Authorizer authorizer_;
  Scopes scopes_;
  RateLimiter rate_limiter_;
  RateLimiter sign_in_by_address_;
  RateLimiter sign_in_by_client_;
  PartnerDirectory partners_;
  PersonDirectory people_;
  WorkerPool workers_;
  std::unique_ptr<EventStreamHub> streams_;
  server::Metrics* metrics_;
  server::Counter* rejected_full_ = nullptr;
  server::Counter* rejected_rate_ = nullptr;
  server::Metrics::CallbackId queue_gauge_ = 0;
  server::Metrics::CallbackId streams_gauge_ = 0;
};

// The route groups, each in its own file; Api::RegisterRoutes calls them.
// Each file reads as a table of contents: one named handler per route, each
// starting with its scope pre-step (scope.h).
struct RouteContext {
  Api& api;
  server::Router& router;
  std::function<server::Handler(ApiHandler)> guarded;
  std::function<server::Handler(InlineHandler, ApiHandler)> guarded_read;  // fast path first
  std::function<server::Handler(OpenHandler)> open;                        // no credential
  std::function<server::Handler(AsyncApiHandler)> guarded_async;           // answers from the commit
};
// An ApiHandler (or InlineHandler) calling method of the route group's
// handlers object, which the routes keep alive.
template <typename Handlers, typename Result>
auto Handle(std::shared_ptr<Handlers> handlers,
            Result (Handlers::*method)(const access::Principal&, const server::HttpRequest&,
                                       const server::RouteParams&)) {
  return [handlers = std::move(handlers), method](const access::Principal& who, const server::HttpRequest& req,
                                                  const server::RouteParams& params) -> Result {
    return ((*handlers).*method)(who, req, params);
  };
}

void AddWorkflowRoutes(RouteContext& ctx);
void AddProjectRoutes(RouteContext& ctx);
void AddCommandRoutes(RouteContext& ctx);
void AddPartnerRoutes(RouteContext& ctx);
void AddPeopleRoutes(RouteContext& ctx);
void AddOpenApiRoute(RouteContext& ctx);
void AddStreamRoute(RouteContext& ctx);
void AddProgrammeRoutes(RouteContext& ctx);
void AddWebhookRoutes(RouteContext& ctx);
void AddEmailRoutes(RouteContext& ctx);
void AddMeRoute(RouteContext& ctx);
void AddSignInRoutes(RouteContext& ctx);
void AddAccountRoutes(RouteContext& ctx);
void AddInvitationRoutes(RouteContext& ctx);
void AddExportRoutes(RouteContext& ctx);
void AddNetworkRoutes(RouteContext& ctx);
void AddMigrationRoutes(RouteContext& ctx);

}  // namespace relais::api
