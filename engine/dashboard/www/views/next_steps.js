// The "Ce qui manque pour avancer" card of an action: each step that leads
// out of its phase (GET /v1/projects/{id}/next-steps), possible now or not,
// with every condition in the workflow file's words (met, missing, or
// checked when the event is recorded), and what the state already holds
// (porteur, funding, approvals...) named with the file's labels.
import { h } from '../lib/dom.js';
import { label, lang } from '../lib/i18n.js';
import { wt } from '../lib/workbench_i18n.js';
import { fieldLabel, valueText, propertyOf } from '../lib/schema_labels.js';
import * as api from '../lib/api.js';

function conditionItem(c) {
  const words = c.messages?.[lang()] || c.messages?.fr || wt('missing_condition', { guard: c.guard });
  const state = c.on_record ? 'on-record' : c.met ? 'met' : 'unmet';
  const tag = c.on_record ? wt('missing_on_record') : c.met ? wt('missing_met') : wt('missing_unmet');
  return h('li', { class: `condition ${state}`, 'data-state': state },
    h('span', { class: `badge ${c.met ? 'ok' : c.on_record ? 'info' : 'late'}` }, tag), ' ', words);
}

function stepItem(step) {
  const to = step.to.map((p) => label(p.labels, p.phase)).join(', ');
  return h('li', { class: step.ready ? 'step ready' : 'step blocked', 'data-event': step.event },
    h('p', { class: 'step-title' },
      h('strong', {}, wt('missing_step', { event: label(step.labels, step.event), to })), ' — ',
      h('span', { class: step.ready ? 'badge ok' : 'badge late' }, step.ready ? wt('missing_ready') : wt('missing_blocked'))),
    step.conditions.length ? h('ul', { class: 'conditions' }, step.conditions.map(conditionItem)) : null);
}

// What the state holds, field by field, with the file's labels (empty
// fields are left out: what is missing is said above).
function progressList(def, state) {
  const schema = def?.state ?? {};
  const fields = Object.entries(state?.fields ?? {}).filter(([, v]) => v !== null && v !== undefined &&
    !(Array.isArray(v) && v.length === 0));
  if (!fields.length) return null;
  return h('dl', { class: 'progress' },
    fields.flatMap(([name, value]) => [h('dt', {}, fieldLabel(schema, name)),
      h('dd', {}, valueText(propertyOf(schema, name), value))]));
}

// GET /v1/projects/{id}/next-steps, or {error} when it cannot be read (the
// card then says why; the rest of the page stands).
export async function loadNextSteps(projectId) {
  try {
    return await api.get(`/v1/projects/${api.enc(projectId)}/next-steps`);
  } catch (error) {
    return { error: error?.message ?? '' };
  }
}

// The card from what loadNextSteps gave, the workflow and the state.
export function nextStepsCard(body, def, state) {
  const card = h('section', { class: 'card next-steps', 'aria-labelledby': 'next-steps-title' },
    h('h2', { id: 'next-steps-title' }, wt('missing_title')));
  if (body.error !== undefined) card.append(h('p', { class: 'error' }, body.error));
  else if (!body.steps.length) card.append(h('p', {}, wt('missing_none')));
  else card.append(h('ul', { class: 'steps' }, body.steps.map(stepItem)));
  const progress = progressList(def, state);
  if (progress) card.append(h('h3', {}, wt('missing_progress')), progress);
  return card;
}
