// libFuzzer target for the workflow loader: any bytes must give a definition
// or diagnostics, never a crash, hang or leak. A definition that loads is
// also rendered and driven through creation and one command per event type,
// so the guard evaluator and the decision function see fuzzed workflows too;
// once more with a text in every text field and ["a", "b"] in every list
// field, so that keyed tracks get keys and their moves find (or miss) them.
// A definition with children is loaded again with itself standing for every
// workflow it names (the cross-file checks of children's phases), drawn in
// both languages, and each project state it reaches is planned through a
// migration onto the same definition (held links, keyed tracks).
//
// Build: cmake -DRELAIS_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...; run:
//   workflow_loader_fuzz tests/fuzz/corpus/workflow -max_len=8192
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/workflow/decision.h"
#include "engine/workflow/drawing.h"
#include "engine/workflow/loader.h"
#include "engine/workflow/migration.h"
#include "engine/workflow/render.h"

namespace {

relais::Json Filled(const relais::Json& schema) {
  relais::Json out = relais::Json::object();
  auto props = schema.find("properties");
  if (props == schema.end() || !props->is_object()) return out;
  for (const auto& [name, field] : props->items()) {
    if (!field.is_object()) continue;
    const relais::Json type = field.value("type", relais::Json());
    if (type == "array") out[name] = {"a", "b"};
    if (type == "string") out[name] = "a";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace relais::workflow;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadResult r = LoadWorkflowWithDiagnostics(text, "fuzz.yaml");
  (void)r.diagnostics.ToString();
  if (!r.definition) return 0;
  const WorkflowDefinition& def = *r.definition;
  (void)RenderMermaid(def);
  (void)RenderDot(def);
  (void)RenderMermaid(BuildDrawing(def, DrawingLanguage::kEn));
  if (!def.children.empty()) {
    LoadResult linked =
        LoadWorkflowWithDiagnostics(text, "fuzz.yaml", DefaultLimits(), [&def](const std::string&) { return &def; });
    (void)linked.diagnostics.ToString();
  }
  auto migrate = [&def](const ProjectState& state) {
    HeldLinks held;
    held.keyed_tracks = state.keyed_tracks;
    for (const auto& kind : def.children) held.children[kind.id] = 1;
    if (ValidateHeldLinks(def, def, held).ok())
      (void)DescribeKeyedTrackChanges(MigratedKeyedTracks(def, state.keyed_tracks, state.phase, state.fields),
                                      state.keyed_tracks);
  };
  for (const bool filled : {false, true}) {
    for (const auto& phase : def.initial_phases) {
      relais::Json fields = filled ? Filled(def.state_schema) : relais::Json::object();
      auto created = DecideCreate(def, ProjectState{}, CreateCommand{phase, fields, {"coordinator"}});
      const Decision* d = std::get_if<Decision>(&created);
      if (d == nullptr) continue;
      for (const auto& event : def.events) {
        Command c{event.type, filled ? Filled(event.schema) : relais::Json::object(), event.roles, std::nullopt};
        auto decided = Decide(def, d->next, c);
        if (const Decision* next = std::get_if<Decision>(&decided)) {
          (void)Replay(def, {d->events[0], next->events[0]});
          migrate(next->next);
        }
      }
    }
  }
  return 0;
}
