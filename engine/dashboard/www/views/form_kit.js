// The workbench's forms (programme, action, partner, person): fields made
// from a JSON schema whose properties carry their labels (as a workflow's
// event fields do, so record_form.js builds them), checked before sending
// (lib/field_check.js, plus the form's own checks), the server's refusal in
// words (lib/refusal.js) with each field's mistake next to the field.
import { t, lang } from '../lib/i18n.js';
import { h, replace } from '../lib/dom.js';
import { describeFailure } from '../lib/refusal.js';
import { checkFields } from '../lib/field_check.js';
import { schemaFields, readFields, showFieldErrors, clearFieldErrors } from './record_form.js';
import { wt } from '../lib/workbench_i18n.js';

// A property's labels in the current language (label() reads them).
export const words = (key, params) => ({ [lang()]: wt(key, params) });

// The id pattern of docs/openapi.yaml (Id).
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// "Identifiant : lettres, chiffres..." when data[name] is not an id.
export function idMistake(schema, data, name) {
  if (data[name] === undefined || ID_PATTERN.test(data[name])) return [];
  return [{ field: name, text: wt('id_format', { label: schema.properties[name].labels[lang()] }) }];
}

export function emailMistake(schema, data, name) {
  if (data[name] === undefined || EMAIL_PATTERN.test(data[name])) return [];
  return [{ field: name, text: wt('email_format', { label: schema.properties[name].labels[lang()] }) }];
}

// Sets the inputs of schemaFields to values (absent ones left as they are).
export function fillFields(container, schema, values) {
  for (const [name, prop] of Object.entries(schema.properties)) {
    const input = container.querySelector(`[name="${name}"]`);
    const value = values?.[name];
    if (!input || value === undefined || value === null) continue;
    if (prop.type === 'boolean') input.checked = Boolean(value);
    else if (Array.isArray(value)) input.value = value.join('\n');
    else input.value = String(value);
  }
}

// A form in a card. schema: the fields; extra: nodes after the fields
// (read by readExtra()); check(data) -> [{field, text}] beyond the schema's;
// send(data) -> Promise (the API call); onDone(result, data) after a
// success. values: initial values; locked: names shown read-only (an id
// being edited). Returns {element, form}.
export function schemaForm({
  id, title, intro, schema, submitLabel, values, locked = [], extra = [], readExtra = () => ({}),
  check = () => [], send, onDone, headingLevel = 'h2',
}) {
  const fields = h('div', { class: 'fields' }, schemaFields(schema, id));
  fillFields(fields, schema, values);
  for (const name of locked) fields.querySelector(`[name="${name}"]`)?.setAttribute('readonly', '');
  const outcome = h('div', { class: 'outcome', role: 'alert', id: `${id}-outcome` });
  const submit = h('button', { type: 'submit', class: 'primary', id: `${id}-submit` }, submitLabel);
  const form = h('form', { novalidate: true, id, 'aria-labelledby': `${id}-heading` },
    h('p', { class: 'muted' }, wt('form_required_note')), fields, extra, submit, outcome);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    outcome.replaceChildren();
    clearFieldErrors(form);
    const raw = {};
    const data = { ...readFields(fields, schema, raw), ...readExtra() };
    const mistakes = [...checkFields(schema, data, raw), ...check(data)];
    if (mistakes.length) {
      showFieldErrors(form, mistakes);
      form.querySelector('[aria-invalid="true"]')?.focus();  // the first in the page's order
      const elsewhere = mistakes.filter((m) => !fields.querySelector(`[data-field="${m.field}"]`));
      replace(outcome, h('div', { class: 'refusal' }, h('p', {}, t('check_fix_fields')),
        elsewhere.length ? h('ul', {}, elsewhere.map((m) => h('li', {}, m.text))) : null));
      return;
    }
    submit.disabled = true;
    try {
      const result = await send(data);
      await onDone?.(result, data);
    } catch (failure) {
      const said = describeFailure(failure);
      replace(outcome, h('div', { class: 'refusal', id: `${id}-refusal` },
        said.title ? h('strong', {}, said.title) : null,
        h('p', {}, wt('form_refused', { sentence: said.sentence })),
        said.technical ? h('details', {}, h('summary', {}, t('details_label')), h('code', {}, said.technical)) : null));
      showFieldErrors(form, said.fields ?? []);
    } finally {
      submit.disabled = false;
    }
  });
  // The heading's id ends in -heading: field ids are `${id}-${field}` (a field may be named title).
  const element = h('section', { class: 'card workbench-form', 'aria-labelledby': `${id}-heading` },
    h(headingLevel, { id: `${id}-heading` }, title), intro ? h('p', {}, intro) : null, form);
  return { element, form };
}

// A group of checkboxes (a fieldset with its legend), one per [value, text].
export function checkboxGroup(id, legend, choices, checked = []) {
  return h('fieldset', { class: 'checkboxes', id, 'data-field': id },
    h('legend', {}, legend),
    h('ul', {}, choices.map(([value, text], i) => h('li', {},
      h('input', { type: 'checkbox', id: `${id}-${i}`, value, checked: checked.includes(value) }),
      h('label', { class: 'inline', for: `${id}-${i}` }, text)))));
}

export function checkedValues(group) {
  return [...group.querySelectorAll('input[type="checkbox"]:checked')].map((c) => c.value);
}
