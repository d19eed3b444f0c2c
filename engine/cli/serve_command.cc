// relais serve: opens the store, wires the HTTP surface and runs until SIGTERM
// or SIGINT, then drains requests and closes the store (which finishes every
// queued append first).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include "engine/accounts/account_service.h"
#include "engine/api/api.h"
#include "engine/api/dashboard_route.h"
#include "engine/cli/commands.h"
#include "engine/cli/control_socket.h"
#include "engine/cli/relais_config.h"
#include "engine/cli/runtime_host.h"
#include "engine/server/http_server.h"
#include "engine/server/metrics.h"
#include "engine/server/operational_routes.h"
#include "engine/server/router.h"
#include "engine/server/shutdown_signals.h"
#include "engine/store/postgres_event_store.h"
#include "engine/util/log.h"

namespace relais::cli {
namespace {

void AddStoreMetrics(server::Metrics& metrics, EventStore& store) {
  metrics.AddGaugeCallback("relais_store_last_position", "Last committed global position.", {},
                           [&store] { return static_cast<double>(store.Stats().last_position); });
  metrics.AddGaugeCallback("relais_store_appends", "Appends acknowledged since start.", {},
                           [&store] { return static_cast<double>(store.Stats().appends); });
  metrics.AddGaugeCallback("relais_store_commit_groups", "Durable write groups (WAL syncs) since start.", {},
                           [&store] { return static_cast<double>(store.Stats().commit_groups); });
  metrics.AddGaugeCallback("relais_store_disk_bytes", "Bytes of the store's files on disk.", {},
                           [&store] { return static_cast<double>(store.Stats().disk_bytes); });
  metrics.AddGaugeCallback("relais_store_background_jobs", "Store flushes and compactions running or pending.", {},
                           [&store] { return static_cast<double>(store.Stats().background_jobs); });
  // PostgreSQL: how commit groups went (docs/storage.md, "Appends"): known,
  // one round trip on the versions the node knew; read, two round trips on
  // versions read; missed, tried on known versions and refused, then read.
  if (auto* pg = dynamic_cast<PostgresEventStore*>(&store)) {
    using Paths = PostgresEventStore::CommitPaths;
    for (auto [path, field] :
         {std::pair{"known", &Paths::known}, std::pair{"read", &Paths::read}, std::pair{"missed", &Paths::missed}})
      metrics.AddGaugeCallback("relais_store_commit_groups_by_path",
                               "PostgreSQL commit groups since start, by how they were decided.", {{"path", path}},
                               [pg, field] { return static_cast<double>(pg->commit_paths().*field); });
  }
}

}  // namespace

int Serve(const Args& args) {
  std::string config_path = "config/relais.yaml";
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else {
      std::fprintf(stderr, "relais serve: unknown argument '%s'\nusage: relais serve [--config FILE]\n",
                   args[i].c_str());
      return 2;
    }
  }
  auto config = LoadConfigFile(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "relais: %s\n", config.status().message().c_str());
    return 1;
  }
  // The one log of the process; units receive it (util/log.h).
  StatusOr<std::unique_ptr<Logger>> logger = MakeLogger(config->logging);
  if (!logger.ok()) {
    std::fprintf(stderr, "relais: cannot open the log: %s\n", logger.status().message().c_str());
    return 1;
  }
  auto host = RuntimeHost::Open(*config, /*deploy_workflows=*/true, logger->get());
  if (!host.ok()) {
    std::fprintf(stderr, "relais: cannot start: %s\n", host.status().message().c_str());
    return 1;
  }
  EventStore& store = (*host)->store();

  server::Metrics metrics;
  server::Router router;
  server::RegisterOperationalRoutes(router, metrics, [&store] {
    // Ready when the store can write (after an I/O error: not until it has
    // recovered, with the reason) and read.
    if (Status writable = store.Writable(); !writable.ok()) return writable;
    auto version = store.StreamVersion("relais-readiness");
    return version.ok() ? Status::Ok() : version.status();
  });
  AddStoreMetrics(metrics, store);
  metrics.AddGaugeCallback("relais_timers_fired", "Timers fired since start.", {},
                           [h = host->get()] { return static_cast<double>(h->timers_fired()); });
  metrics.AddGaugeCallback("relais_background_lease_held",
                           "1 while this node holds the background lease (runs timers, dispatch, sweeps).", {},
                           [h = host->get()] { return h->lease() && h->lease()->open() ? 1.0 : 0.0; });
  {
    notify::Dispatcher* d = &(*host)->webhooks().dispatcher();
    metrics.AddGaugeCallback("relais_webhook_deliveries", "Webhook deliveries that succeeded since start.", {},
                             [d] { return static_cast<double>(d->stats().delivered); });
    metrics.AddGaugeCallback("relais_webhook_attempts", "Webhook delivery attempts since start.", {},
                             [d] { return static_cast<double>(d->stats().attempts); });
    metrics.AddGaugeCallback("relais_webhook_dead_letters", "Webhook deliveries dead-lettered since start.", {},
                             [d] { return static_cast<double>(d->stats().dead); });
    metrics.AddGaugeCallback("relais_webhook_lanes", "(endpoint, project) lanes with deliveries waiting.", {},
                             [d] { return static_cast<double>(d->stats().lanes); });
  }
  // Declared after the host and before the server: destroyed before the
  // services it calls, after the server that calls it.
  api::ApiServices services{store, (*host)->registry(), (*host)->projects(), (*host)->index(), (*host)->clock()};
  services.programmes = &(*host)->programmes();
  services.webhooks = &(*host)->webhooks();
  services.email = &(*host)->email();
  services.accounts = &(*host)->accounts();
  api::Api api(services, config->api, config->tokens, &metrics);
  api.RegisterRoutes(router);
  api::RegisterDashboardRoutes(router, config->dashboard);

  server::ShutdownSignals signals;  // before Start: a SIGTERM from now on drains
  server::HttpServer http(config->server, router, &metrics, logger->get());
  if (Status s = http.Start(); !s.ok()) {
    std::fprintf(stderr, "relais: cannot start the server: %s\n", s.message().c_str());
    return 1;
  }
  (*host)->StartBackground();
  // `relais backup` while the server holds the embedded store (PostgreSQL is
  // backed up with its own tools: docs/deploy.md).
  StatusOr<std::unique_ptr<ControlSocket>> control = FailedPrecondition("the store is PostgreSQL");
  if (RocksDbEventStore* embedded = (*host)->rocksdb())
    control = ControlSocket::Start(ControlSocketPath(config->store.path),
                                   [embedded](const Json& request) { return BackupAnswer(*embedded, request); });
  if (!control.ok() && (*host)->rocksdb())
    std::fprintf(stderr, "relais: warning: no control socket (relais backup will not reach this server): %s\n",
                 control.status().message().c_str());
  const std::string store_name = (*host)->rocksdb() ? config->store.path : "PostgreSQL";
  std::printf("relais listening on http://%s:%u (store: %s, last position %llu, %zu workflow(s))\n",
              config->server.listen_address.c_str(), static_cast<unsigned>(http.port()), store_name.c_str(),
              static_cast<unsigned long long>(store.LastPosition()), (*host)->registry().ListCurrent().size());
  if (config->dashboard.enabled) {
    std::printf("dashboard: http://%s:%u/ (files: %s)\n", config->server.listen_address.c_str(),
                static_cast<unsigned>(http.port()), config->dashboard.directory.c_str());
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::path(config->dashboard.directory) / "index.html", ec)) {
      std::fprintf(stderr, "relais: warning: no index.html in dashboard.directory %s: the dashboard answers 404\n",
                   config->dashboard.directory.c_str());
    }
  }
  std::fflush(stdout);
  server::RunUntilShutdownSignal(http, signals);
  if (control.ok()) control->reset();  // no backup once the store starts closing
  api.Stop();                          // the server has drained: finish what the workers hold
  (*host)->StopBackground();
  std::printf("relais stopped\n");
  return 0;  // a signal-driven shutdown is a clean exit
}

}  // namespace relais::cli
