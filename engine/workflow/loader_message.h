// Reads the `message:` of a guard or a transition: one text (shown in every
// language) or {fr: "...", en: "..."}. Part of the loader.
//
// Thread-safety: not thread-safe (uses the load's YamlReader).
#pragma once

#include <optional>

#include <yaml-cpp/yaml.h>

#include "engine/workflow/definition.h"
#include "engine/workflow/yaml_reader.h"

namespace relais::workflow {

// The message at `node`, or nullopt after reporting what is wrong (a list, an
// empty text, a map without fr or en, an unknown language, a text over
// limits.max_message_bytes) at its line and column.
std::optional<Message> ReadMessage(YamlReader& reader, const YAML::Node& node, SourceLocation fallback);

}  // namespace relais::workflow
