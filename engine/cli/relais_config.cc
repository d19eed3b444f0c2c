#include "engine/cli/relais_config.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "engine/email/email_config.h"
#include "engine/importer/import_config.h"
#include "engine/notify/webhook_config.h"
#include "engine/programme/programme_config.h"
#include "engine/store/store_config.h"
#include "engine/util/config_reader.h"
#include "engine/util/log_config.h"

namespace relais::cli {

namespace {

// A section whose value is parsed by a unit's parser into one member.
template <typename Options>
ConfigReader::Field Section(const ConfigReader& r, std::string key,
                            Status (*parse)(const ConfigReader&, const YAML::Node&, Options*), Options* out) {
  return {std::move(key), [&r, parse, out](const YAML::Node& v, const std::string&) { return parse(r, v, out); }};
}

}  // namespace

StatusOr<RelaisConfig> ParseConfig(std::string_view yaml_text, std::string_view source_name) {
  ConfigReader r(source_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return r.Error(e.mark, e.msg);
  }
  RelaisConfig c;
  try {
    if (!root.IsNull() && !root.IsMap()) {
      return r.Error(root.Mark(), "expected a map of sections at the top level, got " + ConfigReader::Describe(root));
    }
    RELAIS_RETURN_IF_ERROR(r.Map(
        root, "",
        {
            Section(r, "server", &server::ParseServerSection, &c.server),
            r.StringField("data_dir", &c.store.path),
            {"store", [&r, &c](const YAML::Node& v,
                               const std::string&) { return ParseStoreSection(r, v, &c.store, &c.store_engine); }},
            r.StringField("workflows_dir", &c.workflows_dir),
            Section(r, "runtime", &runtime::ParseRuntimeSection, &c.runtime),
            Section(r, "tokens", &api::ParseTokensSection, &c.tokens),
            Section(r, "api", &api::ParseApiSection, &c.api),
            Section(r, "import", &importer::ParseImportSection, &c.importer),
            Section(r, "programmes", &programme::ParseProgrammesSection, &c.programmes),
            Section(r, "webhooks", &notify::ParseWebhooksSection, &c.webhooks),
            Section(r, "email", &email::ParseEmailSection, &c.email),
            Section(r, "dashboard", &api::ParseDashboardSection, &c.dashboard),
            Section(r, "logging", &ParseLoggingSection, &c.logging),
            Section(r, "accounts", &accounts::ParseAccountsSection, &c.accounts),
        }));
    // Links in e-mails and the cookie's Secure flag follow the one public address.
    c.accounts.public_url = c.programmes.public_url;
  } catch (const YAML::Exception& e) {
    return r.Error(e.mark, e.msg);
  }
  return c;
}

StatusOr<RelaisConfig> LoadConfigFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound("config file " + path + " does not exist");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unavailable("cannot open config file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Unavailable("cannot read config file " + path);
  return ParseConfig(text.str(), path);
}

}  // namespace relais::cli
