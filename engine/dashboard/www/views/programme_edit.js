// "Modifier le programme" (#/edit/programme/{id}, coordinators and admins):
// what describes it (title, region, communes, axes and sub-axes), its plan
// years and the rule of the élus' reviews, changed in one
// PATCH /v1/programmes/{id} (programme_details_changed, with its author).
// A change of plan years or review rule places the calendar again on the
// server, in the same append (docs/programmes.md): the page says so before
// sending, and only sends those members when they changed.
import { h, replace } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { wt } from '../lib/workbench_i18n.js';
import { describeFailure } from '../lib/refusal.js';
import * as api from '../lib/api.js';
import { parseAxes } from './programme_form.js';

const lines = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);
const items = (text) => text.split(/[,;\s]+/).map((x) => x.trim()).filter(Boolean);
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const HOURS = /^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$/;

// The review rule of the form, as a definition's "reviews", and the
// mistakes found (each naming its field in words).
export function reviewRuleOf(fields) {
  const mistakes = [];
  const rule = {};
  const int = (value, min, max, word) => {
    if (value === '') return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      mistakes.push(wt('programme_edit_range', { field: wt(word), min, max }));
      return undefined;
    }
    return n;
  };
  const months = items(fields.months).map((m) => int(m, 1, 12, 'programme_edit_months'));
  if (months.length && months.every((m) => m !== undefined)) {
    rule.months = months;
    rule.day = int(fields.day, 1, 31, 'programme_edit_day') ?? 15;
    rule.per_year = months.length;
  } else if (!months.length) {
    rule.per_year = int(fields.per_year, 0, 12, 'programme_reviews_per_year') ?? 3;
  }
  if (!TIME.test(fields.time)) mistakes.push(wt('programme_time_format'));
  else rule.time = fields.time;
  const duration = int(fields.duration, 5, 480, 'programme_edit_duration');
  if (duration !== undefined) rule.duration_minutes = duration;
  const hours = items(fields.hours);
  for (const span of hours) if (!HOURS.test(span)) mistakes.push(wt('programme_edit_hours_format', { span }));
  if (hours.length) rule.working_hours = hours;
  const max = int(fields.max_per_day, 1, 24, 'programme_edit_max_per_day');
  if (max !== undefined) rule.max_per_day = max;
  return { rule, mistakes };
}

// Two rules alike (same members, same values, lists in order).
const sameRule = (a, b) => JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());

export async function render(ctx) {
  const id = ctx.params[0];
  const page = h('section', { class: 'workbench', 'aria-labelledby': 'edit-programme-heading' });
  replace(ctx.main, page);
  if (!ctx.canManage) {
    replace(page, h('h1', { id: 'edit-programme-heading' }, wt('programme_edit_title', { title: id })),
      h('p', { class: 'error', role: 'alert' }, t('forbidden')));
    return null;
  }
  let def;
  try {
    def = (await api.get(`/v1/programmes/${api.enc(id)}`)).definition;
  } catch (failure) {
    replace(page, h('p', { class: 'error', role: 'alert' }, t('load_failed', { detail: describeFailure(failure).sentence })));
    return null;
  }
  const title = h('input', { id: 'edit-programme-title', type: 'text', value: def.title ?? '', required: true });
  const region = h('input', { id: 'edit-programme-region', type: 'text', value: def.region ?? '' });
  const territory = h('textarea', { id: 'edit-programme-territory', rows: 4 });
  territory.value = (def.territory ?? []).join('\n');
  const axes = h('textarea', { id: 'edit-programme-axes', rows: 8 });
  axes.value = (def.axes ?? []).map((a) => [a.id, a.title ?? '', a.parent ?? ''].filter((x, i) => i < 2 || x).join(' ; ')).join('\n');
  const years = def.plan_years ?? [];
  const first = h('input', { id: 'edit-programme-first-year', type: 'number', min: 1990, max: 2200, value: String(Math.min(...years)) });
  const last = h('input', { id: 'edit-programme-last-year', type: 'number', min: 1990, max: 2200, value: String(Math.max(...years)) });
  const rule = def.reviews ?? {};
  const field = (id, value, attrs = {}) => h('input', { id: `edit-review-${id}`, type: 'text', value: value === undefined ? '' : String(value), ...attrs });
  const review = {
    per_year: field('per-year', rule.per_year ?? 3, { type: 'number', min: 0, max: 12 }),
    months: field('months', (rule.months ?? []).join(', '), { inputmode: 'numeric' }),
    day: field('day', rule.months ? rule.day : '', { type: 'number', min: 1, max: 31 }),
    time: field('time', rule.time ?? '10:00', { inputmode: 'numeric' }),
    duration: field('duration', rule.duration_minutes, { type: 'number', min: 5, max: 480 }),
    hours: field('hours', (rule.working_hours ?? []).join(', ')),
    max_per_day: field('max-per-day', rule.max_per_day, { type: 'number', min: 1, max: 24 }),
  };
  const labelled = (key, word, hint) => h('div', { class: 'cell' }, h('label', { for: review[key].id }, wt(word)), review[key], hint ? h('p', { class: 'hint' }, wt(hint)) : null);
  const error = h('div', { class: 'error', role: 'alert', id: 'edit-programme-error' });
  const form = h('form', { novalidate: true, class: 'card', id: 'edit-programme' },
    h('label', { for: 'edit-programme-title' }, wt('programme_edit_name')), title,
    h('label', { for: 'edit-programme-region' }, wt('programme_edit_region')), region,
    h('label', { for: 'edit-programme-territory' }, wt('programme_edit_territory')), territory,
    h('label', { for: 'edit-programme-axes' }, wt('programme_edit_axes')), axes,
    h('fieldset', { class: 'calendar-rules' }, h('legend', {}, wt('programme_edit_calendar')),
      h('p', { class: 'hint', id: 'edit-programme-calendar-hint' }, wt('programme_edit_replaced')),
      h('div', { class: 'cells' },
        h('div', { class: 'cell' }, h('label', { for: 'edit-programme-first-year' }, wt('programme_first_year')), first),
        h('div', { class: 'cell' }, h('label', { for: 'edit-programme-last-year' }, wt('programme_last_year')), last),
        labelled('per_year', 'programme_reviews_per_year'),
        labelled('months', 'programme_edit_months', 'programme_edit_months_hint'),
        labelled('day', 'programme_edit_day'),
        labelled('time', 'programme_review_time'),
        labelled('duration', 'programme_edit_duration', 'programme_edit_default_hint'),
        labelled('hours', 'programme_edit_hours', 'programme_edit_hours_hint'),
        labelled('max_per_day', 'programme_edit_max_per_day', 'programme_edit_default_hint'))),
    h('button', { type: 'submit', class: 'primary' }, wt('programme_edit_save')), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const parsed = parseAxes(lines(axes.value));
    const mistakes = parsed.mistakes.map((m) => m.text);
    if (!title.value.trim()) mistakes.unshift(wt('programme_edit_need_title'));
    const from = Number(first.value);
    const to = Number(last.value);
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1990 || to > 2200) mistakes.push(wt('programme_edit_years_range'));
    else if (to < from) mistakes.push(wt('programme_years_order'));
    const values = Object.fromEntries(Object.entries(review).map(([k, input]) => [k, input.value.trim()]));
    const checked = reviewRuleOf(values);
    mistakes.push(...checked.mistakes);
    if (mistakes.length) {
      replace(error, mistakes.map((m) => h('p', {}, m)));
      (title.value.trim() ? axes : title).focus();
      return;
    }
    replace(error);
    try {
      const changes = {
        title: title.value.trim(), region: region.value.trim(), territory: lines(territory.value), axes: parsed.axes,
      };
      const planYears = [];
      for (let y = from; y <= to; y += 1) planYears.push(y);
      if (planYears.join() !== years.join()) changes.plan_years = planYears;
      if (!sameRule(checked.rule, rule)) changes.reviews = checked.rule;
      await api.patch(`/v1/programmes/${api.enc(id)}`, changes);
      ctx.toast(wt(changes.plan_years || changes.reviews ? 'programme_edit_saved_placed' : 'programme_edit_saved'));
      location.hash = `#/programme/${api.enc(id)}`;
    } catch (failure) {
      replace(error, h('p', {}, describeFailure(failure).sentence));
    }
  });
  replace(page,
    h('p', {}, h('a', { href: `#/programme/${api.enc(id)}` }, wt('form_back'))),
    h('h1', { id: 'edit-programme-heading' }, wt('programme_edit_title', { title: def.title || id })),
    form);
  return null;
}
