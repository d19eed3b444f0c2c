// The words a workflow file gives its state fields, event fields and enum
// choices (the JSON Schema keywords `labels` and `enum_labels`,
// docs/workflow-language.md section 4), in the current language. Where the
// file gives none, the identifier is shown with spaces for underscores, so
// a gap is visible but still readable.
import { label } from './i18n.js';

export function readable(id) {
  return String(id).replaceAll('_', ' ');
}

// The schema of property `name` of object schema `schema` (null if none).
export function propertyOf(schema, name) {
  return schema?.properties?.[name] ?? null;
}

// The label of property `name` of object schema `schema`.
export function fieldLabel(schema, name) {
  return label(propertyOf(schema, name)?.labels, readable(name));
}

// The label of choice `value` of an enum property schema `prop`.
export function choiceLabel(prop, value) {
  const labels = prop?.enum_labels?.[String(value)];
  return label(labels, readable(value));
}

// A value as people read it: an enum choice by its label, the items of a
// list each so, an object's members with their labels.
export function valueText(prop, value) {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.map((v) => valueText(prop?.items, v)).join(', ');
  if (typeof value === 'object') return summarise(prop, value);
  if (prop?.enum) return choiceLabel(prop, value);
  return String(value);
}

// "Nom : X · Nature : Association": the members of data named with the
// labels of object schema `schema`; pair(name, value) words one member.
export function summarise(schema, data, pair = (name, value) => `${name} : ${value}`) {
  if (!data || typeof data !== 'object') return '';
  const parts = [];
  for (const [key, value] of Object.entries(data)) {
    if (value === null || value === undefined || value === '') continue;
    if (typeof value === 'object' && Object.keys(value).length === 0) continue;
    parts.push(pair(fieldLabel(schema, key), valueText(propertyOf(schema, key), value)));
  }
  return parts.join(' · ');
}

// The label of a guard's path ("state.porteur", "event.montant",
// "state.porteur.nature"), from the state schema or the event's data
// schema; null for any other root (project.phase, actor.partner...), whose
// words belong to the page.
export function pathLabel(def, eventType, path) {
  const [root, ...members] = String(path).split('.');
  let schema = null;
  if (root === 'state') schema = def?.state ?? null;
  else if (root === 'event') schema = def?.events?.find((e) => e.type === eventType)?.schema ?? null;
  else return null;
  if (members.length === 0) return null;
  const names = [];
  for (const member of members) {
    names.push(fieldLabel(schema, member));
    schema = propertyOf(schema, member);
  }
  return names.join(' › ');
}
