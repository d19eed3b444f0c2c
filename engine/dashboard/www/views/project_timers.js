// The timers armed on a project (GET /v1/projects/{id} `timers`): what each
// one fires, when it falls due, or the time it has left while the project's
// suspension pauses it.
import { t, label, formatDateTime } from '../lib/i18n.js';
import { h } from '../lib/dom.js';

// "P365DT2H" -> { days: 365, hours: 2 } (the API writes days and time only).
function durationParts(iso) {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso ?? '');
  if (!m) return null;
  return { days: Number(m[1] ?? 0), hours: Number(m[2] ?? 0), minutes: Number(m[3] ?? 0) };
}

function remaining(iso) {
  const p = durationParts(iso);
  if (!p) return iso ?? '';
  if (p.days > 0) return t('timer_left_days', { n: p.days });
  if (p.hours > 0) return t('timer_left_hours', { n: p.hours });
  return t('timer_left_minutes', { n: p.minutes });
}

function when(timer) {
  if (timer.paused_remaining !== undefined) return h('span', { class: 'badge suspended' }, t('timer_paused', { left: remaining(timer.paused_remaining) }));
  if (timer.due) return h('time', { datetime: timer.due }, formatDateTime(timer.due));
  return h('span', { class: 'muted' }, t('timer_due_unknown'));
}

// A card listing the timers, soonest first (the API's order).
export function timersCard(timers) {
  const list = timers ?? [];
  return h('section', { class: 'card', 'aria-labelledby': 'timers-title' },
    h('h2', { id: 'timers-title' }, t('timers_title')),
    list.length === 0 ? h('p', {}, t('none'))
      : h('table', { class: 'timers' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, t('timer_col_what')),
          h('th', { scope: 'col' }, t('timer_col_due')))),
        h('tbody', {}, ...list.map((timer) => h('tr', { 'data-timer': timer.id },
          h('td', {}, label(timer.labels, timer.id),
            timer.kind === 'every' ? h('span', { class: 'muted' }, ` · ${t('timer_repeats', { period: timer.period })}`) : null),
          h('td', {}, when(timer)))))));
}
