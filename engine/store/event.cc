#include "engine/store/event.h"

#include "engine/util/time_format.h"

namespace relais {

std::string NewEvent::DataText() const { return data_json.empty() ? DumpJson(data) : data_json; }

Json RecordedEvent::Data() const {
  auto parsed = ParseJson(data_json);
  return parsed.ok() ? std::move(parsed).value() : Json(nullptr);
}

std::string RecordedEvent::ToJsonText() const {
  // The members in ToJson()'s order (nlohmann sorts object keys).
  auto quoted = [](const std::string& s) { return DumpJson(Json(s)); };
  std::string out;
  out.reserve(data_json.size() + 320);
  out += "{\"data\":";
  out += data_json.empty() ? "null" : data_json;
  out += ",\"id\":" + quoted(event_id);
  out += ",\"metadata\":{\"actor\":" + quoted(metadata.actor);
  out += ",\"causation_id\":" + quoted(metadata.causation_id);
  out += ",\"correlation_id\":" + quoted(metadata.correlation_id);
  out += ",\"recorded_at\":" + quoted(FormatIso8601(metadata.recorded_at));
  out += "},\"position\":" + std::to_string(position);
  out += ",\"schema_version\":" + std::to_string(schema_version);
  out += ",\"stream\":" + quoted(stream_id);
  out += ",\"type\":" + quoted(type);
  out += ",\"version\":" + std::to_string(version) + "}";
  return out;
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
