// What a unit's section parser declares in its header: the reader and the
// YAML node by name only, so yaml-cpp stays inside the parsers' .cc files
// (which include engine/util/config_reader.h).
#pragma once

#include "engine/util/status.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace relais {
class ConfigReader;
}  // namespace relais
