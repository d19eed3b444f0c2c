// The workflow drawn as an inline SVG, from its definition (GET
// /v1/workflows/{name} → definition): the open phases in a row, in the
// file's order; the terminal phases below; one arrow per (from, to) pair an
// event can move a project along, named in its <title> (and in the text list
// beside the drawing); the current phase highlighted.
import { t, label } from '../lib/i18n.js';
import { h, svg } from '../lib/dom.js';

const BOX_W = 150;
const BOX_H = 44;
const GAP_X = 36;
const MARGIN = 24;
const ROW_GAP = 120;

// The (from, to) moves of a definition, with the labels of the events causing them.
export function phaseMoves(def) {
  const open = def.phases.filter((p) => !p.terminal).map((p) => p.id);
  const moves = new Map();
  for (const e of def.events) {
    const from = e.any_open_phase ? open : e.phases;
    for (const tr of e.transitions ?? []) {
      if (!tr.to) continue;
      for (const f of from) {
        if (f === tr.to) continue;
        const key = `${f}>${tr.to}`;
        const move = moves.get(key) ?? { from: f, to: tr.to, events: [] };
        if (!move.events.includes(e)) move.events.push(e);
        moves.set(key, move);
      }
    }
  }
  return [...moves.values()];
}

export function workflowDiagram(def, currentPhase) {
  const open = def.phases.filter((p) => !p.terminal);
  const terminal = def.phases.filter((p) => p.terminal);
  const width = MARGIN * 2 + Math.max(open.length, 1) * (BOX_W + GAP_X) - GAP_X;
  const height = MARGIN * 2 + BOX_H + ROW_GAP + BOX_H + 40;
  const pos = new Map();
  open.forEach((p, i) => pos.set(p.id, { x: MARGIN + i * (BOX_W + GAP_X), y: MARGIN + 40 }));
  const terminalStart = MARGIN + (width - MARGIN * 2 - (terminal.length * (BOX_W + GAP_X) - GAP_X)) / 2;
  terminal.forEach((p, i) => pos.set(p.id, { x: terminalStart + i * (BOX_W + GAP_X), y: MARGIN + 40 + BOX_H + ROW_GAP }));

  const current = def.phases.find((p) => p.id === currentPhase);
  const title = t('workflow_svg_label', { label: label(def.labels, def.name), phase: label(current?.labels, currentPhase) });
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`, width, role: 'img', 'aria-label': title, class: 'workflow-svg',
  },
  svg('defs', {}, svg('marker', {
    id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }))));

  for (const move of phaseMoves(def)) {
    const a = pos.get(move.from);
    const b = pos.get(move.to);
    if (!a || !b) continue;
    const names = move.events.map((e) => label(e.labels, e.type)).join(', ');
    root.append(svg('path', { d: edgePath(a, b), class: `edge${move.from === currentPhase ? ' from-current' : ''}`, 'marker-end': 'url(#arrow)' },
      svg('title', {}, `${label(phaseById(def, move.from)?.labels, move.from)} → ${label(phaseById(def, move.to)?.labels, move.to)} : ${names}`)));
  }
  for (const p of def.phases) {
    const { x, y } = pos.get(p.id);
    const isCurrent = p.id === currentPhase;
    const initial = (def.initial_phases ?? []).includes(p.id);
    root.append(svg('g', { class: `phase${isCurrent ? ' current' : ''}${p.terminal ? ' terminal' : ''}`, 'data-phase': p.id },
      svg('rect', { x, y, width: BOX_W, height: BOX_H, rx: 8 }),
      svg('text', { x: x + BOX_W / 2, y: y + BOX_H / 2 + 5, 'text-anchor': 'middle' }, shorten(label(p.labels, p.id))),
      initial ? svg('circle', { cx: x + 8, cy: y + 8, r: 3, class: 'initial-dot' }) : null,
      svg('title', {}, `${label(p.labels, p.id)}${isCurrent ? ` (${t('timeline_current')})` : ''}`)));
  }
  return root;
}

// Text version of the drawing, for screen readers and for reading closely.
export function workflowMovesList(def) {
  return h('ul', { class: 'moves' }, phaseMoves(def).map((m) => h('li', {},
    `${label(phaseById(def, m.from)?.labels, m.from)} → ${label(phaseById(def, m.to)?.labels, m.to)} : `,
    m.events.map((e) => label(e.labels, e.type)).join(', '))));
}

function phaseById(def, id) {
  return def.phases.find((p) => p.id === id);
}

function shorten(text) {
  return text.length > 21 ? `${text.slice(0, 20)}…` : text;
}

// Same row: an arc above (forward) or below (backward); else a straight line
// from the bottom of one box to the top of the other.
function edgePath(a, b) {
  if (a.y === b.y) {
    const forward = b.x > a.x;
    const x1 = a.x + BOX_W / 2;
    const x2 = b.x + BOX_W / 2;
    const span = Math.abs(x2 - x1);
    const lift = Math.min(36, 12 + span / 12);
    if (forward) {
      const y = a.y;
      return `M${x1 + 10},${y} C${x1 + 10},${y - lift} ${x2 - 10},${y - lift} ${x2 - 10},${y}`;
    }
    const y = a.y + BOX_H;
    return `M${x1 - 10},${y} C${x1 - 10},${y + lift} ${x2 + 10},${y + lift} ${x2 + 10},${y}`;
  }
  const down = b.y > a.y;
  const x1 = a.x + BOX_W / 2;
  const y1 = down ? a.y + BOX_H : a.y;
  const x2 = b.x + BOX_W / 2;
  const y2 = down ? b.y : b.y + BOX_H;
  return `M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2}`;
}
