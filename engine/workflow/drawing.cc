#include "engine/workflow/drawing.h"

#include <algorithm>
#include <set>

#include "engine/workflow/graph_checks.h"

namespace relais::workflow {
namespace {

// The words a drawing adds to the file's own labels.
struct Words {
  const char* suspended;
  const char* requires_word;  // "{event} requires {guard}"
  const char* timer;          // "timer"
  const char* after;          // "after P1M"
  const char* on;             // "on 2026-01-01"
  const char* times_a_year;   // "3 times a year"
  const char* until_end;      // lives until a terminal phase
  const char* fires;
  const char* on_creation;
  const char* on_event;         // armed when {event} is accepted
  const char* suspend_from;     // "{events}: from any open phase"
  const char* resume_to;        // "{events}: back to the same phase"
  const char* while_suspended;  // events still accepted
  const char* open_quote;
  const char* close_quote;
  const char* colon;        // French sets a space before ':'
  const char* one_per;      // a keyed track: "one per {list}"
  const char* key;          // a keyed move: "key {expression}"
  const char* sub_items;    // "sub-items {kind}: workflow {name}"
  const char* workflow;     // "workflow"
  const char* counted_by;   // "counted by {events}"
  const char* new_project;  // a spawned project's box
  const char* link;         // "link {name}"
  const char* creates;      // "{event}: creates a project"
  const char* every;        // a timer `every: P18M`
  const char* on_date_of;   // a timer `at:` a date field
  const char* paused;       // `on_suspend: pause`
  const char* cancelled;    // `on_suspend: cancel`
};

constexpr Words kFr{"Suspendu",
                    "exige",
                    "minuteur",
                    "après",
                    "le",
                    "fois par an",
                    "jusqu'à la fin",
                    "déclenche",
                    "à la création du projet",
                    "quand est accepté",
                    "depuis toute phase ouverte",
                    "retour à la même phase",
                    "encore permis",
                    "« ",
                    " »",
                    " : ",
                    "un par",
                    "clé",
                    "Sous-projets",
                    "workflow",
                    "comptés par",
                    "Nouveau projet",
                    "lien",
                    "crée un projet",
                    "tous les",
                    "à la date de",
                    "mis en pause pendant une suspension",
                    "annulé par une suspension"};
constexpr Words kEn{"Suspended",
                    "requires",
                    "timer",
                    "after",
                    "on",
                    "times a year",
                    "until the end",
                    "fires",
                    "when the project is created",
                    "when accepted:",
                    "from any open phase",
                    "back to the same phase",
                    "still allowed",
                    "\u201c",
                    "\u201d",
                    ": ",
                    "one per",
                    "key",
                    "Sub-items",
                    "workflow",
                    "counted by",
                    "New project",
                    "link",
                    "creates a project",
                    "every",
                    "on the date in",
                    "paused while suspended",
                    "cancelled by a suspension"};

constexpr std::string_view kSuspendedId = "__suspended";
constexpr std::string_view kCreatedEvent = "project_created";

class Builder {
 public:
  Builder(const WorkflowDefinition& def, DrawingLanguage language)
      : def_(def), words_(language == DrawingLanguage::kEn ? kEn : kFr), language_(language) {}

  Drawing Build() {
    out_.name = def_.name;
    out_.title = Text(def_.labels, def_.name);
    out_.language = language_;
    AddPhases();
    for (const auto& p : def_.initial_phases) out_.edges.push_back({"", SafeId(p), EdgeKind::kStart});
    AddEventEdges();
    AddChildren();
    AddSpawns();
    AddGateNotes();
    AddTimerNotes();
    AddSuspension();
    for (const auto& p : def_.phases)
      if (p.terminal) out_.edges.push_back({SafeId(p.id), "", EdgeKind::kEnd});
    return std::move(out_);
  }

 private:
  std::string Text(const Labels& l, const std::string& fallback) const {
    const std::string& s = language_ == DrawingLanguage::kEn ? l.en : l.fr;
    return s.empty() ? fallback : s;
  }

  std::string Quote(const std::string& s) const { return words_.open_quote + s + words_.close_quote; }

  static std::string SafeId(std::string_view id) {
    std::string out;
    for (char c : id) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      out += ok ? c : '_';
    }
    return out.empty() ? "_" : out;
  }

  static std::string RegionId(const Phase& p, const Track& t) { return SafeId(p.id) + "__" + SafeId(t.id); }
  static std::string StepId(const Phase& p, const Track& t, const std::string& step) {
    return RegionId(p, t) + "__" + SafeId(step);
  }

  void AddPhases() {
    for (const auto& p : def_.phases) {
      NodeKind kind = p.terminal ? NodeKind::kTerminal : p.tracks.empty() ? NodeKind::kPhase : NodeKind::kComposite;
      out_.nodes.push_back({SafeId(p.id), kind, Text(p.labels, p.id), ""});
    }
    for (const auto& p : def_.phases) {
      for (const auto& t : p.tracks) {
        Region r{RegionId(p, t), SafeId(p.id), Text(t.labels, t.id), {}, t.keyed()};
        if (t.keyed()) r.label += " (" + std::string(words_.one_per) + " " + KeyListLabel(t) + ")";
        for (const auto& step : t.steps) {
          r.steps.push_back(StepId(p, t, step));
          auto label = t.step_labels.find(step);
          out_.nodes.push_back(
              {r.steps.back(), NodeKind::kStep, label == t.step_labels.end() ? step : Text(label->second, step), r.id});
        }
        if (!r.steps.empty()) out_.edges.push_back({"", r.steps.front(), EdgeKind::kStart, r.id});
        out_.regions.push_back(std::move(r));
      }
    }
  }

  // The words of a state field: its schema's `labels:` in the drawing's
  // language, else its name. `schema` is the object holding `properties`.
  std::string FieldLabel(const Json& schema, const std::string& field) const {
    const Json* labels = nullptr;
    if (schema.is_object() && schema.contains("properties") && schema["properties"].is_object() &&
        schema["properties"].contains(field) && schema["properties"][field].is_object() &&
        schema["properties"][field].contains("labels"))
      labels = &schema["properties"][field]["labels"];
    if (!labels || !labels->is_object()) return field;
    const char* lang = language_ == DrawingLanguage::kEn ? "en" : "fr";
    if (labels->contains(lang) && (*labels)[lang].is_string()) return (*labels)[lang].get<std::string>();
    if (labels->contains("fr") && (*labels)["fr"].is_string()) return (*labels)["fr"].get<std::string>();
    return field;
  }

  // "« Financeurs sollicités »", or "« Lettres », clé « signataire »" when keyed by an item's field.
  std::string KeyListLabel(const Track& t) const {
    constexpr std::string_view kStatePrefix = "state.";
    std::string field = t.keyed_by;
    if (field.rfind(kStatePrefix, 0) == 0) field.erase(0, kStatePrefix.size());
    std::string out = Quote(FieldLabel(def_.state_schema, field));
    if (t.key_field.empty()) return out;
    const Json& schema = def_.state_schema;
    Json items = Json::object();
    if (schema.is_object() && schema.contains("properties") && schema["properties"].contains(field) &&
        schema["properties"][field].is_object() && schema["properties"][field].contains("items"))
      items = schema["properties"][field]["items"];
    return out + ", " + words_.key + " " + Quote(FieldLabel(items, t.key_field));
  }

  std::string EdgeLabel(const EventType& e) const {
    std::string label = Text(e.labels, e.type);
    if (e.roles.empty()) return label;
    label += " (";
    for (size_t i = 0; i < e.roles.size(); ++i) label += (i ? ", " : "") + e.roles[i];
    return label + ")";
  }

  // The timer armed on entering `phase` that fires `event`, if any.
  const Timer* TimerFiring(const std::string& phase, const std::string& event) const {
    for (const auto& t : def_.timers)
      if (t.on_enter_phase == phase && t.fires == event) return &t;
    return nullptr;
  }

  std::string When(const Timer& t) const {
    std::string s;
    switch (t.kind) {
      case TimerKind::kAfter: s = std::string(words_.after) + " " + t.after.ToString(); break;
      case TimerKind::kAt:
        s = t.at_field.empty() ? std::string(words_.on) + " " + t.at
                               : std::string(words_.on_date_of) + " " + t.at_field;
        break;
      case TimerKind::kRepeat:
        s = t.times_per_year > 0 ? std::to_string(t.times_per_year) + " " + words_.times_a_year
                                 : std::string(words_.every) + " " + t.after.ToString();
        if (!t.cancel_on_phase_exit) s += std::string(", ") + words_.until_end;
        break;
    }
    if (t.on_suspend == TimerSuspendPolicy::kPause) s += std::string(", ") + words_.paused;
    if (t.on_suspend == TimerSuspendPolicy::kCancel) s += std::string(", ") + words_.cancelled;
    return s;
  }

  void AddEventEdges() {
    for (const auto& e : def_.events) {
      const std::vector<std::string> from_phases = PhasesAllowing(def_, e);
      for (const auto& t : e.transitions) {
        std::string guard = t.when ? t.when->guard.source() : "";
        for (const auto& from : from_phases) {
          if (t.to && *t.to != from) {
            DrawingEdge edge{SafeId(from), SafeId(*t.to), EdgeKind::kEvent, "", e.type, EdgeLabel(e), guard};
            if (const Timer* timer = TimerFiring(from, e.type)) {
              edge.kind = EdgeKind::kTimerEvent;
              edge.timer =
                  words_.timer + std::string(" ") + Quote(Text(timer->labels, timer->id)) + ", " + When(*timer);
            }
            out_.edges.push_back(std::move(edge));
          }
          if (t.to && *t.to != from) continue;  // the track moves belong to the phase left
          AddTrackMoves(e, t, from, guard);
        }
      }
    }
  }

  // A move sets the track whatever step it is on: one edge from every other step.
  void AddTrackMoves(const EventType& e, const Transition& t, const std::string& from, const std::string& guard) {
    const Phase* phase = def_.FindPhase(from);
    if (!phase) return;
    for (const auto& [track_id, step] : t.track_moves) {
      for (const auto& track : phase->tracks) {
        if (track.id != track_id) continue;
        for (const auto& s : track.steps) {
          if (s == step) continue;
          out_.edges.push_back({StepId(*phase, track, s), StepId(*phase, track, step), EdgeKind::kTrackMove,
                                RegionId(*phase, track), e.type, EdgeLabel(e), guard});
        }
      }
    }
    for (const KeyedTrackMove& move : t.keyed_track_moves) {
      for (const auto& track : phase->tracks) {
        if (track.id != move.track) continue;
        const std::string key = move.key.source();
        for (const auto& s : track.steps) {
          if (s == move.step) continue;
          DrawingEdge edge{StepId(*phase, track, s),
                           StepId(*phase, track, move.step),
                           EdgeKind::kTrackMove,
                           RegionId(*phase, track),
                           e.type,
                           EdgeLabel(e) + ", " + words_.key + " " + key,
                           guard};
          edge.key = key;
          out_.edges.push_back(std::move(edge));
        }
      }
    }
  }

  static std::string ChildrenId(const ChildKind& k) { return "__children__" + SafeId(k.id); }

  // Whether a guard reads project.children.<kind>.
  static bool Counts(const Guard& guard, const std::string& kind) {
    for (const GuardNode* p : guard.Paths())
      if (p->path.size() >= 3 && p->path[0] == "project" && p->path[1] == "children" && p->path[2] == kind) return true;
    return false;
  }

  static bool EventCounts(const EventType& e, const std::string& kind) {
    for (const auto& c : e.preconditions)
      if (Counts(c.guard, kind)) return true;
    for (const auto& t : e.transitions)
      if (t.when && Counts(t.when->guard, kind)) return true;
    return false;
  }

  // One box per kind of children; an edge to each phase where an event
  // counting them may be fired, labelled with those events.
  void AddChildren() {
    for (const ChildKind& k : def_.children) {
      out_.nodes.push_back({ChildrenId(k), NodeKind::kChildren,
                            std::string(words_.sub_items) + " " + Quote(Text(k.labels, k.id)) + words_.colon +
                                words_.workflow + " " + k.workflow,
                            ""});
      std::vector<std::pair<std::string, std::string>> by_phase;  // phase -> events, in file order
      for (const auto& e : def_.events) {
        if (!EventCounts(e, k.id)) continue;
        for (const auto& from : PhasesAllowing(def_, e)) {
          auto it = std::find_if(by_phase.begin(), by_phase.end(), [&](const auto& p) { return p.first == from; });
          if (it == by_phase.end()) it = by_phase.insert(by_phase.end(), {from, ""});
          it->second += (it->second.empty() ? "" : ", ") + Quote(Text(e.labels, e.type));
        }
      }
      for (const auto& [phase, events] : by_phase) {
        DrawingEdge edge{ChildrenId(k), SafeId(phase), EdgeKind::kCounts};
        edge.label = std::string(words_.counted_by) + " " + events;
        out_.edges.push_back(std::move(edge));
      }
    }
  }

  // One box per (workflow, link) spawned; an edge from every phase its event
  // may be fired in.
  void AddSpawns() {
    for (const auto& e : def_.events) {
      const std::vector<std::string> from_phases = PhasesAllowing(def_, e);
      for (const auto& t : e.transitions) {
        for (const SpawnSpec& spawn : t.spawns) {
          const std::string id = "__spawn__" + SafeId(spawn.workflow) + "__" + SafeId(spawn.link);
          if (!out_.FindNode(id)) {
            std::string what = spawn.workflow == def_.name ? Quote(out_.title) + " (" + spawn.workflow + ")"
                                                           : std::string(words_.workflow) + " " + spawn.workflow;
            out_.nodes.push_back(
                {id, NodeKind::kSpawned,
                 std::string(words_.new_project) + words_.colon + what + ", " + words_.link + " " + spawn.link, ""});
          }
          for (const auto& from : from_phases) {
            DrawingEdge edge{SafeId(from), id, EdgeKind::kSpawn, "", e.type};
            edge.label = EdgeLabel(e) + words_.colon + words_.creates;
            edge.guard = t.when ? t.when->guard.source() : "";
            out_.edges.push_back(std::move(edge));
          }
        }
      }
    }
  }

  Note& NoteOn(const std::string& node) {
    for (auto& n : out_.notes)
      if (n.node == node) return n;
    out_.notes.push_back({node, {}});
    return out_.notes.back();
  }

  static bool Moves(const EventType& e) {
    for (const auto& t : e.transitions)
      if (t.to || !t.track_moves.empty()) return true;
    return false;
  }

  // A gate is drawn where it holds a project back: on the phases an event
  // moving it (phase or track) may be fired in.
  void AddGateNotes() {
    for (const auto& e : def_.events) {
      if (e.preconditions.empty() || !Moves(e)) continue;
      for (const auto& from : PhasesAllowing(def_, e))
        for (const auto& c : e.preconditions)
          NoteOn(SafeId(from))
              .lines.push_back(Quote(Text(e.labels, e.type)) + " " + words_.requires_word + " " + c.guard.source());
    }
  }

  void AddTimerNotes() {
    for (const auto& t : def_.timers) {
      const EventType* fired = def_.FindEvent(t.fires);
      std::string line = words_.timer + std::string(" ") + Quote(Text(t.labels, t.id)) + words_.colon + When(t) + ", " +
                         words_.fires + " " + Quote(fired ? Text(fired->labels, t.fires) : t.fires);
      if (t.on_enter_phase) {
        NoteOn(SafeId(*t.on_enter_phase)).lines.push_back(line);
      } else if (t.on_event && *t.on_event == kCreatedEvent) {
        NoteOn("").lines.push_back(std::string(words_.on_creation) + words_.colon + line);
      } else if (t.on_event) {
        const EventType* arming = def_.FindEvent(*t.on_event);
        std::string prefix =
            std::string(words_.on_event) + " " + Quote(arming ? Text(arming->labels, *t.on_event) : *t.on_event);
        NoteOn("").lines.push_back(prefix + ", " + line);
      }
    }
  }

  std::string EventList(const std::vector<const EventType*>& events) const {
    std::string s;
    for (size_t i = 0; i < events.size(); ++i) s += (i ? ", " : "") + Quote(EdgeLabel(*events[i]));
    return s;
  }

  void AddSuspension() {
    std::vector<const EventType*> suspend, resume, allowed;
    for (const auto& e : def_.events) {
      if (e.suspension == Suspension::kSuspend) suspend.push_back(&e);
      if (e.suspension == Suspension::kResume) resume.push_back(&e);
      if (e.allowed_while_suspended) allowed.push_back(&e);
    }
    if (suspend.empty()) return;
    out_.nodes.push_back({std::string(kSuspendedId), NodeKind::kSuspended, words_.suspended, ""});
    Note& note = NoteOn(std::string(kSuspendedId));
    note.lines.push_back(EventList(suspend) + words_.colon + words_.suspend_from);
    if (!resume.empty()) note.lines.push_back(EventList(resume) + words_.colon + words_.resume_to);
    if (!allowed.empty()) {
      std::string s = std::string(words_.while_suspended) + words_.colon;
      for (size_t i = 0; i < allowed.size(); ++i) s += (i ? ", " : "") + Text(allowed[i]->labels, allowed[i]->type);
      note.lines.push_back(s);
    }
  }

  const WorkflowDefinition& def_;
  const Words& words_;
  DrawingLanguage language_;
  Drawing out_;
};

}  // namespace

const DrawingNode* Drawing::FindNode(std::string_view id) const {
  for (const auto& n : nodes)
    if (n.id == id) return &n;
  return nullptr;
}

std::vector<const Region*> Drawing::RegionsOf(std::string_view phase) const {
  std::vector<const Region*> out;
  for (const auto& r : regions)
    if (r.phase == phase) out.push_back(&r);
  return out;
}

Drawing BuildDrawing(const WorkflowDefinition& def, DrawingLanguage language) { return Builder(def, language).Build(); }

bool ParseDrawingLanguage(std::string_view text, DrawingLanguage& out) {
  if (text == "fr") {
    out = DrawingLanguage::kFr;
  } else if (text == "en") {
    out = DrawingLanguage::kEn;
  } else {
    return false;
  }
  return true;
}

std::string DoubleQuoted(std::string_view s, std::string_view line_break) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (c == '\n')
      out += line_break;
    else if (c != '\r')
      out += c;
  }
  return out + "\"";
}

}  // namespace relais::workflow
