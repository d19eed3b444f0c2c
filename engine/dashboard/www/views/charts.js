// The report's charts, drawn by hand as inline SVG (no library, no build
// step; they print as they show): indicators per axis over the years, and
// per axis the plan against reality: for each action, each phase's planned
// year (a ring) and the year it was really entered (a dot), joined by a line
// when it came late. Every chart has a text title and its values written on
// it, so it reads without colours.
import { svg, h } from '../lib/dom.js';
import { label } from '../lib/i18n.js';
import { wt } from '../lib/workbench_i18n.js';

// Colours of the axes' bars (AA contrast on white; the legend's swatches
// .c0-.c5 in app.css are the same: the page's CSP forbids inline styles).
const COLOURS = ['#1f5f8b', '#b35806', '#2d7d46', '#7b3294', '#8c510a', '#5e3c99'];
const BAR_W = 18, GROUP_GAP = 16, CHART_H = 160, PAD_L = 40, PAD_B = 28, PAD_T = 24;
const LANE_H = 15, ROW_GAP = 8, YEAR_W = 64, NAME_W = 230, PHASE_W = 44;

let chartCount = 0;
const nextId = (prefix) => `${prefix}-${++chartCount}`;

// byYear: [[year, GET /v1/programmes/{id}/indicators?year= answer], ...];
// axes: the top-level axes [{id, title}]. One chart per indicator.
export function indicatorCharts(byYear, axes) {
  const names = new Set();
  for (const [, totals] of byYear) for (const a of Object.values(totals.axes ?? {})) Object.keys(a).forEach((k) => names.add(k));
  if (names.size === 0) return h('p', {}, wt('chart_no_indicators'));
  return [...names].sort().map((name) => indicatorChart(name, byYear, axes));
}

function indicatorChart(name, byYear, axes) {
  const shown = axes.filter((a) => byYear.some(([, t]) => (t.axes?.[a.id]?.[name] ?? 0) !== 0));
  const max = Math.max(1, ...byYear.flatMap(([, t]) => shown.map((a) => t.axes?.[a.id]?.[name] ?? 0)));
  const groupW = shown.length * BAR_W + GROUP_GAP;
  const width = PAD_L + byYear.length * groupW + 10;
  const height = PAD_T + CHART_H + PAD_B;
  const id = nextId('chart-indicator');
  const title = wt('chart_indicator_title', { indicator: name.replaceAll('_', ' ') });
  const y = (v) => PAD_T + CHART_H - (v / max) * CHART_H;
  const bars = byYear.flatMap(([year, totals], gi) => {
    const x0 = PAD_L + gi * groupW;
    return [
      ...shown.map((a, ai) => {
        const v = totals.axes?.[a.id]?.[name] ?? 0;
        const x = x0 + ai * BAR_W;
        return svg('g', { 'data-axis': a.id, 'data-year': year },
          svg('rect', { x, y: y(v), width: BAR_W - 3, height: Math.max(0, PAD_T + CHART_H - y(v)), fill: COLOURS[ai % COLOURS.length] }),
          v ? svg('text', { x: x + (BAR_W - 3) / 2, y: y(v) - 3, 'text-anchor': 'middle', class: 'chart-value' }, String(v)) : null);
      }),
      svg('text', { x: x0 + (shown.length * BAR_W) / 2, y: height - 8, 'text-anchor': 'middle', class: 'chart-axis' }, String(year)),
    ];
  });
  const legend = h('ul', { class: 'chart-legend' }, shown.map((a, ai) => h('li', {},
    h('span', { class: `swatch c${ai % COLOURS.length}` }), ` ${a.id} ${a.title ?? ''}`)));
  return h('figure', { class: 'chart', 'data-indicator': name },
    svg('svg', { role: 'img', 'aria-labelledby': `${id}-t`, viewBox: `0 0 ${width} ${height}`, width, height, class: 'chart-svg' },
      svg('title', { id: `${id}-t` }, title),
      svg('line', { x1: PAD_L - 4, y1: PAD_T + CHART_H, x2: width - 5, y2: PAD_T + CHART_H, class: 'chart-base' }),
      svg('text', { x: PAD_L - 8, y: PAD_T + 4, 'text-anchor': 'end', class: 'chart-axis' }, String(max)),
      bars),
    h('figcaption', {}, title), legend);
}

// The years each phase was entered, from a project's history (the
// effects' phase.to of its events, the first time each).
export function enteredYears(events) {
  const entered = new Map();
  for (const e of events) {
    const to = e.data?.effects?.phase?.to;
    if (to && !entered.has(to)) entered.set(to, new Date(e.metadata?.recorded_at).getUTCFullYear());
  }
  return entered;
}

// One axis's plan against reality. rows: [{project, entered: Map}], phases:
// the workflow's phases (with planned_year_key), thisYear: today's year.
export function planChart(axis, rows, phases, thisYear) {
  const planned = (p, ph) => p.info.planned_years?.[ph.planned_year_key ?? ph.id];
  const years = rows.flatMap(({ project, entered }) => phases.flatMap((ph) => [planned(project, ph), entered.get(ph.id)]))
    .filter((v) => Number.isInteger(v));
  if (years.length === 0) return null;
  const first = Math.min(...years, thisYear), last = Math.max(...years, thisYear);
  const span = last - first + 1;
  // One lane per phase the action has a year for, so that no two marks or
  // names ever overlap: the phase's short name, then its planned year (ring)
  // and the year it was reached (dot), joined by the slip when they differ.
  const lanesOf = ({ project, entered }) => phases.filter((ph) => planned(project, ph) || entered.has(ph.id));
  const tops = [];
  let top = PAD_T;
  for (const row of rows) {
    tops.push(top);
    top += Math.max(1, lanesOf(row).length) * LANE_H + ROW_GAP;
  }
  const left = NAME_W + PHASE_W;
  const width = left + span * YEAR_W + 10, height = top + PAD_B;
  const x = (year) => left + (year - first) * YEAR_W + YEAR_W / 2;
  const id = nextId('chart-plan');
  const title = wt('chart_plan_title', { axis: `${axis.id} ${axis.title ?? ''}`.trim() });
  const grid = Array.from({ length: span }, (_, i) => first + i).map((year) => [
    svg('line', { x1: x(year), y1: PAD_T - 6, x2: x(year), y2: height - PAD_B, class: year === thisYear ? 'chart-today' : 'chart-grid' }),
    svg('text', { x: x(year), y: height - 8, 'text-anchor': 'middle', class: 'chart-axis' }, String(year))]);
  const marks = rows.map((row, ri) => {
    const { project, entered } = row;
    const phaseMarks = lanesOf(row).map((ph, li) => {
      const cy = tops[ri] + li * LANE_H + LANE_H / 2;
      const plan = planned(project, ph), real = entered.get(ph.id);
      // Late: reached after its year, or still in it after its year.
      const late = plan && ((real && real > plan) || (project.state.phase === ph.id && thisYear > plan));
      return svg('g', { class: late ? 'phase late' : 'phase', 'data-phase': ph.id },
        svg('text', { x: NAME_W, y: cy + 4, class: 'chart-phase' }, label(ph.labels, ph.id).slice(0, 5)),
        plan && real && real !== plan ? svg('line', { x1: x(plan), y1: cy, x2: x(real), y2: cy, class: 'chart-slip' }) : null,
        plan ? svg('circle', { cx: x(plan), cy, r: 5, class: 'planned' }) : null,
        real ? svg('circle', { cx: x(real), cy, r: 4, class: 'real' }) : null,
        svg('title', {}, `${label(ph.labels, ph.id)} : ${wt('chart_planned')} ${plan ?? '—'}, ${wt('chart_real')} ${real ?? '—'}`));
    });
    return svg('g', { 'data-project': project.info.id },
      ri > 0 ? svg('line', { x1: 0, y1: tops[ri] - ROW_GAP / 2, x2: width, y2: tops[ri] - ROW_GAP / 2, class: 'chart-grid' }) : null,
      svg('text', { x: 4, y: tops[ri] + LANE_H / 2 + 4, class: 'chart-name' }, (project.info.title || project.info.id).slice(0, 36)),
      phaseMarks);
  });
  return h('figure', { class: 'chart plan-chart', 'data-axis': axis.id },
    svg('svg', { role: 'img', 'aria-labelledby': `${id}-t`, viewBox: `0 0 ${width} ${height}`, width, height, class: 'chart-svg' },
      svg('title', { id: `${id}-t` }, title), grid, marks),
    h('figcaption', {}, title, ' — ', wt('chart_plan_legend')));
}
