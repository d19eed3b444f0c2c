// RelaisConfig: the composition root's view of the configuration file
// (config/relais.yaml, docs/config.md). Each section is the Options of the
// unit it configures, with that unit's defaults, and is parsed by that unit's
// own section parser; this file only maps section names to them, once. An
// empty file is a valid configuration. Unknown keys and ill-typed values are
// errors that name file:line:column and what was expected.
//
// Thread-safety: plain values; the loader functions are stateless.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/accounts/accounts_config.h"
#include "engine/api/api_config.h"
#include "engine/email/email_options.h"
#include "engine/importer/import_set.h"
#include "engine/notify/webhook_service.h"
#include "engine/programme/programme_service.h"
#include "engine/runtime/runtime_config.h"
#include "engine/server/server_config.h"
#include "engine/store/rocksdb_event_store.h"
#include "engine/store/store_config.h"
#include "engine/util/log.h"
#include "engine/util/status.h"

namespace relais::cli {

// The data directory when the file names none (top-level `data_dir`).
inline constexpr const char* kDefaultDataDir = "./var/data";

struct RelaisConfig {
  server::ServerConfig server;                         // server:
  LogOptions logging;                                  // logging:
  RocksDbStoreOptions store{.path = kDefaultDataDir};  // store:, and data_dir as store.path
  StoreEngineOptions store_engine;                     // store.engine, store.postgres
  std::string workflows_dir = "./workflows";           // workflows_dir: deployed at start (new versions only)
  runtime::RuntimeSection runtime;                     // runtime:
  api::ApiOptions api;                                 // api:
  std::vector<api::TokenConfig> tokens;                // tokens:
  importer::ImportOptions importer;                    // import: (max_file_bytes)
  programme::ProgrammeOptions programmes;              // programmes:
  notify::WebhookOptions webhooks;                     // webhooks:
  email::EmailOptions email;                           // email:
  api::DashboardOptions dashboard;                     // dashboard:
  accounts::AccountsOptions accounts;                  // accounts: (public_url copied from programmes:)
};

// Parses YAML text; source_name prefixes error positions ("relais.yaml:3:5: ...").
// Returns kInvalidArgument for YAML syntax errors, unknown keys (listing the
// known ones), duplicate keys, values of the wrong type or out of range.
StatusOr<RelaisConfig> ParseConfig(std::string_view yaml_text, std::string_view source_name = "<config>");

// Reads and parses the file at path. Returns kNotFound if it does not exist,
// kUnavailable if it cannot be read, else as ParseConfig.
StatusOr<RelaisConfig> LoadConfigFile(const std::string& path);

}  // namespace relais::cli
