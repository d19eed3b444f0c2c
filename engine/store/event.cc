#include "engine/store/event.h"

#include "engine/util/time_format.h"

namespace relais {

std::string NewEvent::DataText() const { return data_json.empty() ? DumpJson(data) : data_json; }

Json RecordedEvent::Data() const {
  auto parsed = ParseJson(data_json);
  return parsed.ok() ? std::move(parsed).value() : Json(nullptr);
}

Json RecordedEvent::ToJson() const {
  Json j;
  j["stream"] = stream_id;
  j["version"] = version;
  j["position"] = position;
  j["id"] = event_id;
  j["type"] = type;
  j["data"] = Data();
  j["schema_version"] = schema_version;
  j["metadata"] = {{"actor", metadata.actor},
                   {"causation_id", metadata.causation_id},
                   {"correlation_id", metadata.correlation_id},
                   {"recorded_at", FormatIso8601(metadata.recorded_at)}};
  return j;
}

}  // namespace relais
