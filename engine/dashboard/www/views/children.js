// The sub-items of a project (GET /v1/projects/{id}/children,
// docs/workflow-language.md "Sub-items"): one block per kind of children
// with its label, the count in each phase of the child's method (phase
// labels), the children the caller may see, each linking to its own page,
// and a form to add one where the caller's roles may create it. The
// children's milestones are merged into the parent's history (mergeHistory).
import { t, label, formatDateTime } from '../lib/i18n.js';
import { readable, fieldLabel } from '../lib/schema_labels.js';
import { schemaFields, readFields, showFieldErrors, clearFieldErrors } from './record_form.js';
import { checkFields } from '../lib/field_check.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { describeFailure } from '../lib/refusal.js';

// Milestones read with the children: the API's largest page by default (api.max_page_size).
export const CHILD_MILESTONES = 500;

// Roles that may create a project when its workflow declares no created_by
// (workflow::CreatorRoles() in the engine).
const DEFAULT_CREATORS = ['coordinator', 'admin'];

// The children route's answer and each kind's current workflow definition
// (kindDefs: Map kind id -> definition or null) as
// [{id, label, workflow, total, open, hidden, phases: [{id, label, n, terminal}],
//   items: [{id, title, phase, phaseLabel, terminal}]}], in the order the
// parent's workflow declares its kinds; phases in the child method's order
// (then any phase only the counts know). Pure: no DOM.
export function childrenModel(body, kindDefs = new Map()) {
  return (body?.kinds ?? []).map((kind) => {
    const def = kindDefs.get(kind.id) ?? null;
    const counts = body.counts?.[kind.id] ?? { total: 0, open: 0, phases: {} };
    const items = (body.children ?? []).filter((c) => c.children === kind.id);
    const phaseLabel = (id) => {
      const inDef = def?.phases?.find((p) => p.id === id);
      if (inDef) return label(inDef.labels, id);
      const item = items.find((c) => c.phase === id && c.phase_labels && Object.keys(c.phase_labels).length);
      return item ? label(item.phase_labels, id) : readable(id);
    };
    const order = (def?.phases ?? []).map((p) => p.id);
    for (const id of Object.keys(counts.phases ?? {})) if (!order.includes(id)) order.push(id);
    const phases = order.map((id) => ({
      id,
      label: phaseLabel(id),
      n: counts.phases?.[id] ?? 0,
      terminal: Boolean(def?.phases?.find((p) => p.id === id)?.terminal),
    }));
    return {
      id: kind.id,
      label: label(kind.labels, readable(kind.id)),
      workflow: kind.workflow,
      total: counts.total ?? 0,
      open: counts.open ?? 0,
      hidden: Math.max(0, (counts.total ?? 0) - items.length),
      phases,
      items: items.map((c) => ({
        id: c.id, title: c.title || c.id, phase: c.phase, phaseLabel: phaseLabel(c.phase), terminal: Boolean(c.terminal),
      })),
    };
  });
}

// Whether roles may create a project of workflow def (its created_by).
export function mayCreate(def, roles) {
  if (!def || (roles ?? []).includes('observer')) return false;
  const creators = def.created_by ?? DEFAULT_CREATORS;
  return (roles ?? []).some((r) => creators.includes(r));
}

// The parent's events and its children's milestones in one list, newest
// first: {source: 'self', at, event} or {source: 'child', at, milestone}.
// Ties keep the parent's event before the child's milestone, events in
// version order. Pure.
export function mergeHistory(events, milestones) {
  const time = (iso) => { const ms = Date.parse(iso ?? ''); return Number.isNaN(ms) ? 0 : ms; };
  const all = [
    ...(events ?? []).map((event, i) => ({ source: 'self', at: event.metadata?.recorded_at, event, rank: 0, i })),
    ...(milestones ?? []).map((milestone, i) => ({ source: 'child', at: milestone.at, milestone, rank: 1, i })),
  ];
  all.sort((a, b) => time(a.at) - time(b.at) || a.rank - b.rank || a.i - b.i);
  return all.reverse().map(({ source, at, event, milestone }) => (source === 'self' ? { source, at, event } : { source, at, milestone }));
}

// The children route and the definitions of its kinds: {model, milestones}.
export async function loadChildren(ctx, projectId) {
  const path = `/v1/projects/${api.enc(projectId)}/children`;
  // A server configured with a smaller api.max_page_size answers 400: its default page then.
  const body = await api.get(`${path}?milestones=${CHILD_MILESTONES}`)
    .catch((failure) => (failure?.status === 400 ? api.get(path) : Promise.reject(failure)));
  const kindDefs = new Map();
  await Promise.all((body.kinds ?? []).map(async (kind) => {
    kindDefs.set(kind.id, await ctx.workflowOf(kind.workflow).catch(() => null));
  }));
  return { model: childrenModel(body, kindDefs), milestones: body.milestones ?? [], kindDefs };
}

// The card; form: the element childForm made (kept across refreshes, so
// what the user is typing survives a live redraw), or null.
export function childrenCard(model, form = null) {
  return h('section', { class: 'card children', 'aria-labelledby': 'children-title', id: 'children' },
    h('h2', { id: 'children-title' }, t('children_title')),
    model.map((kind) => kindBlock(kind)),
    form);
}

// The form adding a child of the kinds the caller's roles may create, or
// null when there is none. onCreated(id) runs after a child was added.
export function childForm(model, { parentId, kindDefs, roles, toast, onCreated }) {
  const creatable = model.filter((k) => mayCreate(kindDefs.get(k.id), roles));
  return creatable.length ? createForm(creatable, { parentId, kindDefs, toast, onCreated }) : null;
}

// The part of a child workflow's state schema its creation must fill: the
// required fields (a person's reference, a round's budget), with their labels.
export function requiredStateSchema(def) {
  const state = def?.state ?? {};
  const required = (state.required ?? []).filter((name) => state.properties?.[name]);
  if (!required.length) return null;
  const properties = Object.fromEntries(required.map((name) => [name, state.properties[name]]));
  return { type: 'object', properties, required };
}

function kindBlock(kind) {
  const headingId = `children-kind-${kind.id}`;
  return h('div', { class: 'child-kind', 'data-kind': kind.id, role: 'group', 'aria-labelledby': headingId },
    h('h3', { id: headingId }, kind.label),
    h('p', { class: 'child-counts' }, t('children_counts_line', { total: kind.total, open: kind.open })),
    h('table', { class: 'compact child-phases' },
      h('caption', { class: 'visually-hidden' }, t('children_phases_caption', { kind: kind.label })),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('children_col_phase')),
        h('th', { scope: 'col', class: 'num' }, t('children_col_count')))),
      h('tbody', {}, kind.phases.map((p) => h('tr', { 'data-phase': p.id, class: p.n ? '' : 'zero' },
        h('th', { scope: 'row' }, p.label, p.terminal ? h('span', { class: 'muted' }, ` (${t('child_phase_end')})`) : null),
        h('td', { class: 'num' }, String(p.n)))))),
    kind.items.length
      ? h('ul', { class: 'child-list', 'aria-label': t('children_list_label', { kind: kind.label }) },
        kind.items.map((c) => h('li', { 'data-child': c.id, 'data-phase': c.phase },
          h('a', { href: `#/action/${api.enc(c.id)}` }, c.title),
          h('span', { class: `badge step${c.terminal ? ' ended' : ''}` }, c.phaseLabel))))
      : h('p', { class: 'muted' }, t('children_none')),
    kind.hidden ? h('p', { class: 'muted child-hidden' }, t('children_hidden', { n: kind.hidden })) : null);
}

// Adds a child: its title, the fields its workflow requires at creation
// and, when the parent has several kinds, which one.
function createForm(kinds, { parentId, kindDefs, toast, onCreated }) {
  const error = h('p', { class: 'error', role: 'alert', id: 'child-create-error' });
  const title = h('input', { id: 'child-title', name: 'title', type: 'text', required: true, maxlength: 200 });
  const kindSelect = kinds.length > 1
    ? h('select', { id: 'child-kind', name: 'kind' }, kinds.map((k) => h('option', { value: k.id }, k.label)))
    : null;
  const submit = h('button', { type: 'submit', class: 'primary' }, t('child_create_submit'));
  const fields = h('div', { class: 'fields' });
  const chosenKind = () => kinds.find((k) => k.id === (kindSelect?.value ?? kinds[0].id));
  const fieldsSchema = () => requiredStateSchema(kindDefs?.get(chosenKind().id));
  const showFields = () => replace(fields, fieldsSchema() ? schemaFields(fieldsSchema(), 'child-field') : []);
  kindSelect?.addEventListener('change', showFields);
  showFields();
  const form = h('form', { class: 'child-create', novalidate: true },
    h('h3', {}, kinds.length > 1 ? t('child_create_title_any') : t('child_create_title', { kind: kinds[0].label })),
    kindSelect ? [h('label', { for: 'child-kind' }, t('child_create_kind')), kindSelect] : null,
    h('label', { for: 'child-title' }, t('child_create_name'), h('span', { class: 'required' }, ` ${t('field_required')}`)),
    title, fields, submit, error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    replace(error);
    const kind = chosenKind();
    const text = title.value.trim();
    if (!text) { error.textContent = t('child_create_empty'); title.focus(); return; }
    const schema = fieldsSchema();
    const raw = {};
    const values = schema ? readFields(fields, schema, raw) : {};
    clearFieldErrors(fields);
    const mistakes = schema ? checkFields(schema, values, raw) : [];
    if (mistakes.length) {
      // Each field's mistake beside it, in the server's words; the first missing one said above.
      const missing = (schema.required ?? []).find((name) => values[name] === undefined);
      error.textContent = missing ? t('child_create_missing', { field: fieldLabel(schema, missing) }) : t('check_fix_fields');
      showFieldErrors(fields, mistakes);
      return;
    }
    submit.disabled = true;
    try {
      const created = await api.post('/v1/projects', {
        workflow: kind.workflow, title: text, parent: { project: parentId, children: kind.id },
        ...(schema ? { fields: values } : {}),
      });
      toast(t('child_created', { title: text, kind: kind.label }));
      title.value = '';
      showFields();
      await onCreated?.(created?.project_id ?? created?.id);
    } catch (failure) {
      const said = describeFailure(failure);
      error.textContent = said.sentence;
      if (failure?.problem?.code === 'invalid_data') showFieldErrors(fields, said.fields);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

// The history's words for a child's milestone: "Participants « Léa M. » :
// Recrutement — passe en Recrutée". kindDefs names the event and phases.
export function childMilestoneCells(milestone, { kindLabel, kindDefs }) {
  const def = kindDefs?.get(milestone.link) ?? null;
  const phaseLabel = (id) => label(def?.phases?.find((p) => p.id === id)?.labels, readable(id));
  const typeDef = def?.events?.find((x) => x.type === milestone.type);
  const what = milestone.from
    ? (typeDef ? label(typeDef.labels, milestone.type) : t(`event_${milestone.type}`))
    : t('child_milestone_created');
  return {
    when: h('time', { datetime: milestone.at }, formatDateTime(milestone.at)),
    who: h('span', { class: 'muted' }, t('child_milestone_who', { kind: kindLabel(milestone.link) })),
    what: [
      h('a', { href: `#/action/${api.enc(milestone.child)}`, class: 'child-ref' }, milestone.title || milestone.child),
      ` — ${what}`,
      h('span', { class: 'moved' }, ` — ${milestone.from
        ? t('moved_to', { phase: phaseLabel(milestone.to) }) : t('child_milestone_in', { phase: phaseLabel(milestone.to) })}`),
    ],
  };
}
