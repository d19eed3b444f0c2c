// "Modifier l'action" on an action's page (coordinators, admins): its title,
// axis and the planned year of each phase, changed in one PATCH
// /v1/projects/{id} (If-Match: the version shown), which the server records
// as project_details_changed with its author. The programme's axes are read
// when the card is opened.
import { h, replace } from '../lib/dom.js';
import { label } from '../lib/i18n.js';
import { wt } from '../lib/workbench_i18n.js';
import { describeFailure } from '../lib/refusal.js';
import * as api from '../lib/api.js';

const FIRST_YEAR = 1900;
const LAST_YEAR = 9999;

// The workflow's plan keys, in phase order: [{key, labels}].
function planKeys(def) {
  const seen = new Map();
  for (const ph of def.phases ?? []) {
    if (ph.terminal) continue;
    const key = ph.planned_year_key ?? ph.id;
    if (!seen.has(key)) seen.set(key, ph.labels);
  }
  return [...seen].map(([key, labels]) => ({ key, labels }));
}

export function editActionCard(project, def, { toast, onChanged }) {
  const details = h('details', { class: 'card edit-action', id: 'edit-action' },
    h('summary', {}, wt('edit_action_title')));
  let drawn = false;
  details.addEventListener('toggle', async () => {
    if (!details.open || drawn) return;
    drawn = true;
    let axes = [];
    try {
      axes = project.info.programme ? (await api.get(`/v1/programmes/${api.enc(project.info.programme)}`)).definition.axes ?? [] : [];
    } catch { /* the axis stays as it is */ }
    details.append(form(project, def, axes, { toast, onChanged }));
    document.getElementById('edit-action-title')?.focus();
  });
  return details;
}

function form(project, def, axes, { toast, onChanged }) {
  const title = h('input', { id: 'edit-action-title', value: project.info.title ?? '', maxlength: 200, required: true });
  const axis = h('select', { id: 'edit-action-axis' },
    axes.map((a) => h('option', { value: a.id, selected: a.id === project.info.axis }, `${a.id} · ${a.title ?? ''}`)));
  if (!axes.some((a) => a.id === project.info.axis)) axis.prepend(h('option', { value: project.info.axis ?? '', selected: true }, project.info.axis ?? '—'));
  const years = planKeys(def).map(({ key, labels }) => ({
    key,
    input: h('input', { type: 'number', id: `edit-year-${key}`, min: FIRST_YEAR, max: LAST_YEAR, value: project.info.planned_years?.[key] ?? '' }),
    labels,
  }));
  const error = h('p', { class: 'error', role: 'alert', id: 'edit-action-error' });
  const f = h('form', { novalidate: true, class: 'edit-action-form' },
    h('label', { for: 'edit-action-title' }, wt('edit_action_name')), title,
    h('label', { for: 'edit-action-axis' }, wt('edit_action_axis')), axis,
    h('fieldset', {}, h('legend', {}, wt('edit_action_years')),
      years.map(({ key, input, labels }) => h('p', {}, h('label', { for: input.id }, label(labels, key)), ' ', input))),
    h('button', { type: 'submit', class: 'primary' }, wt('edit_action_save')), error);
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const planned = {};
    for (const { key, input, labels } of years) {
      if (input.value === '') continue;
      const y = Number(input.value);
      if (!Number.isInteger(y) || y < FIRST_YEAR || y > LAST_YEAR) {
        replace(error, wt('edit_action_bad_year', { phase: label(labels, key), first: FIRST_YEAR, last: LAST_YEAR }));
        input.focus();
        return;
      }
      planned[key] = y;
    }
    if (!title.value.trim()) { replace(error, wt('edit_action_need_title')); title.focus(); return; }
    replace(error);
    try {
      await api.call('PATCH', `/v1/projects/${api.enc(project.info.id)}`,
        { title: title.value.trim(), axis: axis.value, planned_years: planned },
        { headers: { 'If-Match': `"${project.version}"` } });
      toast(wt('edit_action_saved'));
      onChanged();
    } catch (failure) {
      replace(error, describeFailure(failure).sentence);
    }
  });
  return f;
}
