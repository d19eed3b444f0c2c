// The key layout of webhooks in the event store's key-value space (see
// docs/storage.md, "Webhooks"). Project ids and endpoint ids hold no '/'.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace relais::notify {

inline constexpr std::string_view kEndpointPrefix = "webhook/endpoint/";
inline constexpr std::string_view kQueuePrefix = "webhook/q/";
inline constexpr std::string_view kAttemptPrefix = "webhook/attempt/";
inline constexpr std::string_view kEndpointLogPrefix = "webhook/log/";
inline constexpr std::string_view kDeadPrefix = "webhook/dead/";
// The stream of Relais's own webhook events (endpoint disabled).
inline constexpr std::string_view kWebhookSystemStream = "relais-webhooks";
// Which partners a programme concerns: one key per (programme, partner)
// named by a project of the programme, written with the project's creation.
inline constexpr std::string_view kProgrammePartnerPrefix = "webhook/programme-partner/";
inline constexpr std::string_view kEndpointDisabled = "webhook_endpoint_disabled";

inline std::string Padded(uint64_t n, int width = 20) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%0*llu", width, static_cast<unsigned long long>(n));
  return buf;
}

inline std::string EndpointKey(std::string_view id) { return std::string(kEndpointPrefix) + std::string(id); }
// One lane: the deliveries of one project to one endpoint, in project order.
inline std::string LaneKey(std::string_view endpoint, std::string_view project) {
  return std::string(endpoint) + "/" + std::string(project);
}
// A pending delivery: the lane plus the event's version in its project.
inline std::string QueueSuffix(std::string_view endpoint, std::string_view project, uint64_t version) {
  return LaneKey(endpoint, project) + "/" + Padded(version);
}
inline std::string ProgrammePartnersPrefix(std::string_view programme) {
  return std::string(kProgrammePartnerPrefix) + std::string(programme) + "/";
}
inline std::string QueueKey(std::string_view suffix) { return std::string(kQueuePrefix) + std::string(suffix); }
inline std::string AttemptKey(std::string_view delivery, uint32_t attempt) {
  return std::string(kAttemptPrefix) + std::string(delivery) + "/" + Padded(attempt, 6);
}
inline std::string EndpointLogKey(std::string_view endpoint, int64_t at_micros, std::string_view delivery,
                                  uint32_t attempt) {
  return std::string(kEndpointLogPrefix) + std::string(endpoint) + "/" + Padded(static_cast<uint64_t>(at_micros)) +
         "/" + std::string(delivery) + "/" + Padded(attempt, 6);
}
inline std::string DeadKey(std::string_view delivery) { return std::string(kDeadPrefix) + std::string(delivery); }

}  // namespace relais::notify
