// Parsing the one YAML document of a workflow file. yaml-cpp 0.7's LoadAll
// loops forever, allocating, on a stray ',' ("," or "--- ,": jbeder/yaml-cpp
// issue #1040, fixed upstream by PR #1319 after 0.7), so documents are
// counted here with a bounded loop before the first one is built.
//
// Thread-safety: stateless function.
#pragma once

#include <optional>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "engine/workflow/diagnostics.h"

namespace relais::workflow {

// The first document of `text`, or nullopt after reporting a syntax error or
// a second document to `diagnostics`. An empty text gives a null node.
std::optional<YAML::Node> ParseSingleDocument(std::string_view text, Diagnostics& diagnostics);

}  // namespace relais::workflow
