// The programme's report for the comité de pilotage (#/report/{id}?year=Y):
// the late actions with how late; per axis, its actions by phase, its
// actions, its indicators summed (GET /v1/programmes/{id}/indicators,
// sub-axes included) and its reviews held and to come; the programme's
// indicators; the decisions taken at the reviews held (their `decisions`).
// The year narrows indicators, reviews and decisions to that year. The
// browser's print gives a clean PDF (app.css, @media print).
import { t, label, lang, formatDate } from '../lib/i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { describeFailure } from '../lib/refusal.js';
import { loadPeople, personName } from '../lib/people.js';
import { readable } from '../lib/schema_labels.js';
import { wt } from '../lib/workbench_i18n.js';
import { lateBadge, lateYears } from '../lib/lateness.js';
import { milestoneTable, milestoneTitle } from './milestones.js';
import { projectsOf, phasesOf, ancestry, orderedAxes } from './programme.js';
import { indicatorCharts, planChart, enteredYears } from './charts.js';

// Reviews to come listed in the report, soonest first.
const NEXT_REVIEWS = 12;
// Events read per action for the plan-against-reality chart (its phases' entries).
const HISTORY_PAGE = 500;

export async function render(ctx) {
  const programmeId = ctx.params[0];
  const year = /^\d{4}$/.test(ctx.query?.get('year') ?? '') ? Number(ctx.query.get('year')) : null;
  const page = h('article', { class: 'report', 'aria-labelledby': 'report-title' });
  replace(ctx.main, page);

  async function load() {
    try {
      const base = `/v1/programmes/${api.enc(programmeId)}`;
      const [programme, indicators, projects, held, scheduled] = await Promise.all([
        api.get(base),
        api.get(`${base}/indicators${year ? `?year=${year}` : ''}`),
        projectsOf(programmeId, 0),
        api.get(`${base}/milestones?lang=${lang()}&kind=review&status=held`),
        api.get(`${base}/milestones?lang=${lang()}&kind=review&status=scheduled`),
        loadPeople(),
      ]);
      const phases = await phasesOf(ctx, projects);
      const charts = await chartData(programme.definition, projects);
      const inYear = (m) => !year || String(m.date ?? m.due).startsWith(String(year));
      draw(programme.definition, indicators, projects, phases,
        (held.milestones ?? []).filter(inYear),
        (scheduled.milestones ?? []).filter((m) => !m.overdue && Date.parse(m.due) >= Date.now()).filter(inYear), charts);
    } catch (failure) {
      replace(page, h('h1', { id: 'report-title' }, wt('tool_report')),
        h('p', { class: 'error', role: 'alert' }, t('load_failed', { detail: describeFailure(failure).sentence })));
    }
  }

  // What the charts read: the indicators of each plan year (and this one),
  // and each action's history (the years its phases were entered).
  async function chartData(def, projects) {
    const years = [...new Set([...(def.plan_years ?? []), new Date().getFullYear()])].sort();
    const base = `/v1/programmes/${api.enc(programmeId)}`;
    const [byYear, histories] = await Promise.all([
      Promise.all(years.map(async (y) => [y, await api.get(`${base}/indicators?year=${y}`)])),
      Promise.all(projects.map(async (p) => [p.info.id,
        enteredYears((await api.get(`/v1/projects/${api.enc(p.info.id)}/events?limit=${HISTORY_PAGE}`)).events ?? [])])),
    ]);
    return { byYear, entered: new Map(histories) };
  }

  function chartsSection(def, projects, phases, charts) {
    const thisYear = new Date().getFullYear();
    const plans = (def.axes ?? []).map((axis) => {
      const rows = projects.filter((p) => p.info.axis === axis.id)
        .map((project) => ({ project, entered: charts.entered.get(project.info.id) ?? new Map() }));
      return rows.length ? planChart(axis, rows, phases.filter((ph) => !ph.terminal), thisYear) : null;
    }).filter(Boolean);
    return h('section', { class: 'card report-section', 'aria-labelledby': 'report-charts-title', id: 'report-charts' },
      h('h2', { id: 'report-charts-title' }, wt('report_charts_title')),
      h('h3', {}, wt('report_charts_indicators')),
      h('div', { class: 'charts' }, indicatorCharts(charts.byYear, (def.axes ?? []).filter((a) => !a.parent))),
      h('h3', {}, wt('report_charts_plan')),
      h('div', { class: 'charts' }, plans));
  }

  function draw(def, indicators, projects, phases, held, next, charts) {
    const phaseLabel = (id) => label(phases.find((p) => p.id === id)?.labels, id);
    const axes = orderedAxes(def.axes ?? []);
    const late = projects.filter((p) => p.late)
      .sort((a, b) => (lateYears(b) ?? 0) - (lateYears(a) ?? 0) || (a.info.title || a.info.id).localeCompare(b.info.title || b.info.id));
    const soon = next.slice(0, NEXT_REVIEWS);
    replace(page,
      h('header', {},
        h('p', { class: 'no-print' }, h('a', { href: `#/programme/${api.enc(programmeId)}` }, wt('form_back'))),
        h('h1', { id: 'report-title' }, wt('report_title', { title: def.title || def.id })),
        h('p', { class: 'subtitle' },
          wt('report_intro', { date: formatDate(new Date().toISOString()) }),
          year ? ` ${wt('report_year')} ${year}.` : '',
          def.territory?.length ? ` ${t('programme_territory', { communes: def.territory.join(', ') })}.` : ''),
        controls(def)),
      h('p', { class: 'report-summary' }, wt('report_summary', {
        actions: projects.length, late: late.length, held: held.length, next: next.length,
      })),
      lateSection(late, phaseLabel, def, phases),
      axes.map(({ axis, depth }) => axisSection(axis, depth, def, projects, phases, phaseLabel, indicators, held, soon)),
      h('section', { class: 'card report-section', 'aria-labelledby': 'report-indicators-title' },
        h('h2', { id: 'report-indicators-title' }, wt('report_indicators_programme')),
        indicatorTable(indicators.programme ?? {}, null)),
      chartsSection(def, projects, phases, charts),
      reviewsSection('report-held', wt('report_reviews_held'), held),
      reviewsSection('report-next', wt('report_reviews_next'), soon),
      decisionsSection(held));
  }

  function controls(def) {
    const years = [...new Set([...(def.plan_years ?? []), new Date().getFullYear()])].sort();
    const select = h('select', { id: 'report-year' },
      h('option', { value: '' }, wt('report_every_year')),
      years.map((y) => h('option', { value: y, selected: y === year }, String(y))));
    select.addEventListener('change', () => {
      location.hash = `#/report/${api.enc(programmeId)}${select.value ? `?year=${select.value}` : ''}`;
    });
    return h('div', { class: 'report-controls no-print' },
      h('label', { for: 'report-year' }, wt('report_year')), select,
      h('button', { type: 'button', class: 'primary', id: 'report-print', onclick: () => window.print() }, wt('report_print')));
  }

  function lateSection(late, phaseLabel, def, phases) {
    const axisTitle = new Map((def.axes ?? []).map((a) => [a.id, a.title]));
    return h('section', { class: 'card report-section', 'aria-labelledby': 'report-late-title', id: 'report-late' },
      h('h2', { id: 'report-late-title' }, wt('report_late_title')),
      late.length === 0 ? h('p', {}, wt('report_late_none')) : h('div', { class: 'table-wrap' }, h('table', { class: 'report-late' },
        h('thead', {}, h('tr', {}, [wt('report_col_action'), t('action_col_axis'), wt('report_col_phase'), wt('report_col_planned'), wt('report_col_late')]
          .map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, late.map((p) => h('tr', { 'data-project': p.info.id },
          h('td', {}, h('a', { href: `#/action/${api.enc(p.info.id)}` }, p.info.title || p.info.id)),
          h('td', {}, `${p.info.axis} ${axisTitle.get(p.info.axis) ?? ''}`),
          h('td', {}, phaseLabel(p.state.phase)),
          h('td', {}, plannedText(p, phaseLabel, phases)),
          h('td', {}, lateBadge(p))))))));
  }

  // The planned year of the phase the action is in ("Étude en 2025").
  function plannedText(p, phaseLabel, phases) {
    const phase = phases.find((x) => x.id === p.state.phase);
    const y = p.info.planned_years?.[phase?.planned_year_key ?? p.state.phase];
    return y ? wt('report_planned_phase', { phase: phaseLabel(p.state.phase), year: y }) : '—';
  }

  function axisSection(axis, depth, def, projects, phases, phaseLabel, indicators, held, next) {
    const mine = projects.filter((p) => ancestry(def.axes ?? [], p.info.axis).includes(axis.id))
      .sort((a, b) => (a.info.title || a.info.id).localeCompare(b.info.title || b.info.id));
    const inAxis = (m) => ancestry(def.axes ?? [], m.axis ?? '').includes(axis.id);
    const titleId = `report-axis-${axis.id}-title`.replace(/[^A-Za-z0-9_-]/g, '_');
    const counts = phases.map((ph) => [ph, mine.filter((p) => p.state.phase === ph.id).length]).filter(([, n]) => n > 0);
    const axisHeld = held.filter(inAxis);
    const axisNext = next.filter(inAxis);
    return h('section', { class: `card report-section report-axis depth-${depth}`, 'aria-labelledby': titleId, 'data-axis': axis.id },
      h('h2', { id: titleId }, wt('report_axis', { id: axis.id, title: axis.title ?? '' })),
      mine.length === 0 ? h('p', {}, wt('report_no_action')) : [
        h('div', { class: 'report-columns' },
          h('table', { class: 'report-phases' },
            h('caption', {}, wt('report_by_phase')),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, wt('report_col_phase')), h('th', { scope: 'col', class: 'num' }, t('grid_total')))),
            h('tbody', {}, counts.map(([ph, n]) => h('tr', {}, h('th', { scope: 'row' }, label(ph.labels, ph.id)), h('td', { class: 'num' }, String(n)))))),
          indicatorTable(indicators.axes?.[axis.id] ?? {}, wt('report_indicators'))),
        h('div', { class: 'table-wrap' }, h('table', { class: 'report-actions' },
          h('caption', {}, wt('report_actions')),
          h('thead', {}, h('tr', {}, [wt('report_col_action'), wt('report_col_phase'), wt('report_col_late')].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, mine.map((p) => h('tr', { 'data-project': p.info.id },
            h('td', {}, p.info.title || p.info.id),
            h('td', {}, phaseLabel(p.state.phase)),
            h('td', {}, lateBadge(p) ?? t('on_time'))))))),
      ],
      axisHeld.length || axisNext.length ? h('p', { class: 'muted' },
        wt('report_axis_reviews', { held: axisHeld.length, next: axisNext.length })) : null);
  }

  function indicatorTable(sums, caption) {
    const entries = Object.entries(sums);
    if (entries.length === 0) return h('p', { class: 'muted' }, wt('report_indicators_none'));
    return h('table', { class: 'report-indicators' },
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('indicator_col_name')), h('th', { scope: 'col', class: 'num' }, t('indicator_col_value')))),
      h('tbody', {}, entries.map(([name, value]) => h('tr', {},
        h('th', { scope: 'row' }, readable(name)),
        h('td', { class: 'num' }, new Intl.NumberFormat(lang() === 'fr' ? 'fr-FR' : 'en-GB').format(value))))));
  }

  function reviewsSection(id, title, list) {
    return h('section', { class: 'card report-section', 'aria-labelledby': `${id}-title`, id },
      h('h2', { id: `${id}-title` }, title),
      list.length === 0 ? h('p', {}, wt('report_reviews_none'))
        : h('div', { class: 'table-wrap' }, milestoneTable(programmeId, list, { canHold: false })));
  }

  function decisionsSection(held) {
    const decisions = held.flatMap((m) => (m.decisions ?? []).map((d) => ({ m, text: typeof d === 'string' ? d : JSON.stringify(d) })));
    return h('section', { class: 'card report-section', 'aria-labelledby': 'report-decisions-title', id: 'report-decisions' },
      h('h2', { id: 'report-decisions-title' }, wt('report_decisions')),
      decisions.length === 0 ? h('p', {}, wt('report_decisions_none'))
        : h('div', { class: 'table-wrap' }, h('table', { class: 'report-decisions' },
          h('thead', {}, h('tr', {}, [wt('report_col_date'), wt('report_col_who'), wt('report_col_decision')].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, decisions.map(({ m, text }) => h('tr', {},
            h('td', {}, h('time', { datetime: m.date ?? m.due }, formatDate(m.date ?? m.due))),
            h('td', {}, personName(m.person) || milestoneTitle(m)),
            h('td', {}, text)))))));
  }

  await load();
  return {
    relevant: (event) => (event.data?.stream ?? '') === `programme-${programmeId}`,
    refresh: load,
  };
}
