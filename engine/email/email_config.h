// The parser of section `email:` into EmailOptions (docs/config.md,
// docs/email.md). The defaults are EmailOptions'.
#pragma once

#include "engine/email/email_options.h"
#include "engine/util/config_section.h"

namespace relais::email {

// Keys absent keep their value in *out. Errors: kInvalidArgument naming
// file:line:column (an unknown key, a URL that is not smtp:// or smtps://,
// a tls mode other than starttls/try-starttls/none/tls, both password and
// password_file, a from address that is not one, a value out of range).
Status ParseEmailSection(const ConfigReader& r, const YAML::Node& node, EmailOptions* out);

}  // namespace relais::email
