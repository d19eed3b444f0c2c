// The checks a form makes before sending, in the same words as the server's
// refusals (engine/workflow/violation_words.cc): required fields, numbers
// where the schema asks for them, their minimum and maximum, the length of
// texts. The server still checks everything; this only spares a round trip
// and says which field to correct, next to it.
import { t, lang } from './i18n.js';
import { fieldLabel } from './schema_labels.js';

// The label of property `name` of `schema`, as a sentence starts with it.
function sentenceLabel(schema, name) {
  const text = fieldLabel(schema, name);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// A number as the current language writes it (a decimal comma in French).
function numberText(n) {
  const text = String(n);
  return lang() === 'fr' ? text.replace('.', ',') : text;
}

// "3 caractères attendus" / "1 saisi": French counts 0 in the singular.
function counted(n, key) {
  const one = n === 1 || (n === 0 && lang() === 'fr');
  return `${n} ${t(`${key}_${one ? 'one' : 'many'}`)}`;
}

function typeOf(value) {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return 'string';
}

// Checks `data` (as the form read it; `raw` holds the texts typed, for
// numbers that did not read as numbers) against object schema `schema`.
// Returns [{field, text}] in the current language, in the schema's order;
// empty when nothing is to correct.
export function checkFields(schema, data, raw = {}) {
  const required = new Set(schema?.required ?? []);
  const found = [];
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    const label = sentenceLabel(schema, name);
    const say = (key, params = {}) => found.push({ field: name, text: t(key, { label, ...params }) });
    const value = data?.[name];
    if (value === undefined || value === null || Number.isNaN(value)) {
      const typed = raw[name];
      if (typed !== undefined && typed !== '' && (prop.type === 'integer' || prop.type === 'number')) {
        say('check_type', { expected: t(`type_${prop.type}`), found: `${t('type_string')} (${quoted(typed)})` });
      } else if (required.has(name)) {
        say('check_required');
      }
      continue;
    }
    if (prop.type === 'integer' || prop.type === 'number') {
      if (typeof value !== 'number' || (prop.type === 'integer' && !Number.isInteger(value))) {
        const kind = typeOf(value);
        say('check_type', { expected: t(`type_${prop.type}`), found: kind === 'string' ? `${t('type_string')} (${quoted(value)})` : t(`type_${kind}`) });
        continue;
      }
      if (typeof prop.minimum === 'number' && value < prop.minimum) say('check_minimum', { value: numberText(value), limit: numberText(prop.minimum) });
      else if (typeof prop.maximum === 'number' && value > prop.maximum) say('check_maximum', { value: numberText(value), limit: numberText(prop.maximum) });
    } else if (typeof value === 'string') {
      const length = [...value].length;
      if (typeof prop.minLength === 'number' && length < prop.minLength) {
        say('check_min_length', { limit: counted(prop.minLength, 'chars_expected'), count: counted(length, 'chars_given') });
      } else if (typeof prop.maxLength === 'number' && length > prop.maxLength) {
        say('check_max_length', { limit: counted(prop.maxLength, 'chars_expected'), count: counted(length, 'chars_given') });
      }
    }
  }
  return found;
}

function quoted(text) {
  return lang() === 'fr' ? `« ${text} »` : `"${text}"`;
}
