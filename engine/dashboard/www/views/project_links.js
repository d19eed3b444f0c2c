// How a project is linked to others (docs/workflow-language.md, "Sub-items"
// and "spawned projects"): the parent of a sub-item (info.parent), the
// project a spawned one was created from (info.origin), the projects its
// own transitions created (state.spawned); and its partners as they are now,
// with when each joined or left (events' effects.partners, the coordinators'
// project_partners_changed).
import { t, label, formatDate } from '../lib/i18n.js';
import { readable } from '../lib/schema_labels.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { describeFailure } from '../lib/refusal.js';

// Projects created by one project whose titles are read (the rest are named by id).
export const SPAWNED_TITLES_READ = 50;

// {parent: {project, kind} | null, origin: {project, link, event} | null,
//  spawned: [{project, workflow, link}]} from GET /v1/projects/{id}. Pure.
export function linksOf(project) {
  const info = project?.info ?? {};
  return {
    parent: info.parent?.project ? { project: info.parent.project, kind: info.parent.link ?? '' } : null,
    origin: info.origin?.project ? { project: info.origin.project, link: info.origin.link ?? '', event: info.origin.event ?? '' } : null,
    spawned: (project?.state?.spawned ?? []).filter((s) => s?.project),
  };
}

// The ids the links name, each once, spawned ones limited to SPAWNED_TITLES_READ.
export function linkedIds(links) {
  return [...new Set([links.parent?.project, links.origin?.project,
    ...links.spawned.slice(0, SPAWNED_TITLES_READ).map((s) => s.project)].filter(Boolean))];
}

// Map id -> {title, workflow} of the linked projects the caller may see (a
// project they may not see, or not created yet, is left out).
export async function linkedProjects(links) {
  const found = new Map();
  await Promise.all(linkedIds(links).map(async (id) => {
    try {
      const p = await api.get(`/v1/projects/${api.enc(id)}`);
      found.set(id, { title: p.info.title || id, workflow: p.info.workflow });
    } catch {
      // Not visible to this caller (404) or not created yet: named by id.
    }
  }));
  return found;
}

// A link to a project the caller sees, else its id as text.
function projectRef(id, known, attrs = {}) {
  const p = known.get(id);
  return p ? h('a', { href: `#/action/${api.enc(id)}`, ...attrs }, p.title) : h('span', { class: 'muted', ...attrs }, id);
}

// The lines under the title: "Sous-élément (Participants) de X", "Créé à
// partir de Y (essaimage)". kindLabel(kind) names the parent's kind of children.
export function linkLines(links, known, { kindLabel = readable } = {}) {
  const lines = [];
  if (links.parent) {
    lines.push(h('p', { class: 'project-link', id: 'link-parent' },
      t('link_parent', { kind: kindLabel(links.parent.kind) }), ' ', projectRef(links.parent.project, known)));
  }
  if (links.origin) {
    lines.push(h('p', { class: 'project-link', id: 'link-origin' },
      t('link_origin'), ' ', projectRef(links.origin.project, known),
      links.origin.link ? h('span', { class: 'muted' }, ` (${readable(links.origin.link)})`) : null));
  }
  return lines;
}

// The card of the projects this one created, or null when none.
export function spawnedCard(links, known, workflowLabel = readable) {
  if (!links.spawned.length) return null;
  return h('section', { class: 'card spawned', 'aria-labelledby': 'spawned-title', id: 'spawned' },
    h('h2', { id: 'spawned-title' }, t('spawned_title')),
    h('ul', {}, links.spawned.map((s) => h('li', { 'data-spawned': s.project },
      projectRef(s.project, known),
      h('span', { class: 'muted' }, ` — ${workflowLabel(s.workflow)}${s.link ? `, ${readable(s.link)}` : ''}`)))));
}

// The partners now and how they came: {now: [{id, joined}], left: [{id, at}]},
// joined = {at, by} of the latest event that added the partner (null when
// it was there from the creation), from the history oldest first. The
// current list is the project's info.partners (the runtime applies every
// join and leave to it); `extra` adds ids the state names (a field). Pure.
export function partnerRoster(info, events, extra = []) {
  const now = [...new Set([...(info?.partners ?? []), ...extra])];
  const joined = new Map();
  const leftAt = new Map();
  let current = null;  // the set the history has built so far
  const add = (id, at, by) => { joined.set(id, { at, by }); leftAt.delete(id); };
  const remove = (id, at) => { leftAt.set(id, at); joined.delete(id); };
  for (const e of events ?? []) {
    const at = e.metadata?.recorded_at;
    const by = e.metadata?.actor ?? '';
    if (e.type === 'project_registered') {
      current = new Set(e.data?.partners ?? []);
    } else if (e.type === 'project_partners_changed') {
      const next = new Set(e.data?.partners ?? []);
      for (const id of next) if (!current?.has(id)) add(id, at, by);
      for (const id of current ?? []) if (!next.has(id)) remove(id, at);
      current = next;
    } else {
      const change = e.data?.effects?.partners;
      for (const id of change?.joined ?? []) { if (!current?.has(id)) add(id, at, by); current?.add(id); }
      for (const id of change?.left ?? []) { if (current?.has(id)) remove(id, at); current?.delete(id); }
    }
  }
  return {
    now: now.map((id) => ({ id, joined: joined.get(id) ?? null })),
    left: [...leftAt].filter(([id]) => !now.includes(id)).map(([id, at]) => ({ id, at })),
  };
}

// The partners card: who takes part now (name, id, since when), who left;
// with `edit` ({project, toast, onChanged}), a coordinator's form to change
// the list (PUT /v1/projects/{id}/partners).
export function partnersCard(roster, names, edit = null) {
  const name = (id) => (names.has(id) && names.get(id) !== id ? `${names.get(id)} (${id})` : id);
  return h('section', { class: 'card partners', 'aria-labelledby': 'partners-title', id: 'partners' },
    h('h2', { id: 'partners-title' }, t('partners_title')),
    roster.now.length
      ? h('ul', {}, roster.now.map((p) => h('li', { 'data-partner': p.id },
        name(p.id),
        p.joined ? h('span', { class: 'muted' }, ` — ${t('partner_joined', { date: formatDate(p.joined.at) })}`) : null)))
      : h('p', {}, t('none')),
    roster.left.length
      ? [h('h3', {}, t('partners_left_title')),
        h('ul', { class: 'partners-left' }, roster.left.map((p) => h('li', { 'data-partner': p.id },
          name(p.id), h('span', { class: 'muted' }, ` — ${t('partner_left', { date: formatDate(p.at) })}`))))]
      : null,
    edit ? partnersForm(roster.now.map((p) => p.id), names, name, edit) : null);
}

// A checkbox per partner of the directory (and any current one it does not
// know), the current ones checked; saving replaces the project's list with
// If-Match on the version shown, so a change made meanwhile is a 409 and the
// page reloads instead of overwriting it.
function partnersForm(current, names, name, { project, toast, onChanged }) {
  const ids = [...new Set([...current, ...names.keys()])].sort((a, b) => name(a).localeCompare(name(b)));
  const error = h('p', { class: 'error', role: 'alert', id: 'partners-edit-error' });
  const boxes = ids.map((id) => h('input', { type: 'checkbox', id: `partner-${id}`, value: id, checked: current.includes(id) }));
  const submit = h('button', { type: 'submit', class: 'primary' }, t('partners_edit_submit'));
  const form = h('form', { class: 'partners-edit', novalidate: true },
    h('fieldset', {},
      h('legend', {}, t('partners_edit_legend')),
      h('ul', {}, ids.map((id, i) => h('li', {}, boxes[i], ' ', h('label', { for: `partner-${id}`, class: 'inline' }, name(id)))))),
    submit, error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    replace(error);
    // The current ones keep their order, the new ones follow.
    const checked = new Set(boxes.filter((b) => b.checked).map((b) => b.value));
    const partners = [...current.filter((id) => checked.has(id)), ...[...checked].filter((id) => !current.includes(id))];
    submit.disabled = true;
    try {
      await api.call('PUT', `/v1/projects/${api.enc(project.info.id)}/partners`, { partners },
        { headers: { 'If-Match': `"${project.version}"` } });
      toast(t('partners_edit_done'));
      await onChanged();
    } catch (failure) {
      error.textContent = describeFailure(failure).sentence;
      if (failure?.status === 409) await onChanged();
    } finally {
      submit.disabled = false;
    }
  });
  return h('details', { class: 'partners-edit-box' }, h('summary', {}, t('partners_edit')), form);
}

// A workflow's label by name, from definitions already loaded (name -> def).
export function workflowLabeller(defs) {
  return (name) => label(defs.get(name)?.labels, readable(name));
}
