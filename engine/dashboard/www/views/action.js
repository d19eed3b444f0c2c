// One action: where it is (phase timeline, planned against actual years),
// its method drawn with the current phase, the form to record an event, its
// full history (who did what), next milestones, partners, people, indicators.
import { t, label, lang, formatDateTime } from '../lib/i18n.js';
import { summarise as summariseData, choiceLabel, propertyOf } from '../lib/schema_labels.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { lateBadge } from '../lib/lateness.js';
import { describeFailure } from '../lib/refusal.js';
import { workflowDiagram, workflowMovesList } from './workflow_svg.js';
import { recordForm } from './record_form.js';
import { milestoneTable } from './milestones.js';
import { loadPeople, personName } from '../lib/people.js';
import { timersCard } from './project_timers.js';
import { tracksCard, keyedMoves } from './tracks.js';
import { loadNextSteps, nextStepsCard } from './next_steps.js';
import { editActionCard } from './action_edit.js';
import { loadChildren, childrenCard, childForm, mergeHistory, childMilestoneCells } from './children.js';
import {
  linksOf, linkedProjects, linkLines, spawnedCard, partnerRoster, partnersCard, workflowLabeller,
} from './project_links.js';

const HISTORY_PAGE = 100;
const HISTORY_MAX_PAGES = 50;
const NEXT_MILESTONES = 3;

export async function render(ctx) {
  const id = ctx.params[0];
  const page = h('article', { class: 'action', 'aria-labelledby': 'action-title' });
  replace(ctx.main, page);
  const live = { project: null, def: null, form: null, childForm: undefined, related: new Set() };
  const parts = {
    header: h('header', {}),
    timeline: h('section', { class: 'card', 'aria-labelledby': 'timeline-title' }),
    workflow: h('section', { class: 'card', 'aria-labelledby': 'workflow-title' }),
    side: h('div', { class: 'side' }),
    history: h('section', { class: 'card', 'aria-labelledby': 'history-title' }),
  };

  // Loads may overlap (a command's answer, live events of the project, its
  // children, its spawned projects): only the latest one started draws.
  let latestLoad = 0;
  async function load() {
    const mine = ++latestLoad;
    try {
      const project = await api.get(`/v1/projects/${api.enc(id)}`);
      const [def, events] = await Promise.all([
        ctx.workflowOf(project.info.workflow, project.info.workflow_hash),
        history(id),
      ]);
      const milestones = project.info.programme ? await nextMilestones(project.info) : [];
      const [partnerNames] = await Promise.all([api.partnerNames().catch(() => new Map()), loadPeople()]);
      const children = def.children?.length ? await loadChildren(ctx, id) : null;
      const [related, next] = await Promise.all([relatedOf(ctx, project), loadNextSteps(id)]);
      if (mine !== latestLoad) return;
      live.project = project;
      live.def = def;
      // Children and linked projects whose own events change this page
      // (a child moving, a spawned project being created).
      live.related = new Set([...(children?.model ?? []).flatMap((k) => k.items.map((c) => c.id)),
        ...related.links.spawned.map((s) => s.project)]);
      draw(project, def, events, milestones, partnerNames, children, related, next);
    } catch (failure) {
      if (mine !== latestLoad) return;
      replace(page, h('p', { class: 'error', role: 'alert' }, describeFailure(failure).sentence),
        h('p', {}, h('a', { href: '#/programme' }, t('action_back'))));
    }
  }

  function draw(project, def, events, milestones, partnerNames, children, related, next) {
    const phaseLabel = (pid) => label(def.phases.find((p) => p.id === pid)?.labels, pid);
    const fields = project.state.fields ?? {};
    replace(parts.header,
      h('p', {}, h('a', { href: `#/programme/${api.enc(project.info.programme ?? '')}` }, t('action_back'))),
      h('h1', { id: 'action-title' }, t('action_title', { title: project.info.title || project.info.id })),
      linkLines(related.links, related.known, { kindLabel: related.parentKindLabel }),
      h('p', { class: 'status-line' },
        h('span', { class: 'badge phase', id: 'current-phase', 'data-phase': project.state.phase },
          t('action_phase', { phase: phaseLabel(project.state.phase) })),
        lateBadge(project),
        project.state.suspended ? h('span', { class: 'badge suspended' }, t('suspended')) : null,
        h('span', { class: 'muted' }, t('action_version', { version: project.version }))),
      propertyOf(def.state, 'porteur')
        ? h('p', {}, fields.porteur ? t('porteur', { nom: fields.porteur.nom, nature: porteurNature(def, fields.porteur.nature) }) : t('porteur_none'))
        : null);

    replace(parts.timeline, h('h2', { id: 'timeline-title' }, t('timeline_title')), timeline(def, project, events));
    replace(parts.workflow,
      h('h2', { id: 'workflow-title' }, t('workflow_title', { label: label(def.labels, def.name) })),
      h('div', { class: 'svg-wrap' }, workflowDiagram(def, project.state)),
      h('p', { class: 'legend' }, t('workflow_legend')),
      h('details', {}, h('summary', {}, label(def.labels, def.name)), workflowMovesList(def)));

    if (!live.form) {
      live.form = recordForm(def, () => live.project, { roles: ctx.me.roles, toast: ctx.toast, onRecorded: load });
    } else {
      live.form.update();
    }
    replace(parts.side,
      live.form.element,
      nextStepsCard(next, def, project.state),
      ctx.canManage ? editCard(project, def) : null,
      tracksCard(def, project.state),
      children ? childrenCard(children.model, childFormOf(children)) : null,
      spawnedCard(related.links, related.known, related.workflowLabel),
      h('section', { class: 'card', 'aria-labelledby': 'next-title' },
        h('h2', { id: 'next-title' }, t('milestones_next')),
        milestones.length ? milestoneTable(project.info.programme, milestones, { canHold: ctx.canManage, onHeld: load, toast: ctx.toast, compact: true })
          : h('p', {}, t('none'))),
      timersCard(project.timers),
      partnersCard(partnerRoster(project.info, events, fields.partenaires ?? []), partnerNames,
        ctx.canManage ? { project, toast: ctx.toast, onChanged: load } : null),
      h('section', { class: 'card', 'aria-labelledby': 'people-title' },
        h('h2', { id: 'people-title' }, t('people_title')),
        people(project, fields)),
      h('section', { class: 'card', 'aria-labelledby': 'indicators-title' },
        h('h2', { id: 'indicators-title' }, t('indicators_title')),
        indicators(def, fields.indicateurs ?? [])));

    replace(parts.history, h('h2', { id: 'history-title' }, t('history_title')), historyTable(def, events, phaseLabel, children));
    if (!parts.header.isConnected) replace(page, parts.header, h('div', { class: 'columns' }, h('div', { class: 'main-col' }, parts.timeline, parts.workflow, parts.history), parts.side));
  }

  // The edit card stays as it is while open (a live event redraws the page).
  function editCard(project, def) {
    if (!live.edit?.open) live.edit = editActionCard(project, def, { toast: ctx.toast, onChanged: () => { live.edit = null; load(); } });
    return live.edit;
  }

  // Made once: the kinds of children are the workflow's, fixed for the page.
  function childFormOf(children) {
    if (live.childForm === undefined) {
      live.childForm = childForm(children.model, {
        parentId: id, kindDefs: children.kindDefs, roles: ctx.me.roles, toast: ctx.toast, onCreated: load,
      });
    }
    return live.childForm;
  }

  await load();
  return {
    relevant: (event) => event.data?.stream === `project-${id}`
      || live.related.has((event.data?.stream ?? '').replace(/^project-/, ''))
      || (live.project?.info.programme && event.data?.stream === `programme-${live.project.info.programme}`),
    refresh: load,
  };
}

// The projects this one is linked to (parent, origin, spawned) with the
// titles the caller may see, the label of the parent's kind of children and
// the labels of the spawned projects' workflows.
async function relatedOf(ctx, project) {
  const links = linksOf(project);
  const known = await linkedProjects(links);
  const defs = new Map();
  const names = new Set(links.spawned.map((s) => s.workflow).filter(Boolean));
  const parentWorkflow = links.parent ? known.get(links.parent.project)?.workflow : null;
  if (parentWorkflow) names.add(parentWorkflow);
  await Promise.all([...names].map(async (name) => {
    const def = await ctx.workflowOf(name).catch(() => null);
    if (def) defs.set(name, def);
  }));
  const parentKinds = defs.get(parentWorkflow)?.children ?? [];
  return {
    links, known, workflowLabel: workflowLabeller(defs),
    parentKindLabel: (kind) => label(parentKinds.find((k) => k.id === kind)?.labels, kind),
  };
}

// The whole history, oldest first.
async function history(id) {
  const events = [];
  let from = 1;
  for (let i = 0; i < HISTORY_MAX_PAGES; i += 1) {
    const pageBody = await api.get(`/v1/projects/${api.enc(id)}/events?from=${from}&limit=${HISTORY_PAGE}`);
    events.push(...(pageBody.events ?? []));
    if (!pageBody.has_more) break;
    from = pageBody.next_from;
  }
  return events;
}

async function nextMilestones(info) {
  const query = `lang=${lang()}&status=scheduled${info.axis ? `&axis=${api.enc(info.axis)}` : ''}`;
  const body = await api.get(`/v1/programmes/${api.enc(info.programme)}/milestones?${query}`).catch(() => ({ milestones: [] }));
  return (body.milestones ?? []).slice(0, NEXT_MILESTONES);
}

// Each phase with a planned year (and any phase the action went through):
// planned year, the year it was entered, done / current / to come.
function timeline(def, project, events) {
  const entered = new Map();
  for (const e of events) {
    const to = e.data?.effects?.phase?.to;
    if (to && !entered.has(to)) entered.set(to, new Date(e.metadata?.recorded_at).getUTCFullYear());
  }
  const thisYear = new Date().getUTCFullYear();
  const order = def.phases.map((p) => p.id);
  const currentIndex = order.indexOf(project.state.phase);
  const shown = def.phases.filter((p) => (!p.terminal && p.planned_year_key) || entered.has(p.id) || p.id === project.state.phase);
  return h('ol', { class: 'timeline' }, shown.map((p) => {
    const planned = project.info.planned_years?.[p.planned_year_key ?? p.id];
    const actual = entered.get(p.id);
    const isCurrent = p.id === project.state.phase;
    const state = isCurrent ? 'current' : actual ? 'done' : order.indexOf(p.id) < currentIndex ? 'skipped' : 'future';
    const late = planned && ((isCurrent && thisYear > planned) || (!actual && !isCurrent && state === 'future' && thisYear > planned)
      || (actual && actual > planned));
    return h('li', { class: `step ${state}${late ? ' late' : ''}`, 'data-phase': p.id, 'aria-current': isCurrent ? 'step' : false },
      h('span', { class: 'step-name' }, label(p.labels, p.id)),
      h('span', { class: 'step-years' },
        planned ? t('timeline_planned', { year: planned }) : t('timeline_not_planned'), ' · ',
        actual ? t('timeline_actual', { year: actual }) : t('timeline_not_reached')),
      isCurrent ? h('span', { class: 'visually-hidden' }, ` (${t('timeline_current')})`) : null,
      late ? h('span', { class: 'badge late' }, t('timeline_late')) : null);
  }));
}

// The project's events, newest first, with its children's milestones
// merged in time order (each naming the child it comes from).
function historyTable(def, events, phaseLabel, children) {
  const kindLabel = (kind) => children?.model.find((k) => k.id === kind)?.label ?? kind;
  const rows = mergeHistory(events, children?.milestones ?? []).map((entry) => {
    if (entry.source === 'child') {
      const m = entry.milestone;
      const cells = childMilestoneCells(m, { kindLabel, kindDefs: children.kindDefs });
      return h('tr', { class: 'from-child', 'data-child': m.child, 'data-type': m.type },
        h('td', { class: 'when' }, cells.when), h('td', {}, cells.who), h('td', {}, cells.what), h('td', { class: 'details' }, ''));
    }
    const e = entry.event;
    const typeDef = def.events.find((x) => x.type === e.type);
    const what = typeDef ? label(typeDef.labels, e.type) : t(`event_${e.type}`);
    const to = e.data?.effects?.phase?.to;
    const from = e.data?.effects?.phase?.from;
    const actor = (e.metadata?.actor ?? '').startsWith('system') ? `${t('by_system')} · ${e.metadata.actor}` : personName(e.metadata?.actor);
    return h('tr', { 'data-version': e.version, 'data-type': e.type },
      h('td', { class: 'when' }, h('time', { datetime: e.metadata?.recorded_at }, formatDateTime(e.metadata?.recorded_at))),
      h('td', {}, actor ?? ''),
      h('td', {}, what, to && to !== from ? h('span', { class: 'moved' }, ` — ${t('moved_to', { phase: phaseLabel(to) })}`) : null,
        ...keyedMoves(def, e.data?.effects).map((move) => h('span', { class: 'moved' }, ` — ${move}`))),
      h('td', { class: 'details' }, summarise(typeDef?.schema, payloadOf(e))));
  });
  return h('table', { class: 'history', id: 'history' },
    h('thead', {}, h('tr', {}, [t('history_col_when'), t('history_col_who'), t('history_col_what'), t('history_col_details')]
      .map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows));
}

// What the person recorded: a workflow event's data; for the runtime's own
// events, the lateness facts (the registration repeats the action's header).
function payloadOf(e) {
  if (e.data && typeof e.data === 'object' && 'effects' in e.data) return e.data.data;
  return e.type === 'project_late' ? e.data : null;
}

// The data named with the event's labels (its schema; none for the runtime's own events).
function summarise(schema, data) {
  return summariseData(schema, data, (name, value) => t('detail_pair', { name, value }));
}

// The porteur's nature by the state schema's enum label.
function porteurNature(def, nature) {
  return choiceLabel(propertyOf(propertyOf(def.state, 'porteur'), 'nature'), nature);
}


function roleName(role) {
  const key = `role_${role}`;
  return t(key) === key ? role.replaceAll('_', ' ') : t(key);
}

// The members of the project and the people its fields name, each once.
function people(project, fields) {
  const list = (project.info.members ?? []).map((m) => ({ subject: m.subject, role: m.role }));
  for (const role of ['elu_referent', 'referent_technique']) {
    if (fields[role] && !list.some((p) => p.subject === fields[role])) list.push({ subject: fields[role], role });
  }
  return list.length
    ? h('ul', {}, list.map((p) => h('li', {}, p.role ? `${personName(p.subject)} (${roleName(p.role)})` : personName(p.subject))))
    : h('p', {}, t('members_none'));
}

function indicators(def, list) {
  if (!list.length) return h('p', {}, t('none'));
  const kind = propertyOf(propertyOf(def.state, 'indicateurs')?.items, 'indicateur');
  return h('table', { class: 'indicators' },
    h('thead', {}, h('tr', {}, [t('indicator_col_name'), t('indicator_col_value'), t('indicator_col_period')]
      .map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, list.map((i) => h('tr', {},
      h('td', {}, choiceLabel(kind, i.indicateur)), h('td', { class: 'num' }, String(i.valeur)), h('td', {}, i.periode ?? '')))));
}
