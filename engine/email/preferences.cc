#include "engine/email/preferences.h"

namespace relais::email {

namespace {

constexpr std::string_view kPrefPrefix = "email/pref/";
constexpr size_t kMaxProgrammes = 10'000;

std::string PrefKey(std::string_view person, std::string_view programme) {
  return std::string(kPrefPrefix) + std::string(person) + "/" + ProgrammeKey(programme);
}

}  // namespace

std::string_view ToString(Delivery d) {
  switch (d) {
    case Delivery::kImmediate: return "immediate";
    case Delivery::kDigest: return "digest";
    case Delivery::kNone: return "none";
  }
  return "immediate";
}

std::optional<Delivery> ParseDelivery(std::string_view text) {
  if (text == "immediate") return Delivery::kImmediate;
  if (text == "digest") return Delivery::kDigest;
  if (text == "none") return Delivery::kNone;
  return std::nullopt;
}

std::string ProgrammeKey(std::string_view programme) { return programme.empty() ? "-" : std::string(programme); }

StatusOr<Delivery> EmailPreferences::Get(const std::string& person, const std::string& programme) const {
  RELAIS_ASSIGN_OR_RETURN(auto value, store_.KvGet(PrefKey(person, programme)));
  if (!value) return Delivery::kImmediate;
  auto d = ParseDelivery(*value);
  return d ? *d : Delivery::kImmediate;
}

StatusOr<std::map<std::string, Delivery>> EmailPreferences::All(const std::string& person) const {
  const std::string prefix = std::string(kPrefPrefix) + person + "/";
  RELAIS_ASSIGN_OR_RETURN(auto entries, store_.KvScan(prefix, "", kMaxProgrammes));
  std::map<std::string, Delivery> out;
  for (const KvEntry& e : entries)
    if (auto d = ParseDelivery(e.value)) out[e.key.substr(prefix.size())] = *d;
  return out;
}

void EmailPreferences::Put(const std::string& person, const std::string& programme, Delivery choice, KvWrites& writes) {
  writes.Put(PrefKey(person, programme), std::string(ToString(choice)));
}

Status EmailPreferences::Set(const std::string& person, const std::string& programme, Delivery choice) {
  KvWrites writes;
  Put(person, programme, choice, writes);
  return store_.KvWrite(writes);
}

}  // namespace relais::email
