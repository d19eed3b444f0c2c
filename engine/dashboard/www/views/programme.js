// The programme: its axes × the workflow's phases, with the number of
// actions in each cell, the late ones and the overdue reviews standing out;
// the list of actions with its search and filters (free text on title and
// id, axis, phase, lateness, partner, person), kept in the address
// (#/programme/ID?q=...&axis=...) so a view can be shared and survives a
// reload; the overdue and next reviews; for coordinators and admins, the
// workbench's tools (new action, new programme) and, for all, the report.
import { t, label, lang } from '../lib/i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { describeFailure } from '../lib/refusal.js';
import { milestoneTable } from './milestones.js';
import { loadPeople, personName } from '../lib/people.js';
import { myProjectsCard, loadMyProjects } from './my_projects.js';
import { wt } from '../lib/workbench_i18n.js';
import { exportsCard } from './exports.js';
import { termsCard } from './terms.js';
import { lateBadge } from '../lib/lateness.js';
import { readFilters, filtersQuery, matches, FILTER_KEYS } from './action_filters.js';

// Reviews shown under "next milestones".
const NEXT_MILESTONES = 6;
// The read model follows commits asynchronously: after a live event the
// list is re-read until it has caught up, this many times at most.
const CATCH_UP_TRIES = 10;
const CATCH_UP_DELAY_MS = 150;
// How long typing pauses before the list follows the search text.
const TYPING_PAUSE_MS = 200;

export async function render(ctx) {
  const state = { programmeId: ctx.params[0], filters: readFilters(ctx.query), last: null, partners: new Map() };
  const page = h('section', { class: 'programme', 'aria-labelledby': 'programme-title' });
  replace(ctx.main, page);

  async function load(minPosition = 0) {
    try {
      const list = (await api.get('/v1/programmes')).programmes ?? [];
      if (list.length === 0) {
        // No programme to show: the projects the caller takes part in, if any.
        const mine = await loadMyProjects(ctx);
        page.setAttribute('aria-labelledby', 'my-projects-title');
        replace(page, mine.projects.length || !ctx.canManage ? myProjectsCard(mine.projects, mine.defs) : h('p', {}, t('no_programme')));
        return;
      }
      if (!state.programmeId || !list.some((p) => p.id === state.programmeId)) state.programmeId = list[0].id;
      const id = state.programmeId;
      const [programme, projects, overdue, upcoming, partners] = await Promise.all([
        api.get(`/v1/programmes/${api.enc(id)}`),
        projectsOf(id, minPosition),
        api.get(`/v1/programmes/${api.enc(id)}/milestones?lang=${lang()}&overdue=true`),
        api.get(`/v1/programmes/${api.enc(id)}/milestones?lang=${lang()}&status=scheduled&kind=review`),
        api.partnerNames().catch(() => new Map()),
        loadPeople(),
      ]);
      state.partners = partners;
      const phases = await phasesOf(ctx, projects);
      draw({ list, programme, projects, phases, overdue: overdue.milestones ?? [], upcoming: upcoming.milestones ?? [] });
    } catch (failure) {
      replace(page, h('p', { class: 'error', role: 'alert' }, t('load_failed', { detail: describeFailure(failure).sentence })),
        h('button', { type: 'button', onclick: () => load() }, t('retry')));
    }
  }

  function draw(loaded) {
    state.last = loaded;
    const { list, programme, projects, phases, overdue, upcoming } = loaded;
    const def = programme.definition;
    const focusId = document.activeElement?.id;
    page.setAttribute('aria-labelledby', 'programme-title');
    replace(page,
      h('h1', { id: 'programme-title' }, t('programme_title', { title: def.title })),
      list.length > 1 ? programmePicker(list, state.programmeId) : null,
      tools(),
      h('p', { class: 'subtitle' },
        def.territory?.length ? t('programme_territory', { communes: def.territory.join(', ') }) : '',
        def.plan_years?.length ? ` · ${t('programme_plan', { years: def.plan_years.join('-') })}` : ''),
      h('div', { class: 'table-wrap' }, grid(def, phases, projects, overdue)),
      actionList(def, phases, projects),
      h('section', { 'aria-labelledby': 'overdue-title', class: 'card' },
        h('h2', { id: 'overdue-title' }, t('overdue_title')),
        overdue.length === 0 ? h('p', {}, t('overdue_none'))
          : milestoneTable(state.programmeId, overdue, { canHold: ctx.canManage, onHeld: () => load(), toast: ctx.toast })),
      h('section', { 'aria-labelledby': 'next-title', class: 'card' },
        h('h2', { id: 'next-title' }, t('milestones_next')),
        upcoming.length === 0 ? h('p', {}, t('none'))
          : milestoneTable(state.programmeId, upcoming.filter((m) => !m.overdue).slice(0, NEXT_MILESTONES),
            { canHold: ctx.canManage, onHeld: () => load(), toast: ctx.toast })),
      termsCard(programme, { canManage: ctx.canManage, toast: ctx.toast, onChanged: () => load() }),
      exportsCard(`/v1/programmes/${api.enc(state.programmeId)}/exports/`, state.programmeId, ctx.toast));
    if (focusId) document.getElementById(focusId)?.focus();
  }

  // Links to the report, and for coordinators and admins to the forms.
  function tools() {
    const id = api.enc(state.programmeId);
    const links = [[`#/report/${id}`, wt('tool_report'), 'tool-report']];
    if (ctx.canManage) {
      links.push([`#/new/action/${id}`, wt('tool_new_action'), 'tool-new-action'], [`#/edit/programme/${id}`, wt('tool_edit_programme'), 'tool-edit-programme'],
        ['#/new/programme', wt('tool_new_programme'), 'tool-new-programme']);
    }
    return h('nav', { class: 'tools no-print', 'aria-label': wt('tools_label') },
      h('ul', {}, links.map(([href, text, elId]) => h('li', {}, h('a', { href, id: elId, class: 'tool' }, text)))));
  }

  // Filters changed: the address follows (without a new history entry nor
  // a reload of the view) and the list is drawn again.
  function setFilters(next) {
    state.filters = next;
    const query = filtersQuery(next);
    history.replaceState(null, '', `#/programme/${api.enc(state.programmeId)}${query ? `?${query}` : ''}`);
    if (!state.last) return;
    // The form stays (what is being typed, the caret); its fields follow a grid cell's click.
    const { programme, phases, projects } = state.last;
    const focusId = document.activeElement?.id;
    document.getElementById('programme-grid')?.replaceWith(grid(programme.definition, phases, projects, state.last.overdue));
    document.getElementById('actions-results')?.replaceWith(actionResults(programme.definition, phases, projects));
    for (const key of FILTER_KEYS) {
      const input = document.getElementById(`filter-${key}`);
      if (input && input.value !== next[key] && document.activeElement !== input) input.value = next[key];
    }
    const clear = document.getElementById('filter-clear');
    if (clear) clear.disabled = FILTER_KEYS.every((k) => !next[k]);
    if (focusId && !document.activeElement?.id) document.getElementById(focusId)?.focus();
  }

  function programmePicker(list, selected) {
    const select = h('select', { id: 'programme-select' },
      list.map((p) => h('option', { value: p.id, selected: p.id === selected }, p.title)));
    select.addEventListener('change', () => { location.hash = `#/programme/${api.enc(select.value)}`; });
    return h('p', {}, h('label', { for: 'programme-select' }, t('programme_choose')), ' ', select);
  }

  // Rows: axes (sub-axes indented under their axis); columns: phases. An
  // axis counts its sub-axes too, as the programme's indicators do.
  function grid(def, phases, projects, overdue) {
    const axes = orderedAxes(def.axes ?? []);
    const byCell = new Map();
    for (const p of projects) {
      for (const axis of ancestry(def.axes ?? [], p.info.axis)) {
        const key = `${axis}|${p.state.phase}`;
        const cell = byCell.get(key) ?? { n: 0, late: 0 };
        cell.n += 1;
        if (p.late) cell.late += 1;
        byCell.set(key, cell);
      }
    }
    const overdueByAxis = new Map();
    for (const m of overdue) {
      for (const axis of ancestry(def.axes ?? [], m.axis ?? '')) overdueByAxis.set(axis, (overdueByAxis.get(axis) ?? 0) + 1);
    }
    const head = h('tr', {}, h('th', { scope: 'col' }, t('grid_axis')),
      phases.map((ph) => h('th', { scope: 'col' }, label(ph.labels, ph.id))),
      h('th', { scope: 'col' }, t('grid_total')),
      h('th', { scope: 'col' }, t('grid_overdue_reviews')));
    const rows = axes.map(({ axis, depth }) => {
      let total = 0;
      const cells = phases.map((ph) => {
        const cell = byCell.get(`${axis.id}|${ph.id}`);
        total += cell?.n ?? 0;
        if (!cell) return h('td', { class: 'count empty', 'data-phase': ph.id }, '·');
        const text = t('grid_cell', { n: cell.n, late: cell.late });
        return h('td', { class: cell.late ? 'count has-late' : 'count', 'data-phase': ph.id },
          h('button', {
            type: 'button', class: 'cell', id: `cell-${axis.id}-${ph.id}`.replace(/[^A-Za-z0-9_-]/g, '_'), 'aria-label': `${axis.title}, ${label(ph.labels, ph.id)} : ${text}`,
            'aria-pressed': state.filters.axis === axis.id && state.filters.phase === ph.id ? 'true' : 'false',
            onclick: () => {
              const on = state.filters.axis === axis.id && state.filters.phase === ph.id;
              setFilters({ ...state.filters, axis: on ? '' : axis.id, phase: on ? '' : ph.id });
            },
          }, h('span', { class: 'n' }, String(cell.n)), cell.late ? h('span', { class: 'badge late' }, t('grid_late', { n: cell.late })) : null));
      });
      const overdueCount = overdueByAxis.get(axis.id) ?? 0;
      return h('tr', { 'data-axis': axis.id },
        h('th', { scope: 'row', class: `axis depth-${depth}` }, `${axis.id} · ${axis.title}`),
        cells,
        h('td', { class: 'count total' }, String(total)),
        h('td', { class: overdueCount ? 'count overdue' : 'count' },
          overdueCount ? h('span', { class: 'badge overdue' }, String(overdueCount)) : '0'));
    });
    return h('table', { class: 'grid', id: 'programme-grid' },
      h('caption', {}, t('grid_caption')), h('thead', {}, head), h('tbody', {}, rows));
  }

  function actionList(def, phases, projects) {
    return h('section', { class: 'card', 'aria-labelledby': 'actions-title', id: 'actions-card' },
      h('h2', { id: 'actions-title' }, t('actions_title')),
      filterForm(def, phases, projects),
      actionResults(def, phases, projects));
  }

  // The count and the table of the actions the filters keep.
  function actionResults(def, phases, projects) {
    const axisTitle = new Map((def.axes ?? []).map((a) => [a.id, a.title]));
    const phaseLabel = new Map(phases.map((p) => [p.id, label(p.labels, p.id)]));
    const shown = projects
      .filter((p) => matches(p, state.filters, (axis) => ancestry(def.axes ?? [], axis)))
      .sort((a, b) => (a.info.axis + a.info.title).localeCompare(b.info.axis + b.info.title));
    return h('div', { id: 'actions-results' },
      h('p', { class: 'muted', id: 'actions-count', role: 'status' }, wt('find_count', { shown: shown.length, total: projects.length })),
      shown.length === 0 ? h('p', { id: 'actions-none' }, wt('find_none')) : null,
      h('div', { class: 'table-wrap' }, h('table', { class: 'actions' },
        h('thead', {}, h('tr', {}, [t('action_col_title'), t('action_col_axis'), t('action_col_phase'), t('action_col_status')]
          .map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, shown.map((p) => h('tr', { 'data-project': p.info.id },
          h('td', {}, h('a', { href: `#/action/${api.enc(p.info.id)}` }, p.info.title || p.info.id)),
          h('td', {}, `${p.info.axis} ${axisTitle.get(p.info.axis) ?? ''}`),
          h('td', { class: 'phase' }, phaseLabel.get(p.state.phase) ?? p.state.phase),
          h('td', {}, lateBadge(p) ?? h('span', { class: 'badge ok' }, t('on_time')),
            p.state.suspended ? h('span', { class: 'badge suspended' }, t('suspended')) : null)))))));
  }

  // The search form: one field per filter, each applied as it changes.
  function filterForm(def, phases, projects) {
    const f = state.filters;
    const partnerIds = [...new Set(projects.flatMap((p) => p.info.partners ?? []))];
    const personIds = [...new Set(projects.flatMap((p) => (p.info.members ?? []).map((m) => m.subject)))];
    const byName = (a, b) => a[1].localeCompare(b[1]);
    const select = (key, text, choices) => h('div', { class: 'filter' },
      h('label', { for: `filter-${key}` }, text),
      h('select', { id: `filter-${key}`, name: key },
        h('option', { value: '' }, wt('find_any')),
        choices.map(([value, words]) => h('option', { value, selected: f[key] === value }, words))));
    const text = h('input', { id: 'filter-q', name: 'q', type: 'search', value: f.q, autocomplete: 'off' });
    const form = h('form', { class: 'filters no-print', role: 'search', 'aria-label': wt('find_title'), id: 'action-filters' },
      h('div', { class: 'filter filter-text' }, h('label', { for: 'filter-q' }, wt('find_text')), text),
      select('axis', wt('find_axis'), orderedAxes(def.axes ?? []).map(({ axis, depth }) => [axis.id, `${depth ? '— ' : ''}${axis.id} · ${axis.title}`])),
      select('phase', wt('find_phase'), phases.map((p) => [p.id, label(p.labels, p.id)])),
      select('late', wt('find_late'), [['true', wt('find_late_yes')], ['false', wt('find_late_no')]]),
      select('partner', wt('find_partner'), partnerIds.map((id) => [id, state.partners.get(id) ?? id]).sort(byName)),
      select('person', wt('find_person'), personIds.map((id) => [id, personName(id)]).sort(byName)),
      h('div', { class: 'filter filter-clear' }, h('button', {
        type: 'button', id: 'filter-clear', disabled: FILTER_KEYS.every((k) => !f[k]),
        onclick: () => { setFilters(readFilters(null)); document.getElementById('filter-q')?.focus(); },
      }, wt('find_clear'))));
    form.addEventListener('submit', (e) => e.preventDefault());
    form.addEventListener('change', (e) => {
      if (e.target.name && e.target.name !== 'q') setFilters({ ...state.filters, [e.target.name]: e.target.value });
    });
    let typing = null;
    text.addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => setFilters({ ...state.filters, q: text.value }), TYPING_PAUSE_MS);
    });
    return form;
  }

  await load();
  return {
    relevant: (event) => {
      const stream = event.data?.stream ?? '';
      return stream.startsWith('project-') || stream === `programme-${state.programmeId}`;
    },
    refresh: (event) => load(Number(event?.id ?? 0)),
  };
}

// The programme's projects, from the read model once it has read up to
// minPosition (the live event that asked for the refresh).
export async function projectsOf(programmeId, minPosition) {
  for (let attempt = 0; ; attempt += 1) {
    const first = await api.get('/v1/projects?limit=1');
    if (!minPosition || (first.index_position ?? 0) >= minPosition || attempt >= CATCH_UP_TRIES) break;
    await new Promise((resolve) => setTimeout(resolve, CATCH_UP_DELAY_MS));
  }
  // Sub-items are shown on their parent's page, not as actions of the programme.
  return (await api.getAllProjects(`programme=${api.enc(programmeId)}`)).filter((p) => !p.info.parent);
}

// The phases of the workflows the projects follow, in their order; phases
// that are terminal are shown only when an action is in them.
export async function phasesOf(ctx, projects) {
  const seen = new Map();
  const names = [...new Set(projects.map((p) => `${p.info.workflow}\n${p.info.workflow_hash}`))];
  const defs = await Promise.all(names.map((n) => { const [w, hash] = n.split('\n'); return ctx.workflowOf(w, hash); }));
  const occupied = new Set(projects.map((p) => p.state.phase));
  for (const def of defs) {
    for (const ph of def.phases) {
      if (ph.terminal && !occupied.has(ph.id)) continue;
      if (!seen.has(ph.id)) seen.set(ph.id, ph);
    }
  }
  return [...seen.values()];
}

// The axis and the axes above it ("2A" -> ["2A", "2"]).
export function ancestry(axes, id) {
  const chain = [];
  for (let a = axes.find((x) => x.id === id); a && !chain.includes(a.id); a = axes.find((x) => x.id === a.parent)) chain.push(a.id);
  return chain.length ? chain : [id];
}

export function orderedAxes(axes) {
  const out = [];
  const visit = (parent, depth) => {
    for (const a of axes.filter((x) => (x.parent ?? '') === parent)) {
      out.push({ axis: a, depth });
      visit(a.id, depth + 1);
    }
  };
  visit('', 0);
  return out;
}
