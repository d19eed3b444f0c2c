// A new programme (#/new/programme): its id, title, territory, plan years,
// axes (one per line "id ; title ; parent"), the rhythm of the élus'
// reviews; POST /v1/programmes (ProgrammeDefinition of docs/openapi.yaml),
// which the server records as a programme_defined event by its author.
// Coordinators and admins only.
import { t } from '../lib/i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { wt } from '../lib/workbench_i18n.js';
import { schemaForm, words, idMistake } from './form_kit.js';

// The bounds of the plan years (docs/openapi.yaml, indicator years).
const FIRST_YEAR = 1990;
const LAST_YEAR = 2200;
const MAX_REVIEWS_PER_YEAR = 12;

export function programmeSchema() {
  return {
    type: 'object',
    required: ['id', 'title', 'first_year', 'last_year'],
    properties: {
      id: { type: 'string', maxLength: 128, labels: words('programme_id') },
      title: { type: 'string', maxLength: 200, labels: words('programme_title_field') },
      territory: { type: 'array', items: { type: 'string' }, labels: words('programme_territory_field') },
      first_year: { type: 'integer', minimum: FIRST_YEAR, maximum: LAST_YEAR, labels: words('programme_first_year') },
      last_year: { type: 'integer', minimum: FIRST_YEAR, maximum: LAST_YEAR, labels: words('programme_last_year') },
      axes: { type: 'array', items: { type: 'string' }, labels: words('programme_axes_field') },
      per_year: { type: 'integer', minimum: 0, maximum: MAX_REVIEWS_PER_YEAR, labels: words('programme_reviews_per_year') },
      time: { type: 'string', maxLength: 5, labels: words('programme_review_time') },
      public_holidays: { type: 'boolean', labels: words('programme_holidays') },
    },
  };
}

// Lines "2A ; Personnes âgées ; 2" -> [{id, title, parent}] and the
// mistakes found ({field: 'axes', text}).
export function parseAxes(lines) {
  const axes = [];
  const mistakes = [];
  (lines ?? []).forEach((line, i) => {
    const [id, title, parent] = line.split(';').map((s) => s.trim());
    if (!id || !title || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
      mistakes.push({ field: 'axes', text: wt('programme_axis_line', { n: i + 1, line }) });
      return;
    }
    if (parent && !axes.some((a) => a.id === parent)) {
      mistakes.push({ field: 'axes', text: wt('programme_axis_parent', { n: i + 1, parent }) });
      return;
    }
    axes.push(parent ? { id, title, parent } : { id, title });
  });
  return { axes, mistakes };
}

// The form's data as a ProgrammeDefinition.
export function definitionOf(data) {
  const years = [];
  for (let y = data.first_year; y <= data.last_year; y += 1) years.push(y);
  const definition = { id: data.id, title: data.title, plan_years: years, axes: parseAxes(data.axes).axes };
  if (data.territory?.length) definition.territory = data.territory;
  definition.reviews = { per_year: data.per_year ?? 3 };
  if (data.time) definition.reviews.time = data.time;
  definition.public_holidays = Boolean(data.public_holidays);
  return definition;
}

export async function render(ctx) {
  const page = h('section', { class: 'workbench', 'aria-labelledby': 'new-programme-heading' });
  replace(ctx.main, page);
  if (!ctx.canManage) {
    replace(page, h('h1', { id: 'new-programme-heading' }, wt('programme_new_title')), h('p', { class: 'error', role: 'alert' }, t('forbidden')));
    return null;
  }
  const year = new Date().getFullYear();
  const schema = programmeSchema();
  const { element } = schemaForm({
    id: 'new-programme', title: wt('programme_new_title'), headingLevel: 'h1', schema,
    submitLabel: wt('programme_submit'),
    values: { first_year: year, last_year: year + 2, per_year: 3, time: '10:00', public_holidays: true },
    check: (data) => {
      const found = [...idMistake(schema, data, 'id'), ...parseAxes(data.axes).mistakes];
      if (data.first_year && data.last_year && data.last_year < data.first_year) found.push({ field: 'last_year', text: wt('programme_years_order') });
      if (data.time && !/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(data.time)) found.push({ field: 'time', text: wt('programme_time_format') });
      return found;
    },
    send: (data) => api.post('/v1/programmes', definitionOf(data)),
    onDone: (result, data) => {
      ctx.toast(wt('programme_created', { title: data.title }));
      location.hash = `#/programme/${api.enc(data.id)}`;
    },
  });
  replace(page, h('p', {}, h('a', { href: '#/programme' }, wt('form_back'))), element);
  return null;
}
