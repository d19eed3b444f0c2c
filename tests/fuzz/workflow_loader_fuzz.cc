// libFuzzer target for the workflow loader: any bytes must give a definition
// or diagnostics, never a crash, hang or leak. A definition that loads is
// also rendered and driven through creation and one command per event type,
// so the guard evaluator and the decision function see fuzzed workflows too;
// once more with a text in every text field and ["a", "b"] in every list
// field, so that keyed tracks get keys and their moves find (or miss) them.
//
// Build: cmake -DRELAIS_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...; run:
//   workflow_loader_fuzz tests/fuzz/corpus/workflow -max_len=8192
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/workflow/decision.h"
#include "engine/workflow/loader.h"
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
  for (const bool filled : {false, true}) {
    for (const auto& phase : def.initial_phases) {
      relais::Json fields = filled ? Filled(def.state_schema) : relais::Json::object();
      auto created = DecideCreate(def, ProjectState{}, CreateCommand{phase, fields, {"coordinator"}});
      const Decision* d = std::get_if<Decision>(&created);
      if (d == nullptr) continue;
      for (const auto& event : def.events) {
        Command c{event.type, filled ? Filled(event.schema) : relais::Json::object(), event.roles, std::nullopt};
        auto decided = Decide(def, d->next, c);
        if (const Decision* next = std::get_if<Decision>(&decided)) (void)Replay(def, {d->events[0], next->events[0]});
      }
    }
  }
  return 0;
}
