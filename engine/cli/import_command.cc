// relais import: loads a programme directory (docs/import.md) into the store
// of a stopped server, through the services the API uses. Idempotent: a
// second run creates nothing and says what is already present.
#include <cstdio>

#include "engine/access/principal.h"
#include "engine/calendar/civil_date.h"
#include "engine/calendar/time_zone.h"
#include "engine/cli/commands.h"
#include "engine/cli/runtime_host.h"
#include "engine/importer/importer.h"

namespace relais::cli {
namespace {

constexpr const char* kImportUsage =
    "usage: relais import [--config FILE] [--dry-run] [--webhook-base-url URL] [--as SUBJECT] [--as-of DATE] DIR\n"
    "  loads DIR (programme.json, partners.json, webhooks.json, assignments.json, projects.json)\n"
    "  into the store of FILE; the server must be stopped (the store is locked while it runs)\n"
    "  --as SUBJECT: import with the roles and scope of that subject's token in FILE (tokens:);\n"
    "    without it, as the operator (system:import, an admin)\n"
    "  --as-of YYYY-MM-DD: import as on that day (default: today in programmes.time_zone): terms that\n"
    "    start at the import, and a plan that import.json places from the import year\n";

// The operator who runs the command on the server's own machine.
access::Principal Operator() { return {"system:import", {std::string(access::kRoleAdmin)}, "", {}}; }

// The principal of subject's token in the configuration.
StatusOr<access::Principal> PrincipalOf(const std::vector<api::TokenConfig>& tokens, const std::string& subject) {
  const api::TokenConfig* found = nullptr;
  for (const api::TokenConfig& t : tokens) {
    if (t.subject != subject) continue;
    if (found && (found->roles != t.roles || found->partner != t.partner || found->programmes != t.programmes))
      return InvalidArgument("--as " + subject +
                             ": two tokens of that subject in tokens: differ in roles or scope; "
                             "give each subject one scope");
    found = &t;
  }
  if (!found) return NotFound("--as " + subject + ": no token of that subject in tokens: of the configuration");
  return access::Principal{found->subject, found->roles, found->partner, found->programmes};
}

// RocksDB refuses a second opener with an I/O error on its LOCK file.
bool IsLockError(const Status& s) {
  return s.message().find("lock file") != std::string::npos || s.message().find("/LOCK") != std::string::npos;
}

}  // namespace

int Import(const Args& args) {
  std::string config_path = "config/relais.yaml", dir, base_url, as, as_of;
  bool dry_run = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--config" && has_value)
      config_path = args[++i];
    else if (args[i] == "--webhook-base-url" && has_value)
      base_url = args[++i];
    else if (args[i] == "--as" && has_value)
      as = args[++i];
    else if (args[i] == "--as-of" && has_value)
      as_of = args[++i];
    else if (args[i] == "--dry-run")
      dry_run = true;
    else if (dir.empty() && !args[i].empty() && args[i][0] != '-')
      dir = args[i];
    else {
      std::fprintf(stderr, "relais import: unexpected argument '%s'\n%s", args[i].c_str(), kImportUsage);
      return 2;
    }
  }
  if (dir.empty()) {
    std::fputs(kImportUsage, stderr);
    return 2;
  }
  auto config = LoadConfigFile(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "relais: %s\n", config.status().message().c_str());
    return 1;
  }
  access::Principal who = Operator();
  if (!as.empty()) {
    auto principal = PrincipalOf(config->tokens, as);
    if (!principal.ok()) {
      std::fprintf(stderr, "relais import: %s\nnothing was written\n", principal.status().message().c_str());
      return 1;
    }
    who = *std::move(principal);
  }
  // Read and check the files before opening the store: a mistake in them
  // never needs the server stopped to be found.
  importer::ImportOptions options = config->importer;
  // The import day in the configured zone (programmes.time_zone, checked when the file was read).
  auto zone = calendar::TimeZone::Find(config->programmes.time_zone);
  if (!zone.ok()) {
    std::fprintf(stderr, "relais import: programmes.time_zone: %s\nnothing was written\n",
                 zone.status().message().c_str());
    return 1;
  }
  options.today = zone->ToLocal(SystemClock::Instance().Now()).date;
  if (!as_of.empty()) {
    auto day = calendar::ParseCivilDate(as_of);
    if (!day.ok()) {
      std::fprintf(stderr, "relais import: --as-of '%s': %s (expected a day as YYYY-MM-DD)\nnothing was written\n",
                   as_of.c_str(), day.status().message().c_str());
      return 2;
    }
    options.today = *day;
  }
  options.max_term_years = config->programmes.max_term_years;
  options.webhook_base_url = base_url;
  auto set = importer::ReadImportSet(dir, options);
  if (!set.ok()) {
    std::fprintf(stderr, "relais import: %s\nnothing was written\n", set.status().message().c_str());
    return 1;
  }
  auto host = RuntimeHost::Open(*config, /*deploy_workflows=*/true);
  if (!host.ok()) {
    if (IsLockError(host.status()))
      std::fprintf(stderr,
                   "relais import: the store %s is in use by another process (is `relais serve` running on it?); "
                   "stop the server, then import\n(%s)\n",
                   config->store.path.c_str(), host.status().message().c_str());
    else
      std::fprintf(stderr, "relais import: cannot open the store %s: %s\n", config->store.path.c_str(),
                   host.status().message().c_str());
    return 1;
  }
  partners::PartnerDirectory partners((*host)->store());
  people::PersonDirectory people((*host)->store());
  importer::ImportTargets targets{(*host)->registry(),
                                  (*host)->projects(),
                                  (*host)->programmes(),
                                  (*host)->webhooks(),
                                  partners,
                                  (*host)->index(),
                                  &people};
  const uint64_t before = (*host)->store().LastPosition();
  auto report = importer::Import(*set, targets, who, dry_run);
  if (!report.ok()) {
    std::fprintf(stderr, "relais import: %s\n", report.status().message().c_str());
    return 1;
  }
  const std::string done = dry_run ? std::string("dry run: nothing written") : "imported " + dir;
  std::printf("%s%s (store %s, log position %llu -> %llu)\n", importer::FormatReport(*report).c_str(), done.c_str(),
              (*host)->rocksdb() ? config->store.path.c_str() : "PostgreSQL", static_cast<unsigned long long>(before),
              static_cast<unsigned long long>((*host)->store().LastPosition()));
  return 0;
}

}  // namespace relais::cli
