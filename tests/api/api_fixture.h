// An in-process API over a MemoryEventStore runtime (the repository's
// workflows deployed, a ManualClock), called through the Router without
// sockets, with one token per role and two projects: "own" (the callers'
// programme, partner and members) and "other" (none of them).
#pragma once

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "engine/accounts/account_service.h"
#include "engine/api/api.h"
#include "engine/api/dashboard_route.h"
#include "engine/email/email_service.h"
#include "engine/notify/webhook_service.h"
#include "engine/server/operational_routes.h"
#include "engine/store/memory_event_store.h"
#include "engine/util/time_format.h"
#include "tests/accounts/recording_mailer.h"
#include "tests/testing/exchange_recorder.h"

namespace relais::api::testing {

struct TestToken {
  std::string token;
  api::TokenConfig config;
};

inline api::TokenConfig Token(const std::string& token, std::string subject, std::vector<std::string> roles,
                              std::string partner = "", std::vector<std::string> programmes = {}) {
  return {Authenticator::Sha256Hex(token), std::move(subject), std::move(roles), std::move(partner),
          std::move(programmes)};
}

// Bearer tokens of the fixture, by role.
inline const std::string kAdmin = "tok-admin";
inline const std::string kCoordinator = "tok-coordinator";            // every programme
inline const std::string kScopedCoordinator = "tok-coordinator-sud";  // programme sud-val-de-marnais only
inline const std::string kElu = "tok-elu";
inline const std::string kReferent = "tok-referent";
inline const std::string kPartner = "tok-partner";
inline const std::string kObserver = "tok-observer";

inline const std::string kOwnProgramme = "sud-val-de-marnais";
inline const std::string kOtherProgramme = "nord-essonne";

inline std::vector<api::TokenConfig> FixtureTokens() {
  return {Token(kAdmin, "person:alice.admin", {"admin"}),
          Token(kCoordinator, "person:claire.dumas", {"coordinator"}),
          Token(kScopedCoordinator, "person:paul.sud", {"coordinator"}, "", {kOwnProgramme}),
          Token(kElu, "person:marc.lefort", {"elu"}),
          Token(kReferent, "person:rene.tech", {"referent"}),
          Token(kPartner, "partner:ccas-fresnes", {"partner"}, "ccas-fresnes"),
          Token(kObserver, "person:olga.obs", {"observer"})};
}

// Accounts with a cheap argon2id cost (the suite stays fast).
inline accounts::AccountsOptions TestAccountsOptions() {
  accounts::AccountsOptions o;
  o.password_ops_limit = 1;
  o.password_memory_bytes = 64 << 10;
  return o;
}

inline api::ApiOptions TestApiConfig() {
  api::ApiOptions c;
  c.worker_threads = 4;
  c.worker_queue_limit = 64;
  c.default_page_size = 10;
  c.max_page_size = 100;
  return c;
}

struct Harness {
  explicit Harness(api::ApiOptions config = TestApiConfig(), RateLimiter::Now now = std::chrono::steady_clock::now,
                   accounts::AccountsOptions accounts_options = TestAccountsOptions(),
                   email::EmailOptions email_options = {})
      : clock(*ParseIso8601("2004-03-01T09:00:00Z")),
        store(clock),
        registry(store),
        projects(store, registry, clock),
        index(store, projects.definitions()),
        programmes(store, clock) {
    Status deployed = registry.DeployDirectory(std::string(RELAIS_SOURCE_DIR) + "/workflows");
    EXPECT_TRUE(deployed.ok()) << deployed;
    EXPECT_TRUE(index.Open().ok());
    // Webhooks (not started: nothing is sent); hostnames pass registration unresolved.
    webhooks = std::move(notify::WebhookService::Create(store, clock, {}).value());
    webhooks->Attach(projects);
    ApiServices services{store, registry, projects, index, clock};
    services.programmes = &programmes;
    services.webhooks = webhooks.get();
    mailer = std::make_unique<accounts::testing::RecordingMailer>(store);
    accounts = std::move(accounts::AccountService::Open(store, clock, accounts_options, mailer.get()).value());
    services.accounts = accounts.get();
    // E-mail (not started; no relay unless email_options names one): preferences and unsubscribe links.
    email = std::move(email::EmailService::Create(store, clock, std::move(email_options)).value());
    services.email = email.get();
    api = std::make_unique<Api>(services, config, FixtureTokens(), &metrics, std::move(now));
    server::RegisterOperationalRoutes(router, metrics, nullptr);
    api->RegisterRoutes(router);
    RegisterDashboardRoutes(router, api::DashboardOptions{});
  }
  ~Harness() { api->Stop(); }

  server::HttpResponse Call(const std::string& method, const std::string& target, const std::string& token,
                            std::string body = "", std::vector<std::pair<std::string, std::string>> headers = {}) {
    server::HttpRequest req = server::MakeRequest(method, target, std::move(body));
    if (!token.empty()) req.headers.Set("Authorization", "Bearer " + token);
    if (!req.body.empty() && !req.headers.Has("Content-Type")) req.headers.Set("Content-Type", "application/json");
    for (auto& [name, value] : headers) req.headers.Set(name, value);
    auto promise = std::make_shared<std::promise<server::HttpResponse>>();
    auto future = promise->get_future();
    router.Dispatch(std::move(req), [promise](server::HttpResponse r) { promise->set_value(std::move(r)); });
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      ADD_FAILURE() << method << " " << target << " never answered";
      return {};
    }
    server::HttpResponse response = future.get();
    Record(method, target, response);
    return response;
  }

  // Appends the exchange for tests/openapi's response validation (when
  // RELAIS_RECORD_EXCHANGES is set).
  static void Record(const std::string& method, const std::string& target, const server::HttpResponse& response) {
    if (!::relais::testing::RecordingExchanges()) return;
    ::relais::testing::Exchange e{"router", method, target, response.status, response.content_type, {}, response.body};
    for (const auto& [name, value] : response.headers) e.headers.emplace_back(name, value);
    ::relais::testing::RecordExchange(e);
  }

  static Json Body(const server::HttpResponse& r) { return Json::parse(r.body, nullptr, false); }

  // Creates a CBE action as the all-programme coordinator; asserts 201.
  void CreateProject(const std::string& id, const std::string& programme, std::vector<std::string> partners,
                     Json members = Json::array(), const std::string& axis = "2A") {
    Json body = {{"id", id},
                 {"workflow", "cbe_action"},
                 {"title", "Action " + id},
                 {"programme", programme},
                 {"axis", axis},
                 {"partners", partners},
                 {"members", members},
                 {"planned_years", {{"mobilisation", 2003}, {"etude", 2004}}}};
    auto r = Call("POST", "/v1/projects", kCoordinator, body.dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }

  // "own": every non-admin caller takes part; "other": none does.
  void CreateOwnAndOther() {
    CreateProject("own", kOwnProgramme, {"ccas-fresnes", "anpe-orly"},
                  Json::array({{{"subject", "person:marc.lefort"}, {"role", "elu_referent"}},
                               {{"subject", "person:rene.tech"}, {"role", "referent_technique"}}}));
    CreateProject("other", kOtherProgramme, {"afpa"});
  }

  ManualClock clock;
  MemoryEventStore store;
  runtime::WorkflowRegistry registry;
  runtime::ProjectService projects;
  runtime::ProjectIndex index;
  programme::ProgrammeService programmes;
  server::Metrics metrics;
  server::Router router;
  std::unique_ptr<notify::WebhookService> webhooks;
  std::unique_ptr<accounts::testing::RecordingMailer> mailer;
  std::unique_ptr<accounts::AccountService> accounts;
  std::unique_ptr<email::EmailService> email;
  std::unique_ptr<Api> api;
};

}  // namespace relais::api::testing
