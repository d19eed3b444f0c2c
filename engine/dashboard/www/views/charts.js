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
const ROW_H = 22, YEAR_W = 56, NAME_W = 240;

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
  const width = NAME_W + span * YEAR_W + 10, height = PAD_T + rows.length * ROW_H + PAD_B;
  const x = (year) => NAME_W + (year - first) * YEAR_W + YEAR_W / 2;
  const id = nextId('chart-plan');
  const title = wt('chart_plan_title', { axis: `${axis.id} ${axis.title ?? ''}`.trim() });
  const grid = Array.from({ length: span }, (_, i) => first + i).map((year) => [
    svg('line', { x1: x(year), y1: PAD_T - 6, x2: x(year), y2: height - PAD_B, class: year === thisYear ? 'chart-today' : 'chart-grid' }),
    svg('text', { x: x(year), y: height - 8, 'text-anchor': 'middle', class: 'chart-axis' }, String(year))]);
  const marks = rows.map(({ project, entered }, ri) => {
    const cy = PAD_T + ri * ROW_H + ROW_H / 2;
    const phaseMarks = phases.filter((ph) => planned(project, ph) || entered.has(ph.id)).map((ph, pi) => {
      const plan = planned(project, ph), real = entered.get(ph.id);
      // Late: reached after its year, or still in it after its year.
      const late = plan && ((real && real > plan) || (project.state.phase === ph.id && thisYear > plan));
      const dy = (pi % 3 - 1) * 5;  // phases of one year side by side
      const short = label(ph.labels, ph.id).slice(0, 3);
      return svg('g', { class: late ? 'phase late' : 'phase', 'data-phase': ph.id },
        plan && real && real !== plan ? svg('line', { x1: x(plan), y1: cy + dy, x2: x(real), y2: cy + dy, class: 'chart-slip' }) : null,
        plan ? svg('circle', { cx: x(plan), cy: cy + dy, r: 5, class: 'planned' }) : null,
        real ? svg('circle', { cx: x(real), cy: cy + dy, r: 4, class: 'real' }) : null,
        svg('text', { x: x(real ?? plan) + 7, y: cy + dy + 4, class: 'chart-phase' }, short),
        svg('title', {}, `${label(ph.labels, ph.id)} : ${wt('chart_planned')} ${plan ?? '—'}, ${wt('chart_real')} ${real ?? '—'}`));
    });
    return svg('g', { 'data-project': project.info.id },
      svg('text', { x: 4, y: cy + 4, class: 'chart-name' }, (project.info.title || project.info.id).slice(0, 38)),
      phaseMarks);
  });
  return h('figure', { class: 'chart plan-chart', 'data-axis': axis.id },
    svg('svg', { role: 'img', 'aria-labelledby': `${id}-t`, viewBox: `0 0 ${width} ${height}`, width, height, class: 'chart-svg' },
      svg('title', { id: `${id}-t` }, title), grid, marks),
    h('figcaption', {}, title, ' — ', wt('chart_plan_legend')));
}
