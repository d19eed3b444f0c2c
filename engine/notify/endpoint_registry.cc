#include "engine/notify/endpoint_registry.h"

#include <algorithm>
#include <mutex>

#include "engine/notify/webhook_keys.h"
#include "engine/util/ids.h"
#include "engine/util/time_format.h"
#include "engine/util/uuid.h"
#include "plugins/webhook/signer.h"
#include "plugins/webhook/target.h"

namespace relais::notify {
namespace {

Status ValidatePattern(const std::string& pattern, const std::string& where) {
  if (pattern.empty() || pattern.size() > 128) return InvalidArgument(where + ": expected 1 to 128 characters");
  for (char c : pattern) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.' || c == '*';
    if (!ok) return InvalidArgument(where + ": expected letters, digits, '_', '-', '.' or '*', got '" + pattern + "'");
  }
  return Status::Ok();
}

StatusOr<std::vector<std::string>> TopicList(const Json& value, const std::string& member) {
  if (!value.is_array()) return InvalidArgument(member + ": expected a list of topics such as [\"action.verdict\"]");
  if (value.size() > kMaxTopicPatterns)
    return InvalidArgument(member + ": expected at most " + std::to_string(kMaxTopicPatterns) + " topics");
  std::vector<std::string> out;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string where = member + "[" + std::to_string(i) + "]";
    if (!value[i].is_string()) return InvalidArgument(where + ": expected a string such as \"action.verdict\"");
    RELAIS_RETURN_IF_ERROR(ValidateTopicPattern(value[i].get_ref<const std::string&>(), where));
    out.push_back(value[i].get<std::string>());
  }
  return out;
}

StatusOr<std::vector<std::string>> StringList(const Json& value, const std::string& member, bool patterns) {
  if (!value.is_array()) return InvalidArgument(member + ": expected a list of strings");
  if (value.size() > 100) return InvalidArgument(member + ": expected at most 100 entries");
  std::vector<std::string> out;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string where = member + "[" + std::to_string(i) + "]";
    if (!value[i].is_string()) return InvalidArgument(where + ": expected a string");
    std::string s = value[i].get<std::string>();
    RELAIS_RETURN_IF_ERROR(ValidatePattern(s, where));
    if (!patterns && s.find('*') != std::string::npos) return InvalidArgument(where + ": no '*' allowed here");
    out.push_back(std::move(s));
  }
  return out;
}

Json OptionalTime(const std::optional<TimePoint>& t) { return t ? Json(FormatIso8601(*t)) : Json(nullptr); }

StatusOr<std::optional<TimePoint>> ReadOptionalTime(const Json& json, const char* member) {
  auto it = json.find(member);
  if (it == json.end() || it->is_null()) return std::optional<TimePoint>();
  if (!it->is_string()) return Corruption(std::string("webhook endpoint: ") + member + " is not a string");
  RELAIS_ASSIGN_OR_RETURN(TimePoint t, ParseIso8601(it->get<std::string>()));
  return std::optional<TimePoint>(t);
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Status ValidateTopicPattern(std::string_view pattern, const std::string& where) {
  const std::string expected =
      "expected a topic such as 'action.verdict' (dot-separated words of lower-case letters, digits and '_'), "
      "where '*' matches any run of characters ('action.*')";
  if (pattern.empty() || pattern.size() > kMaxTopicPatternBytes)
    return InvalidArgument(where + ": " + expected + ", of 1 to " + std::to_string(kMaxTopicPatternBytes) +
                           " characters; got " + std::to_string(pattern.size()));
  bool word_empty = true;
  for (char c : pattern) {
    if (c == '.') {
      if (word_empty) return InvalidArgument(where + ": an empty word in '" + std::string(pattern) + "'; " + expected);
      word_empty = true;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '*';
    if (!ok) {
      const bool ascii = (static_cast<unsigned char>(c) & 0x80) == 0;
      const std::string found = ascii ? "'" + std::string(1, c) + "'" : "a letter outside a-z";
      const std::string hint = (c >= 'A' && c <= 'Z') ? " (topics are lower-case)"
                               : ascii                ? ""
                                                      : " (no accents in topics)";
      return InvalidArgument(where + ": '" + std::string(pattern) + "' has " + found + "; " + expected + hint);
    }
    word_empty = false;
  }
  if (word_empty) return InvalidArgument(where + ": '" + std::string(pattern) + "' ends with '.'; " + expected);
  return Status::Ok();
}

std::vector<std::string> Endpoint::SigningSecrets(TimePoint now) const {
  std::vector<std::string> out;
  for (const auto& s : secrets) {
    if (!s.not_after || *s.not_after > now) out.push_back(s.secret);
  }
  return out;
}

bool Endpoint::MatchesType(std::string_view type) const {
  return std::any_of(event_types.begin(), event_types.end(), [&](const std::string& p) { return GlobMatch(p, type); });
}

bool Endpoint::MatchesTopics(const std::vector<std::string>& event_topics) const {
  if (topics.empty()) return true;
  for (const std::string& pattern : topics)
    for (const std::string& topic : event_topics)
      if (GlobMatch(pattern, topic)) return true;
  return false;
}

bool Endpoint::MatchesProject(std::string_view project_id, std::string_view axis) const {
  if (!projects.empty() && std::find(projects.begin(), projects.end(), project_id) == projects.end()) return false;
  if (!axes.empty() && std::find(axes.begin(), axes.end(), axis) == axes.end()) return false;
  return true;
}

Json Endpoint::ToPublicJson() const {
  Json j = {{"id", id},
            {"partner", partner},
            {"url", url},
            {"description", description},
            {"event_types", event_types},
            {"projects", projects},
            {"axes", axes},
            {"topics", topics},
            {"active", active},
            {"created_at", FormatIso8601(created_at)},
            {"disabled_reason", disabled_reason},
            {"disabled_at", OptionalTime(disabled_at)},
            {"failing_since", OptionalTime(failing_since)}};
  Json rotation = Json::array();
  for (const auto& s : secrets) rotation.push_back({{"not_after", OptionalTime(s.not_after)}});
  j["secrets"] = rotation;
  return j;
}

Json Endpoint::ToStoredJson() const {
  Json j = ToPublicJson();
  Json secrets_json = Json::array();
  for (const auto& s : secrets)
    secrets_json.push_back({{"secret", s.secret}, {"not_after", OptionalTime(s.not_after)}});
  j["secrets"] = secrets_json;
  return j;
}

StatusOr<Endpoint> Endpoint::FromStoredJson(const Json& json) {
  try {
    Endpoint e;
    e.id = json.at("id").get<std::string>();
    e.partner = json.at("partner").get<std::string>();
    e.url = json.at("url").get<std::string>();
    e.description = json.value("description", "");
    e.event_types = json.at("event_types").get<std::vector<std::string>>();
    e.projects = json.at("projects").get<std::vector<std::string>>();
    e.axes = json.at("axes").get<std::vector<std::string>>();
    // Records written before topic filters have none.
    if (auto t = json.find("topics"); t != json.end()) e.topics = t->get<std::vector<std::string>>();
    e.active = json.at("active").get<bool>();
    e.disabled_reason = json.value("disabled_reason", "");
    RELAIS_ASSIGN_OR_RETURN(e.disabled_at, ReadOptionalTime(json, "disabled_at"));
    RELAIS_ASSIGN_OR_RETURN(e.failing_since, ReadOptionalTime(json, "failing_since"));
    RELAIS_ASSIGN_OR_RETURN(e.created_at, ParseIso8601(json.at("created_at").get<std::string>()));
    for (const Json& s : json.at("secrets")) {
      EndpointSecret secret;
      secret.secret = s.at("secret").get<std::string>();
      RELAIS_ASSIGN_OR_RETURN(secret.not_after, ReadOptionalTime(s, "not_after"));
      e.secrets.push_back(std::move(secret));
    }
    return e;
  } catch (const std::exception& ex) {
    return Corruption(std::string("webhook endpoint record is malformed: ") + ex.what());
  }
}

StatusOr<EndpointFields> EndpointFields::FromJson(const Json& body) {
  EndpointFields f;
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& key = it.key();
    const Json& v = it.value();
    if (key == "url") {
      if (!v.is_string()) return InvalidArgument("url: expected a string");
      auto parsed = plugins::webhook::WebhookUrl::Parse(v.get<std::string>());
      if (!parsed.ok()) return parsed.status();
      f.url = v.get<std::string>();
    } else if (key == "description") {
      if (!v.is_string() || v.get<std::string>().size() > 1024)
        return InvalidArgument("description: expected a string of at most 1024 bytes");
      f.description = v.get<std::string>();
    } else if (key == "secret") {
      if (!v.is_string()) return InvalidArgument("secret: expected a string 'whsec_' + base64");
      RELAIS_RETURN_IF_ERROR(plugins::webhook::ValidateSecret(v.get<std::string>()).WithContext("secret"));
      f.secret = v.get<std::string>();
    } else if (key == "event_types") {
      RELAIS_ASSIGN_OR_RETURN(auto list, StringList(v, key, true));
      if (list.empty()) return InvalidArgument("event_types: expected at least one pattern (\"*\" for every type)");
      f.event_types = std::move(list);
    } else if (key == "projects") {
      RELAIS_ASSIGN_OR_RETURN(f.projects, StringList(v, key, false));
    } else if (key == "axes") {
      RELAIS_ASSIGN_OR_RETURN(f.axes, StringList(v, key, false));
    } else if (key == "topics") {
      RELAIS_ASSIGN_OR_RETURN(f.topics, TopicList(v, key));
    } else if (key == "active") {
      if (!v.is_boolean()) return InvalidArgument("active: expected true or false");
      f.active = v.get<bool>();
    } else if (key == "id" || key == "partner") {
      // Checked by the caller (ids and owners do not change).
    } else {
      return InvalidArgument("unknown member '" + key +
                             "'; known: url, description, secret, event_types, projects, axes, topics, active");
    }
  }
  return f;
}

Status EndpointRegistry::Load() {
  // Read whole, then swapped in: readers keep the previous cache meanwhile,
  // and a failed read changes nothing. This node's own writes wait for it
  // (write_mu_): each lands before the scan, which reads it, or after the
  // swap, which it then updates; none is dropped by the swap.
  std::lock_guard write(write_mu_);
  std::map<std::string, Endpoint> endpoints;
  std::map<std::string, std::vector<std::string>> by_partner;
  std::string after;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(std::string(kEndpointPrefix), after, 512));
    for (const KvEntry& entry : page) {
      RELAIS_ASSIGN_OR_RETURN(Json json, ParseJson(entry.value));
      RELAIS_ASSIGN_OR_RETURN(Endpoint e, Endpoint::FromStoredJson(json));
      by_partner[e.partner].push_back(e.id);
      endpoints[e.id] = std::move(e);
    }
    if (page.size() < 512) break;
    after = page.back().key;
  }
  std::unique_lock lock(mu_);
  endpoints_ = std::move(endpoints);
  by_partner_ = std::move(by_partner);
  return Status::Ok();
}

Status EndpointRegistry::Put(const Endpoint& endpoint, bool sync) {
  KvWrites writes;
  writes.sync = sync;
  writes.Put(EndpointKey(endpoint.id), DumpJson(endpoint.ToStoredJson()));
  return store_.KvWrite(writes);
}

StatusOr<Endpoint> EndpointRegistry::Create(const std::string& partner, const EndpointFields& fields,
                                            const std::string& id) {
  if (!fields.url) return InvalidArgument("url: required (an http:// or https:// URL)");
  if (!id.empty()) RELAIS_RETURN_IF_ERROR(ValidateId("endpoint id", id));
  Endpoint e;
  e.id = id.empty() ? NewUuid() : id;
  e.partner = partner;
  e.url = *fields.url;
  e.description = fields.description.value_or("");
  e.event_types = fields.event_types.value_or(std::vector<std::string>{"*"});
  e.projects = fields.projects.value_or(std::vector<std::string>{});
  e.axes = fields.axes.value_or(std::vector<std::string>{});
  e.topics = fields.topics.value_or(std::vector<std::string>{});
  e.active = fields.active.value_or(true);
  e.created_at = clock_.Now();
  std::string secret;
  if (fields.secret) {
    secret = *fields.secret;
  } else {
    RELAIS_ASSIGN_OR_RETURN(secret, plugins::webhook::GenerateSecret());
  }
  e.secrets.push_back({secret, std::nullopt});
  std::lock_guard write(write_mu_);
  std::unique_lock lock(mu_);
  if (endpoints_.count(e.id)) return AlreadyExists("webhook endpoint '" + e.id + "' already exists");
  RELAIS_RETURN_IF_ERROR(Put(e, true));
  by_partner_[partner].push_back(e.id);
  endpoints_[e.id] = e;
  return e;
}

StatusOr<Endpoint> EndpointRegistry::Update(const std::string& id, const EndpointFields& fields) {
  std::lock_guard write(write_mu_);
  std::unique_lock lock(mu_);
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return NotFound("no webhook endpoint '" + id + "'");
  Endpoint e = it->second;
  if (fields.url) e.url = *fields.url;
  if (fields.description) e.description = *fields.description;
  if (fields.event_types) e.event_types = *fields.event_types;
  if (fields.projects) e.projects = *fields.projects;
  if (fields.axes) e.axes = *fields.axes;
  if (fields.topics) e.topics = *fields.topics;
  if (fields.secret) return InvalidArgument("secret: change it with POST .../rotate-secret");
  if (fields.active) {
    if (*fields.active && !e.active) {
      e.disabled_reason.clear();
      e.disabled_at.reset();
      e.failing_since.reset();
    }
    if (!*fields.active && e.active) {
      e.disabled_reason = "disabled through the API";
      e.disabled_at = clock_.Now();
    }
    e.active = *fields.active;
  }
  RELAIS_RETURN_IF_ERROR(Put(e, true));
  it->second = e;
  return e;
}

Status EndpointRegistry::Delete(const std::string& id) {
  std::lock_guard write(write_mu_);
  std::unique_lock lock(mu_);
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return NotFound("no webhook endpoint '" + id + "'");
  KvWrites writes;
  writes.Delete(EndpointKey(id));
  RELAIS_RETURN_IF_ERROR(store_.KvWrite(writes));
  std::erase(by_partner_[it->second.partner], id);
  endpoints_.erase(it);
  return Status::Ok();
}

StatusOr<Endpoint> EndpointRegistry::RotateSecret(const std::string& id, std::optional<std::string> secret,
                                                  std::chrono::milliseconds overlap) {
  if (secret) RELAIS_RETURN_IF_ERROR(plugins::webhook::ValidateSecret(*secret).WithContext("secret"));
  if (!secret) {
    RELAIS_ASSIGN_OR_RETURN(std::string generated, plugins::webhook::GenerateSecret());
    secret = std::move(generated);
  }
  std::lock_guard write(write_mu_);
  std::unique_lock lock(mu_);
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return NotFound("no webhook endpoint '" + id + "'");
  Endpoint e = it->second;
  const TimePoint now = clock_.Now();
  const TimePoint until = now + std::chrono::duration_cast<std::chrono::microseconds>(overlap);
  std::vector<EndpointSecret> kept{{*secret, std::nullopt}};
  for (const auto& s : e.secrets) {
    if (s.not_after && *s.not_after <= now) continue;  // expired: dropped
    kept.push_back({s.secret, s.not_after ? std::min(*s.not_after, until) : until});
  }
  e.secrets = std::move(kept);
  RELAIS_RETURN_IF_ERROR(Put(e, true));
  it->second = e;
  return e;
}

StatusOr<Endpoint> EndpointRegistry::Get(const std::string& id) const {
  {
    std::shared_lock lock(mu_);
    auto it = endpoints_.find(id);
    if (it != endpoints_.end()) return it->second;
  }
  // Not cached: another node (a shared store) may have made it since the
  // last Load. The store decides; the next Load caches it.
  RELAIS_ASSIGN_OR_RETURN(auto stored, store_.KvGet(EndpointKey(id)));
  if (!stored) return NotFound("no webhook endpoint '" + id + "'");
  RELAIS_ASSIGN_OR_RETURN(Json json, ParseJson(*stored));
  return Endpoint::FromStoredJson(json);
}

std::vector<Endpoint> EndpointRegistry::List(const std::string& partner, const std::string& start_after,
                                             size_t limit) const {
  std::shared_lock lock(mu_);
  std::vector<Endpoint> out;
  for (auto it = endpoints_.upper_bound(start_after); it != endpoints_.end() && out.size() < limit; ++it) {
    if (partner.empty() || it->second.partner == partner) out.push_back(it->second);
  }
  return out;
}

std::vector<Endpoint> EndpointRegistry::ActiveFor(const std::vector<std::string>& partners) const {
  std::shared_lock lock(mu_);
  std::vector<Endpoint> out;
  for (const std::string& p : partners) {
    auto ids = by_partner_.find(p);
    if (ids == by_partner_.end()) continue;
    for (const std::string& id : ids->second) {
      const Endpoint& e = endpoints_.at(id);
      if (e.active) out.push_back(e);
    }
  }
  return out;
}

Status EndpointRegistry::RecordSuccess(const std::string& id) {
  std::lock_guard write(write_mu_);
  std::unique_lock lock(mu_);
  auto it = endpoints_.find(id);
  if (it == endpoints_.end() || !it->second.failing_since) return Status::Ok();
  Endpoint e = it->second;
  e.failing_since.reset();
  RELAIS_RETURN_IF_ERROR(Put(e, false));
  it->second = e;
  return Status::Ok();
}

StatusOr<TimePoint> EndpointRegistry::RecordFailure(const std::string& id, TimePoint now) {
  std::lock_guard write(write_mu_);
  std::unique_lock lock(mu_);
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return NotFound("no webhook endpoint '" + id + "'");
  if (it->second.failing_since) return *it->second.failing_since;
  Endpoint e = it->second;
  e.failing_since = now;
  RELAIS_RETURN_IF_ERROR(Put(e, false));
  it->second = e;
  return now;
}

StatusOr<bool> EndpointRegistry::Disable(const std::string& id, const std::string& reason) {
  std::lock_guard write(write_mu_);
  std::unique_lock lock(mu_);
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return NotFound("no webhook endpoint '" + id + "'");
  if (!it->second.active) return false;
  Endpoint e = it->second;
  e.active = false;
  e.disabled_reason = reason;
  e.disabled_at = clock_.Now();
  RELAIS_RETURN_IF_ERROR(Put(e, true));
  it->second = e;
  return true;
}

}  // namespace relais::notify
