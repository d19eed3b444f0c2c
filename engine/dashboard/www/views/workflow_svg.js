// The workflow drawn as an inline SVG, from its definition (GET
// /v1/workflows/{name} → definition), in the language of the page: the open
// phases in a row, in the file's order, a phase with tracks holding one lane
// per track with its steps; the terminal phases below, then the suspended
// state; one arrow per (from, to) pair an event can move a project along,
// named in its <title> with the roles (dashed when a timer fires the event);
// a gate mark (◆) on a phase where a `requires:` condition holds a move back
// and a timer mark (◷) where a timer is armed, each naming them in its
// <title>. The project's phase, its tracks' steps and its suspension are
// highlighted. Below, dashed boxes for the kinds of sub-items (joined to
// the phases whose conditions count them) and the projects the workflow
// creates (joined to the phases they are created from). The same facts are
// in the text list beside the drawing.
import { t, label } from '../lib/i18n.js';
import { h, svg } from '../lib/dom.js';

// A guard's message as the file gives it: one text, or {fr, en}.
function messageText(message) {
  if (!message) return '';
  return typeof message === 'string' ? message : label(message);
}

const BOX_W = 150;
const BOX_H = 44;
const GAP_X = 36;
const MARGIN = 24;
const ROW_GAP = 120;
const LANE_H = 30;        // one track lane
const LANE_LABEL_W = 84;  // the track's name at the left of its lane
const STEP_W = 78;
const STEP_GAP = 6;
const HEADER_H = 28;      // a composite phase's name above its lanes
const MARK_R = 8;
const LINK_W = 240;        // a sub-item kind or a created project, below the phases

// The (from, to) moves of a definition, with the events causing them; a move
// is `timer` when every event of it is fired by a timer armed in `from`.
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
        const move = moves.get(key) ?? { from: f, to: tr.to, events: [], timer: true };
        if (!move.events.includes(e)) {
          move.events.push(e);
          move.timer = move.timer && timersFiring(def, f, e.type).length > 0;
        }
        moves.set(key, move);
      }
    }
  }
  return [...moves.values()];
}

// The `requires:` conditions holding back a move (phase or track) out of a phase.
export function phaseGates(def, phaseId) {
  const gates = [];
  for (const e of def.events) {
    if (!(e.requires ?? []).length || !movesSomething(e) || !allowedIn(def, e, phaseId)) continue;
    for (const c of e.requires) gates.push({ event: e, guard: c.guard, message: messageText(c.message) });
  }
  return gates;
}

// The timers armed on entering a phase (phaseId) or on an event (phaseId null: all of those).
export function phaseTimers(def, phaseId) {
  return (def.timers ?? []).filter((tm) => (phaseId ? tm.on_enter_phase === phaseId : !tm.on_enter_phase));
}

// What suspends, what resumes and what stays allowed while suspended; null if nothing suspends.
export function suspension(def) {
  const suspend = def.events.filter((e) => e.suspension === 'suspend');
  if (!suspend.length) return null;
  return {
    suspend,
    resume: def.events.filter((e) => e.suspension === 'resume'),
    allowed: def.events.filter((e) => e.allowed_while_suspended),
  };
}

export function timerText(def, tm) {
  const when = tm.kind === 'after' ? t('workflow_timer_after', { delay: tm.after })
    : tm.kind === 'at' ? t('workflow_timer_at', { date: tm.at })
      : t(tm.cancel_on_phase_exit ? 'workflow_timer_repeat' : 'workflow_timer_repeat_until_end', { n: tm.times_per_year });
  const fired = def.events.find((e) => e.type === tm.fires);
  return t('workflow_timer_line', { label: label(tm.labels, tm.id), when, event: label(fired?.labels, tm.fires) });
}

function gateText(g) {
  return t('workflow_gate_line', { event: label(g.event.labels, g.event.type), guard: g.guard })
    + (g.message ? ` (${g.message})` : '');
}

function eventWithRoles(e) {
  return `${label(e.labels, e.type)} (${(e.roles ?? []).join(', ')})`;
}

function suspensionLines(s) {
  const lines = [
    t('workflow_suspend_line', { events: s.suspend.map(eventWithRoles).join(', ') }),
  ];
  if (s.resume.length) lines.push(t('workflow_resume_line', { events: s.resume.map(eventWithRoles).join(', ') }));
  if (s.allowed.length) lines.push(t('workflow_allowed_line', { events: s.allowed.map((e) => label(e.labels, e.type)).join(', ') }));
  return lines;
}

// What a definition links to beyond its own phases: its kinds of sub-items
// (children:), each with the phases whose conditions count them, and the
// projects its transitions create (spawn:), each with the phases it is
// created from and the events creating it.
export function workflowLinks(def) {
  const conditions = (e) => [...(e.requires ?? []), ...(e.transitions ?? []).map((tr) => tr.when).filter(Boolean)];
  const children = (def.children ?? []).map((c) => {
    const needle = `project.children.${c.id}`;
    const phases = def.phases.filter((p) => def.events.some((e) => allowedIn(def, e, p.id)
      && conditions(e).some((cl) => (cl.guard ?? '').includes(needle)))).map((p) => p.id);
    return { kind: 'children', id: c.id, labels: c.labels, workflow: c.workflow, phases };
  });
  const spawns = new Map();
  for (const e of def.events) {
    for (const tr of e.transitions ?? []) {
      for (const sp of tr.spawn ?? []) {
        const key = `${sp.workflow}/${sp.link}`;
        const link = spawns.get(key) ?? { kind: 'spawn', id: key, workflow: sp.workflow, link: sp.link, events: [], phases: [] };
        if (!link.events.includes(e)) link.events.push(e);
        for (const p of def.phases) if (allowedIn(def, e, p.id) && !link.phases.includes(p.id)) link.phases.push(p.id);
        spawns.set(key, link);
      }
    }
  }
  return [...children, ...spawns.values()];
}

function linkText(link) {
  return link.kind === 'children'
    ? t('workflow_children_box', { kind: label(link.labels, link.id), workflow: link.workflow })
    : t('workflow_spawn_box', { workflow: link.workflow, link: link.link });
}

// state: the project's state ({phase, tracks, suspended}), or a phase id.
export function workflowDiagram(def, state) {
  const current = typeof state === 'string' ? { phase: state } : (state ?? {});
  const currentPhase = current.phase;
  const open = def.phases.filter((p) => !p.terminal);
  const terminal = def.phases.filter((p) => p.terminal);
  const susp = suspension(def);
  const rowH = Math.max(BOX_H, ...open.map((p) => ((p.tracks ?? []).length ? HEADER_H + p.tracks.length * LANE_H + 8 : 0)));
  const widthOf = (p) => ((p.tracks ?? []).length
    ? Math.max(BOX_W, LANE_LABEL_W + Math.max(...p.tracks.map((tr) => tr.steps.length)) * (STEP_W + STEP_GAP) + 8)
    : BOX_W);

  const pos = new Map();
  const topY = MARGIN + 40;
  let x = MARGIN;
  for (const p of open) {
    pos.set(p.id, { x, y: topY, w: widthOf(p), h: rowH });
    x += widthOf(p) + GAP_X;
  }
  const bottom = [...terminal.map((p) => ({ id: p.id })), ...(susp ? [{ id: '__suspended' }] : [])];
  const width = Math.max(x - GAP_X + MARGIN, MARGIN * 2 + bottom.length * (BOX_W + GAP_X) - GAP_X);
  const bottomY = topY + rowH + ROW_GAP;
  const bottomStart = MARGIN + (width - MARGIN * 2 - (bottom.length * (BOX_W + GAP_X) - GAP_X)) / 2;
  bottom.forEach((b, i) => pos.set(b.id, { x: bottomStart + i * (BOX_W + GAP_X), y: bottomY, w: BOX_W, h: BOX_H }));
  const links = workflowLinks(def);
  const linksY = bottomY + BOX_H + ROW_GAP / 2;
  links.forEach((l, i) => pos.set(`__link_${l.id}`, { x: MARGIN + i * (LINK_W + GAP_X), y: linksY, w: LINK_W, h: BOX_H }));
  const linksWidth = MARGIN * 2 + links.length * (LINK_W + GAP_X) - GAP_X;
  const creationTimers = phaseTimers(def, null);
  const height = (links.length ? linksY : bottomY) + BOX_H + MARGIN + (creationTimers.length ? 24 : 0);

  const currentDef = def.phases.find((p) => p.id === currentPhase);
  const title = t('workflow_svg_label', { label: label(def.labels, def.name), phase: label(currentDef?.labels, currentPhase) });
  const fullWidth = Math.max(width, links.length ? linksWidth : 0);
  const root = svg('svg', {
    viewBox: `0 0 ${fullWidth} ${height}`, width: fullWidth, role: 'img', 'aria-label': title, class: 'workflow-svg',
  },
  svg('defs', {}, svg('marker', {
    id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }))));

  for (const move of phaseMoves(def)) {
    const a = pos.get(move.from);
    const b = pos.get(move.to);
    if (!a || !b) continue;
    const names = move.events.map(eventWithRoles).join(', ');
    const cls = `edge${move.from === currentPhase ? ' from-current' : ''}${move.timer ? ' timer' : ''}`;
    root.append(svg('path', { d: edgePath(a, b), class: cls, 'marker-end': 'url(#arrow)' },
      svg('title', {}, `${label(phaseById(def, move.from)?.labels, move.from)} → ${label(phaseById(def, move.to)?.labels, move.to)} : ${names}`)));
  }
  for (const p of def.phases) {
    const box = pos.get(p.id);
    const isCurrent = p.id === currentPhase;
    const initial = (def.initial_phases ?? []).includes(p.id);
    const hasTracks = (p.tracks ?? []).length > 0;
    root.append(svg('g', { class: `phase${isCurrent ? ' current' : ''}${p.terminal ? ' terminal' : ''}${hasTracks ? ' composite' : ''}`, 'data-phase': p.id },
      svg('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: 8 }),
      svg('text', { x: box.x + box.w / 2, y: hasTracks ? box.y + 18 : box.y + box.h / 2 + 5, 'text-anchor': 'middle' }, shorten(label(p.labels, p.id))),
      initial ? svg('circle', { cx: box.x + 8, cy: box.y + 8, r: 3, class: 'initial-dot' }) : null,
      svg('title', {}, `${label(p.labels, p.id)}${isCurrent ? ` (${t('timeline_current')})` : ''}`),
      hasTracks ? lanes(p, box, isCurrent ? current.tracks ?? {} : {}) : null,
      marks(def, p.id, box)));
  }
  if (susp) root.append(suspendedBox(susp, pos.get('__suspended'), current.suspended === true));
  for (const l of links) root.append(linkBox(def, l, pos));
  if (creationTimers.length) {
    root.append(svg('g', { class: 'timer-note', 'data-phase': '' },
      svg('text', { x: MARGIN, y: height - 10, class: 'note' },
        `◷ ${t('workflow_on_creation')} ${creationTimers.map((tm) => timerText(def, tm)).join(' ; ')}`)));
  }
  return root;
}

// One lane per track: its name, then its steps left to right; the project's step highlighted.
function lanes(p, box, currentTracks) {
  return p.tracks.map((tr, i) => {
    const y = box.y + HEADER_H + i * LANE_H;
    return svg('g', { class: 'lane', 'data-track': tr.id },
      svg('line', { x1: box.x + 4, x2: box.x + box.w - 4, y1: y, y2: y, class: 'lane-rule' }),
      svg('text', { x: box.x + 8, y: y + 19, class: 'lane-label' }, shorten(label(tr.labels, tr.id), 12)),
      tr.steps.map((step, j) => {
        const sx = box.x + LANE_LABEL_W + j * (STEP_W + STEP_GAP);
        const here = currentTracks[tr.id] === step;
        return svg('g', { class: `step${here ? ' current' : ''}`, 'data-step': step },
          svg('rect', { x: sx, y: y + 4, width: STEP_W, height: LANE_H - 8, rx: 10 }),
          svg('text', { x: sx + STEP_W / 2, y: y + 19, 'text-anchor': 'middle' }, shorten(step.replaceAll('_', ' '), 12)),
          svg('title', {}, `${label(tr.labels, tr.id)} : ${step}${here ? ` (${t('timeline_current')})` : ''}`));
      }));
  });
}

// The gate (◆) and timer (◷) marks at the top right of a phase.
function marks(def, phaseId, box) {
  const out = [];
  const gates = phaseGates(def, phaseId);
  const timers = phaseTimers(def, phaseId);
  let cx = box.x + box.w - MARK_R - 4;
  if (gates.length) {
    out.push(svg('g', { class: 'gate', 'data-phase': phaseId },
      svg('path', { d: `M${cx},${box.y - MARK_R} l${MARK_R},${MARK_R} l${-MARK_R},${MARK_R} l${-MARK_R},${-MARK_R} z` }),
      svg('title', {}, `${t('workflow_gates')}\n${gates.map(gateText).join('\n')}`)));
    cx -= MARK_R * 2 + 4;
  }
  if (timers.length) {
    out.push(svg('g', { class: 'timer', 'data-phase': phaseId },
      svg('circle', { cx, cy: box.y, r: MARK_R }),
      svg('path', { d: `M${cx},${box.y - MARK_R + 3} L${cx},${box.y} L${cx + MARK_R - 3},${box.y}`, class: 'hands' }),
      svg('title', {}, `${t('workflow_timers')}\n${timers.map((tm) => timerText(def, tm)).join('\n')}`)));
  }
  return out;
}

// A dashed box for a kind of sub-items or a created project, joined by a
// dotted line to each phase that counts them or creates it.
function linkBox(def, l, pos) {
  const box = pos.get(`__link_${l.id}`);
  const text = linkText(l);
  const detail = l.kind === 'children'
    ? (l.phases.length ? t('workflow_children_counted', { phases: l.phases.map((p) => label(phaseById(def, p)?.labels, p)).join(', ') }) : '')
    : t('workflow_spawn_by', { events: l.events.map(eventWithRoles).join(', ') });
  return svg('g', { class: `link-box ${l.kind}`, 'data-link': l.id },
    l.phases.map((p) => {
      const from = pos.get(p);
      return from ? svg('path', { d: edgePath(from, box), class: `link-edge ${l.kind}` }) : null;
    }),
    svg('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: 4 }),
    svg('text', { x: box.x + box.w / 2, y: box.y + box.h / 2 + 5, 'text-anchor': 'middle' }, shorten(text, 34)),
    svg('title', {}, detail ? `${text}\n${detail}` : text));
}

function suspendedBox(s, box, isSuspended) {
  return svg('g', { class: `phase suspended-state${isSuspended ? ' current' : ''}`, 'data-phase': '__suspended' },
    svg('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: 8 }),
    svg('text', { x: box.x + box.w / 2, y: box.y + box.h / 2 + 5, 'text-anchor': 'middle' }, t('workflow_suspended_state')),
    svg('title', {}, [t('workflow_suspended_state'), ...suspensionLines(s)].join('\n')));
}

// Text version of the drawing, for screen readers and for reading closely.
export function workflowMovesList(def) {
  const items = phaseMoves(def).map((m) => h('li', {},
    `${label(phaseById(def, m.from)?.labels, m.from)} → ${label(phaseById(def, m.to)?.labels, m.to)} : `,
    m.events.map(eventWithRoles).join(', ')));
  for (const p of def.phases) {
    for (const tr of p.tracks ?? []) {
      items.push(h('li', { class: 'track' }, t('workflow_track_line', { phase: label(p.labels, p.id), track: label(tr.labels, tr.id), steps: tr.steps.join(' → ') })));
    }
    for (const g of phaseGates(def, p.id)) items.push(h('li', { class: 'gate' }, `${label(p.labels, p.id)} ◆ ${gateText(g)}`));
    for (const tm of phaseTimers(def, p.id)) items.push(h('li', { class: 'timer' }, `${label(p.labels, p.id)} ◷ ${timerText(def, tm)}`));
  }
  for (const tm of phaseTimers(def, null)) items.push(h('li', { class: 'timer' }, `◷ ${t('workflow_on_creation')} ${timerText(def, tm)}`));
  const s = suspension(def);
  if (s) for (const line of suspensionLines(s)) items.push(h('li', { class: 'suspension' }, line));
  for (const l of workflowLinks(def)) {
    const phases = l.phases.map((p) => label(phaseById(def, p)?.labels, p)).join(', ');
    items.push(h('li', { class: `link ${l.kind}` }, linkText(l), l.kind === 'children'
      ? (phases ? ` — ${t('workflow_children_counted', { phases })}` : '')
      : ` — ${t('workflow_spawn_by', { events: l.events.map(eventWithRoles).join(', ') })}`));
  }
  return h('ul', { class: 'moves' }, items);
}

function phaseById(def, id) {
  return def.phases.find((p) => p.id === id);
}

function allowedIn(def, e, phaseId) {
  const p = phaseById(def, phaseId);
  return e.phases.includes(phaseId) || (e.any_open_phase && p && !p.terminal);
}

function movesSomething(e) {
  return (e.transitions ?? []).some((tr) => tr.to || Object.keys(tr.tracks ?? {}).length);
}

function timersFiring(def, phaseId, type) {
  return (def.timers ?? []).filter((tm) => tm.on_enter_phase === phaseId && tm.fires === type);
}

function shorten(text, max = 21) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// Same row: an arc above (forward) or below (backward); else a straight line
// from the bottom of one box to the top of the other.
function edgePath(a, b) {
  if (a.y === b.y) {
    const forward = b.x > a.x;
    const x1 = a.x + a.w / 2;
    const x2 = b.x + b.w / 2;
    const span = Math.abs(x2 - x1);
    const lift = Math.min(36, 12 + span / 12);
    if (forward) {
      const y = a.y;
      return `M${x1 + 10},${y} C${x1 + 10},${y - lift} ${x2 - 10},${y - lift} ${x2 - 10},${y}`;
    }
    const y = a.y + a.h;
    return `M${x1 - 10},${y} C${x1 - 10},${y + lift} ${x2 + 10},${y + lift} ${x2 + 10},${y}`;
  }
  const down = b.y > a.y;
  const x1 = a.x + a.w / 2;
  const y1 = down ? a.y + a.h : a.y;
  const x2 = b.x + b.w / 2;
  const y2 = down ? b.y : b.y + b.h;
  return `M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2}`;
}
