// The form a coordinator (or any role the workflow allows) records an event
// with: the events the current phase accepts for the caller's roles, the
// fields of the chosen event generated from its data schema, checked before
// sending (lib/field_check.js), the answer in words (a refusal names the
// workflow's reason, and each field's mistake next to the field).
import { t, label } from '../lib/i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { describeFailure } from '../lib/refusal.js';
import { checkFields } from '../lib/field_check.js';
import { fieldLabel, choiceLabel, pathLabel } from '../lib/schema_labels.js';

// Events whose `phases` (or any open phase) include phase and whose roles
// meet the caller's, excluding those only timers fire.
export function recordableEvents(def, project, roles) {
  const phase = def.phases.find((p) => p.id === project.state.phase);
  if (!phase || phase.terminal) return [];
  return def.events.filter((e) => (e.any_open_phase || e.phases.includes(phase.id))
    && e.roles.some((r) => roles.includes(r)));
}

// getProject() gives the project as last loaded (its version for If-Match);
// onRecorded() runs after a success.
export function recordForm(def, getProject, { roles, toast, onRecorded }) {
  const section = h('section', { class: 'card record', 'aria-labelledby': 'record-title' });
  const fields = h('div', { class: 'fields' });
  const outcome = h('div', { class: 'outcome', role: 'alert' });
  const select = h('select', { id: 'record-type', name: 'type', required: true });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'record-submit' }, t('record_submit'));
  const form = h('form', { novalidate: true },
    h('label', { for: 'record-type' }, t('record_type')), select, fields, submit);

  function fillTypes() {
    const chosen = select.value;
    const events = recordableEvents(def, getProject(), roles);
    replace(select, h('option', { value: '' }, t('record_choose')),
      events.map((e) => h('option', { value: e.type, selected: e.type === chosen }, label(e.labels, e.type))));
    if (!events.some((e) => e.type === chosen)) replace(fields);
    section.hidden = events.length === 0;
  }

  select.addEventListener('change', () => {
    const event = def.events.find((e) => e.type === select.value);
    replace(fields, event ? schemaFields(event.schema) : []);
    outcome.replaceChildren();
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    outcome.replaceChildren();
    const event = def.events.find((x) => x.type === select.value);
    if (!event) { select.focus(); return; }
    clearFieldErrors(fields);
    const raw = {};
    const data = readFields(fields, event.schema, raw);
    const mistakes = checkFields(event.schema, data, raw);
    if (mistakes.length) {
      showFieldErrors(fields, mistakes);
      replace(outcome, h('div', { class: 'refusal', id: 'refusal' }, h('p', {}, t('check_fix_fields'))));
      return;
    }
    const project = getProject();
    submit.disabled = true;
    try {
      await api.post(`/v1/projects/${api.enc(project.info.id)}/events`, { type: event.type, data },
        { headers: { 'If-Match': `"${project.version}"` } });
      toast(t('record_done', { label: label(event.labels, event.type) }));
      select.value = '';
      replace(fields);
      await onRecorded();
    } catch (failure) {
      const phaseLabel = (id) => label(def.phases.find((p) => p.id === id)?.labels, id);
      const said = describeFailure(failure, { phaseLabel, pathLabel: (path) => pathLabel(def, event.type, path) });
      replace(outcome, h('div', { class: 'refusal', id: 'refusal' },
        said.title ? h('strong', {}, said.title) : null,
        h('p', {}, said.sentence),
        said.unmet.length > 1 ? h('ul', { class: 'unmet', id: 'refusal-unmet' }, said.unmet.map((x) => h('li', {}, x))) : null,
        said.technical ? h('details', {}, h('summary', {}, t('details_label')), h('code', {}, said.technical)) : null));
      // The event's own data only: an invalid_state names state fields, not the form's.
      if (failure?.problem?.code === 'invalid_data') showFieldErrors(fields, said.fields ?? []);
      if (failure?.status === 409) await onRecorded();
    } finally {
      submit.disabled = false;
    }
  });

  replace(section, h('h2', { id: 'record-title' }, t('record_title')), form, outcome);
  fillTypes();
  return { element: section, update: fillTypes };
}

// Inputs for the properties of an object schema: enums as selects, numbers,
// booleans as checkboxes, lists of strings one per line, text otherwise;
// each named by the file's labels (lib/schema_labels.js). prefix keeps the
// element ids apart when two forms are on one page.
export function schemaFields(schema, prefix = 'field') {
  const required = new Set(schema?.required ?? []);
  return Object.entries(schema?.properties ?? {}).map(([name, prop]) => {
    const id = `${prefix}-${name}`;
    const mark = required.has(name) ? h('span', { class: 'required' }, ` ${t('field_required')}`) : null;
    let input;
    if (prop.enum) {
      input = h('select', { id, name, required: required.has(name) },
        h('option', { value: '' }, t('record_choose')), prop.enum.map((v) => h('option', { value: v }, choiceLabel(prop, v))));
    } else if (prop.type === 'number' || prop.type === 'integer') {
      input = h('input', { id, name, type: 'number', step: prop.type === 'integer' ? 1 : 'any', required: required.has(name) });
    } else if (prop.type === 'boolean') {
      input = h('input', { id, name, type: 'checkbox' });
    } else if (prop.type === 'array') {
      input = h('textarea', { id, name, rows: 2 });
    } else {
      const long = (prop.maxLength ?? 0) > 200;
      input = long ? h('textarea', { id, name, rows: 3, required: required.has(name) })
        : h('input', { id, name, type: 'text', required: required.has(name), maxlength: prop.maxLength });
    }
    return h('div', { class: 'field', 'data-field': name }, h('label', { for: id }, fieldLabel(schema, name), mark), input);
  });
}

// The values of schemaFields' inputs, typed by the schema; empty ones left
// out. Texts typed in number fields that do not read as numbers (a decimal
// comma reads) are left out too and put in `raw`, for the check's words.
export function readFields(container, schema, raw = {}) {
  const data = {};
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    const input = container.querySelector(`[name="${name}"]`);
    if (!input) continue;
    if (prop.type === 'boolean') { data[name] = input.checked; continue; }
    const value = input.value.trim();
    if (value === '') continue;
    if (prop.type === 'number' || prop.type === 'integer') {
      const n = Number(value.replace(',', '.'));
      if (Number.isNaN(n)) raw[name] = value;
      else data[name] = n;
    } else if (prop.type === 'array') data[name] = value.split('\n').map((v) => v.trim()).filter(Boolean);
    else data[name] = value;
  }
  return data;
}

// Each mistake ({field, text}) under its field, the field marked invalid;
// the first one focused. Mistakes of fields the form does not show stay in
// the refusal's sentence.
export function showFieldErrors(container, mistakes) {
  let first = null;
  for (const { field, text } of mistakes) {
    const box = [...container.querySelectorAll('[data-field]')].find((el) => el.dataset.field === field);
    if (!box) continue;
    box.append(h('p', { class: 'field-error', role: 'alert' }, text));
    const input = box.querySelector('input, select, textarea');
    input?.setAttribute('aria-invalid', 'true');
    first ??= input;
  }
  first?.focus();
}

export function clearFieldErrors(container) {
  for (const p of container.querySelectorAll('.field-error')) p.remove();
  for (const input of container.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}
