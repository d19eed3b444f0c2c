// Drawing: what a picture of a workflow shows, built once from a
// WorkflowDefinition and then written out by small emitters (Mermaid, DOT,
// SVG through Graphviz; render.h). Phases are nodes; a phase with tracks is a
// composite whose tracks are parallel regions of steps; transitions are edges
// labelled with the event's label, its roles and its guard; `requires:` gates
// and timers are notes on the phase they belong to (a timer also marks the
// edges of the event it fires); suspension is a node of its own with a note.
// Links to other projects are nodes outside the phase graph: each kind of
// `children:` a box naming its workflow, joined to the phases whose guards
// count those children; each `spawn:` a box for the project created, joined
// from the phases its event is fired in. A data-keyed track is a region
// marked "one per <key list>", its moves labelled with their key.
// Every text is already in the requested language; ids are safe identifiers.
//
// Thread-safety: pure function over an immutable definition.
#pragma once

#include <string>
#include <vector>

#include "engine/workflow/definition.h"

namespace relais::workflow {

enum class DrawingLanguage { kFr, kEn };

enum class NodeKind {
  kStart,      // where a project is created ([*])
  kPhase,      // an open phase without tracks
  kComposite,  // an open phase whose tracks are drawn as regions
  kTerminal,   // a terminal phase
  kStep,       // a step of a track, inside a region
  kSuspended,  // the suspended state, left and resumed into the same phase
  kChildren,   // a kind of sub-items (`children:`): projects of another workflow under this one
  kSpawned,    // a project a transition creates (`spawn:`), by workflow and link
};

enum class EdgeKind {
  kStart,       // [*] -> initial phase, or region start -> first step
  kEvent,       // an event moves the project to another phase
  kTimerEvent,  // the same, for an event fired by a timer armed in the source phase
  kTrackMove,   // an event moves a track to a step (a keyed track: the step of one key)
  kEnd,         // terminal phase -> [*]
  kCounts,      // kChildren node -> a phase whose guards count those children
  kSpawn,       // a phase -> the kSpawned node its event creates
};

struct DrawingNode {
  std::string id;  // unique in the drawing; [A-Za-z0-9_]
  NodeKind kind = NodeKind::kPhase;
  std::string label;
  std::string region;  // the region holding it (kStep); empty = top level
};

// A track of a phase: one parallel region of the phase's composite node.
struct Region {
  std::string id;     // unique; [A-Za-z0-9_]
  std::string phase;  // the composite node's id
  std::string label;
  std::vector<std::string> steps;  // node ids, in the file's order; first = where the track starts
  bool keyed = false;              // one track per key (`keyed_by`); label says of which list
};

struct DrawingEdge {
  std::string from, to;  // node ids; "" = the start/end pseudo-state (of the region for kStart in a region)
  EdgeKind kind = EdgeKind::kEvent;
  std::string region;  // kStart/kTrackMove inside a region: its id; else empty
  std::string event;   // event type ("" for kStart/kEnd)
  std::string label;   // the event's label in the drawing's language, with its roles
  std::string guard;   // the transition's `when:` source; empty = always
  std::string timer;   // kTimerEvent: the timer's label and delay
  std::string key;     // kTrackMove of a keyed track: the key expression's source
};

// Lines of text attached to a node: gates, timers, suspension.
struct Note {
  std::string node;
  std::vector<std::string> lines;
};

struct Drawing {
  std::string name;   // workflow id
  std::string title;  // label in the drawing's language
  DrawingLanguage language = DrawingLanguage::kFr;
  std::vector<DrawingNode> nodes;  // top level first in file order, then steps
  std::vector<Region> regions;
  std::vector<DrawingEdge> edges;
  std::vector<Note> notes;

  const DrawingNode* FindNode(std::string_view id) const;
  std::vector<const Region*> RegionsOf(std::string_view phase) const;
};

// Deterministic: the same definition and language give the same drawing.
Drawing BuildDrawing(const WorkflowDefinition& def, DrawingLanguage language);

// "fr" / "en"; false for anything else.
bool ParseDrawingLanguage(std::string_view text, DrawingLanguage& out);

// `s` as a double-quoted string of DOT or YAML (the Mermaid front matter):
// '"' and '\\' escaped, each line break written as line_break, '\r' dropped.
std::string DoubleQuoted(std::string_view s, std::string_view line_break = " ");

}  // namespace relais::workflow
