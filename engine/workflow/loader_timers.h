// The loader's reading of the timer keys `every:`, `at: event.<f>` /
// `at: state.<f>` and `on_suspend:` (the rest of a timer is read in
// loader.cc). Each reports through the reader's Diagnostics and fills the
// timer only with what is valid.
//
// Thread-safety: not thread-safe; called by the one loader that owns reader.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "engine/workflow/definition.h"
#include "engine/workflow/yaml_reader.h"

namespace relais::workflow {

// `every: P18M`: a repeating timer with that period.
void LoadTimerEvery(YamlReader& reader, const YAML::Node& node, Timer& timer);

// `on_suspend: keep | pause | cancel`.
void LoadTimerOnSuspend(YamlReader& reader, const YAML::Node& node, Timer& timer);

// `at: event.<f>` or `at: state.<f>`, written at `at`: the field must be a
// date of the arming event's data (armed_on: {event}) or of the state.
// REQUIRES: timer.on_event / on_enter_phase already read.
void LoadTimerAtField(YamlReader& reader, const WorkflowDefinition& def, const std::string& text, SourceLocation at,
                      Timer& timer);

}  // namespace relais::workflow
