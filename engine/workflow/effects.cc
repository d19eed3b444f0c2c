#include "engine/workflow/effects.h"

#include "engine/util/time_format.h"

namespace relais::workflow {
namespace {

StatusOr<std::vector<std::string>> Names(const Json& list, const char* what) {
  if (!list.is_array()) return Corruption(std::string("effects.") + what + " must be a list");
  std::vector<std::string> out;
  for (const Json& item : list)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

StatusOr<std::map<std::string, std::string>> NameMap(const Json& object, const char* what) {
  if (!object.is_object()) return Corruption(std::string("effects.") + what + " must be an object");
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : object.items())
    if (value.is_string()) out[key] = value.get<std::string>();
  return out;
}

// timers.paused, timers.resumed and timers.due (issue 15 timers).
Status ReadTimerSuspension(const Json& timers, TimerEffects& out) {
  if (auto p = timers.find("paused"); p != timers.end()) {
    if (!p->is_object()) return Corruption("effects.timers.paused must be an object");
    for (const auto& [id, left] : p->items()) {
      if (!left.is_number_integer()) return Corruption("effects.timers.paused['" + id + "'] must be whole seconds");
      out.paused[id] = left.get<int64_t>();
    }
  }
  if (auto r = timers.find("resumed"); r != timers.end()) {
    RELAIS_ASSIGN_OR_RETURN(out.resumed, Names(*r, "timers.resumed"));
  }
  if (auto d = timers.find("due"); d != timers.end()) {
    if (!d->is_object()) return Corruption("effects.timers.due must be an object");
    for (const auto& [id, at] : d->items()) {
      auto t = at.is_string() ? ParseIso8601(at.get<std::string>()) : StatusOr<TimePoint>(Corruption("not a text"));
      if (!t.ok()) return Corruption("effects.timers.due['" + id + "'] must be an ISO 8601 time");
      out.due[id] = *t;
    }
  }
  return Status::Ok();
}

}  // namespace

Json Effects::ToJson() const {
  Json j = Json::object();
  if (phase) {
    Json p = {{"to", phase->to}};
    if (phase->from) p["from"] = *phase->from;
    j["phase"] = std::move(p);
  }
  if (tracks) j["tracks"] = *tracks;
  if (!set.empty()) j["set"] = set;
  if (!append.empty()) j["append"] = append;
  if (!unset.empty()) j["unset"] = unset;
  if (suspended) j["suspended"] = *suspended;
  if (!timers.empty()) {
    Json t = Json::object();
    if (!timers.cancelled.empty()) t["cancelled"] = timers.cancelled;
    if (!timers.armed.empty()) t["armed"] = timers.armed;
    if (!timers.fired.empty()) t["fired"] = timers.fired;
    if (!timers.paused.empty()) t["paused"] = timers.paused;
    if (!timers.resumed.empty()) t["resumed"] = timers.resumed;
    if (!timers.due.empty()) {
      Json due = Json::object();
      for (const auto& [id, at] : timers.due) due[id] = FormatIso8601(at);
      t["due"] = std::move(due);
    }
    j["timers"] = std::move(t);
  }
  const MembershipEffects& m = membership;
  if (!m.partners_joined.empty() || !m.partners_left.empty()) {
    Json p = Json::object();
    if (!m.partners_joined.empty()) p["joined"] = m.partners_joined;
    if (!m.partners_left.empty()) p["left"] = m.partners_left;
    j["partners"] = std::move(p);
  }
  if (!m.people_joined.empty() || !m.people_left.empty()) {
    Json p = Json::object();
    if (!m.people_joined.empty()) {
      Json joined = Json::array();
      for (const PersonJoining& person : m.people_joined)
        joined.push_back({{"subject", person.subject}, {"role", person.role}});
      p["joined"] = std::move(joined);
    }
    if (!m.people_left.empty()) p["left"] = m.people_left;
    j["people"] = std::move(p);
  }
  if (!spawned.empty()) {
    Json list = Json::array();
    for (const SpawnEffect& s : spawned) list.push_back(s.ToJson());
    j["spawned"] = std::move(list);
  }
  if (!keyed_tracks.empty()) {
    Json k = Json::object();
    for (const auto& [id, change] : keyed_tracks) {
      Json c = Json::object();
      if (change.ends) c["ends"] = true;
      if (change.starts) c["starts"] = true;
      if (!change.steps.empty()) c["steps"] = change.steps;
      if (!change.left.empty()) c["left"] = change.left;
      k[id] = std::move(c);
    }
    j["keyed_tracks"] = std::move(k);
  }
  return j;
}

StatusOr<Effects> Effects::FromJson(const Json& j) {
  if (!j.is_object()) return Corruption("effects must be an object");
  Effects e;
  if (auto it = j.find("phase"); it != j.end()) {
    if (!it->is_object() || !it->contains("to") || !(*it)["to"].is_string())
      return Corruption("effects.phase needs a 'to' phase");
    PhaseChange change;
    change.to = (*it)["to"].get<std::string>();
    if (auto from = it->find("from"); from != it->end() && from->is_string()) change.from = from->get<std::string>();
    e.phase = std::move(change);
  }
  if (auto it = j.find("tracks"); it != j.end()) {
    RELAIS_ASSIGN_OR_RETURN(auto tracks, NameMap(*it, "tracks"));
    e.tracks = std::move(tracks);
  }
  if (auto it = j.find("set"); it != j.end()) {
    if (!it->is_object()) return Corruption("effects.set must be an object");
    e.set = *it;
  }
  if (auto it = j.find("append"); it != j.end()) {
    if (!it->is_object()) return Corruption("effects.append must be an object");
    for (const auto& [k, items] : it->items())
      if (!items.is_array()) return Corruption("effects.append['" + k + "'] must be the list of added items");
    e.append = *it;
  }
  if (auto it = j.find("unset"); it != j.end()) {
    RELAIS_ASSIGN_OR_RETURN(e.unset, Names(*it, "unset"));
  }
  if (auto it = j.find("suspended"); it != j.end()) {
    if (!it->is_boolean()) return Corruption("effects.suspended must be a boolean");
    e.suspended = it->get<bool>();
  }
  if (auto it = j.find("timers"); it != j.end()) {
    if (!it->is_object()) return Corruption("effects.timers must be an object");
    if (auto a = it->find("armed"); a != it->end() && a->is_object()) {
      RELAIS_ASSIGN_OR_RETURN(e.timers.armed, NameMap(*a, "timers.armed"));
    }
    if (auto c = it->find("cancelled"); c != it->end() && c->is_array()) {
      RELAIS_ASSIGN_OR_RETURN(e.timers.cancelled, Names(*c, "timers.cancelled"));
    }
    if (auto f = it->find("fired"); f != it->end() && f->is_array()) {
      RELAIS_ASSIGN_OR_RETURN(e.timers.fired, Names(*f, "timers.fired"));
    }
    RELAIS_RETURN_IF_ERROR(ReadTimerSuspension(*it, e.timers));
  }
  if (auto it = j.find("partners"); it != j.end()) {
    if (!it->is_object()) return Corruption("effects.partners must be an object");
    if (auto a = it->find("joined"); a != it->end()) {
      RELAIS_ASSIGN_OR_RETURN(e.membership.partners_joined, Names(*a, "partners.joined"));
    }
    if (auto a = it->find("left"); a != it->end()) {
      RELAIS_ASSIGN_OR_RETURN(e.membership.partners_left, Names(*a, "partners.left"));
    }
  }
  if (auto it = j.find("people"); it != j.end()) {
    if (!it->is_object()) return Corruption("effects.people must be an object");
    if (auto a = it->find("joined"); a != it->end()) {
      if (!a->is_array()) return Corruption("effects.people.joined must be a list");
      for (const Json& person : *a) {
        if (!person.is_object() || !person.contains("subject") || !person["subject"].is_string())
          return Corruption("effects.people.joined: each person needs a subject");
        e.membership.people_joined.push_back({person["subject"].get<std::string>(), person.value("role", "")});
      }
    }
    if (auto a = it->find("left"); a != it->end()) {
      RELAIS_ASSIGN_OR_RETURN(e.membership.people_left, Names(*a, "people.left"));
    }
  }
  if (auto it = j.find("spawned"); it != j.end()) {
    if (!it->is_array()) return Corruption("effects.spawned must be a list");
    for (const Json& s : *it) {
      RELAIS_ASSIGN_OR_RETURN(SpawnEffect spawn, SpawnEffect::FromJson(s));
      e.spawned.push_back(std::move(spawn));
    }
  }
  if (auto it = j.find("keyed_tracks"); it != j.end()) {
    if (!it->is_object()) return Corruption("effects.keyed_tracks must be an object");
    for (const auto& [id, c] : it->items()) {
      if (!c.is_object()) return Corruption("effects.keyed_tracks['" + id + "'] must be an object");
      KeyedTrackChange change;
      const Json& fields = c;  // clang before 16 can not capture a structured binding
      auto flag = [&fields](const char* name) {
        auto f = fields.find(name);
        return f != fields.end() && f->is_boolean() && f->get<bool>();
      };
      change.ends = flag("ends");
      change.starts = flag("starts");
      if (auto s = c.find("steps"); s != c.end()) {
        RELAIS_ASSIGN_OR_RETURN(change.steps, NameMap(*s, "keyed_tracks.steps"));
      }
      if (auto l = c.find("left"); l != c.end()) {
        RELAIS_ASSIGN_OR_RETURN(change.left, Names(*l, "keyed_tracks.left"));
      }
      e.keyed_tracks[id] = std::move(change);
    }
  }
  return e;
}

namespace {

// A JSON object's members written in the order Json (a sorted map) dumps
// them: each Member call must come in increasing key order.
class ObjectText {
 public:
  explicit ObjectText(std::string& out) : out_(out) { out_ += '{'; }
  ~ObjectText() { out_ += '}'; }
  std::string& Member(const char* key) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += key;  // our keys: plain ASCII
    out_ += "\":";
    return out_;
  }

 private:
  std::string& out_;
  bool first_ = true;
};

void NamesText(const std::vector<std::string>& names, std::string& out) {
  out += '[';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(names[i], out);
  }
  out += ']';
}

template <typename Value, typename Write>
void MapText(const std::map<std::string, Value>& map, std::string& out, Write write) {
  out += '{';
  bool first = true;
  for (const auto& [key, value] : map) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(key, out);
    out += ':';
    write(value);
  }
  out += '}';
}

void NameMapText(const std::map<std::string, std::string>& map, std::string& out) {
  MapText(map, out, [&out](const std::string& v) { AppendJsonString(v, out); });
}

}  // namespace

void Effects::AppendJsonText(std::string& out) const {
  // Members in the sorted order of ToJson's keys, present under the same conditions.
  ObjectText j(out);
  if (!append.empty()) AppendJson(append, j.Member("append"));
  if (!keyed_tracks.empty())
    MapText(keyed_tracks, j.Member("keyed_tracks"), [&out](const KeyedTrackChange& change) {
      ObjectText c(out);
      if (change.ends) c.Member("ends") += "true";
      if (!change.left.empty()) NamesText(change.left, c.Member("left"));
      if (change.starts) c.Member("starts") += "true";
      if (!change.steps.empty()) NameMapText(change.steps, c.Member("steps"));
    });
  const MembershipEffects& m = membership;
  if (!m.partners_joined.empty() || !m.partners_left.empty()) {
    ObjectText p(j.Member("partners"));
    if (!m.partners_joined.empty()) NamesText(m.partners_joined, p.Member("joined"));
    if (!m.partners_left.empty()) NamesText(m.partners_left, p.Member("left"));
  }
  if (!m.people_joined.empty() || !m.people_left.empty()) {
    ObjectText p(j.Member("people"));
    if (!m.people_joined.empty()) {
      std::string& list = p.Member("joined");
      list += '[';
      for (size_t i = 0; i < m.people_joined.size(); ++i) {
        if (i > 0) list += ',';
        ObjectText person(list);
        AppendJsonString(m.people_joined[i].role, person.Member("role"));
        AppendJsonString(m.people_joined[i].subject, person.Member("subject"));
      }
      list += ']';
    }
    if (!m.people_left.empty()) NamesText(m.people_left, p.Member("left"));
  }
  if (phase) {
    ObjectText p(j.Member("phase"));
    if (phase->from) AppendJsonString(*phase->from, p.Member("from"));
    AppendJsonString(phase->to, p.Member("to"));
  }
  if (!set.empty()) AppendJson(set, j.Member("set"));
  if (!spawned.empty()) {
    std::string& list = j.Member("spawned");
    list += '[';
    for (size_t i = 0; i < spawned.size(); ++i) {
      if (i > 0) list += ',';
      AppendJson(spawned[i].ToJson(), list);
    }
    list += ']';
  }
  if (suspended) j.Member("suspended") += *suspended ? "true" : "false";
  if (!timers.empty()) {
    ObjectText t(j.Member("timers"));
    if (!timers.armed.empty()) NameMapText(timers.armed, t.Member("armed"));
    if (!timers.cancelled.empty()) NamesText(timers.cancelled, t.Member("cancelled"));
    if (!timers.due.empty())
      MapText(timers.due, t.Member("due"), [&out](TimePoint at) { AppendJsonString(FormatIso8601(at), out); });
    if (!timers.fired.empty()) NamesText(timers.fired, t.Member("fired"));
    if (!timers.paused.empty())
      MapText(timers.paused, t.Member("paused"), [&out](int64_t left) { out += std::to_string(left); });
    if (!timers.resumed.empty()) NamesText(timers.resumed, t.Member("resumed"));
  }
  if (tracks) NameMapText(*tracks, j.Member("tracks"));
  if (!unset.empty()) NamesText(unset, j.Member("unset"));
}

Json SpawnEffect::ToJson() const {
  Json j = {{"project", project_id}, {"workflow", workflow}, {"link", link}, {"title", title}, {"fields", fields}};
  if (programme) j["programme"] = *programme;
  if (!phase.empty()) j["phase"] = phase;
  return j;
}

StatusOr<SpawnEffect> SpawnEffect::FromJson(const Json& j) {
  if (!j.is_object()) return Corruption("effects.spawned: each spawn must be an object");
  for (const char* key : {"project", "workflow", "link", "title"})
    if (!j.contains(key) || !j[key].is_string())
      return Corruption(std::string("effects.spawned: each spawn needs a text '") + key + "'");
  SpawnEffect s;
  s.project_id = j["project"].get<std::string>();
  s.workflow = j["workflow"].get<std::string>();
  s.link = j["link"].get<std::string>();
  s.title = j["title"].get<std::string>();
  if (auto p = j.find("programme"); p != j.end() && p->is_string()) s.programme = p->get<std::string>();
  if (auto p = j.find("phase"); p != j.end() && p->is_string()) s.phase = p->get<std::string>();
  if (auto f = j.find("fields"); f != j.end()) {
    if (!f->is_object()) return Corruption("effects.spawned: fields must be an object");
    s.fields = *f;
  }
  return s;
}

}  // namespace relais::workflow
