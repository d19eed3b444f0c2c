// The network page (#/network): for a body that oversees many programmes,
// the programmes it sees grouped by region (GET /v1/network), each with its
// actions, late actions and by how much, indicators and milestones; every
// programme links to its page.
import { h, replace } from '../lib/dom.js';
import { label } from '../lib/i18n.js';
import { wt, yearsText } from '../lib/workbench_i18n.js';
import * as api from '../lib/api.js';
import { exportsCard } from './exports.js';

function lateText(figures) {
  if (!figures.late) return '0';
  const detail = Object.entries(figures.late_by_years).sort((a, b) => Number(b[0]) - Number(a[0]))
    .map(([years, n]) => `${n} × ${yearsText(Number(years))}`).join(', ');
  return wt('network_late_detail', { n: figures.late, detail });
}

function indicatorsText(figures) {
  return Object.entries(figures.indicators).map(([k, v]) => `${k.replaceAll('_', ' ')} : ${v}`).join(' · ') || '—';
}

function phasesText(figures, phaseLabels) {
  return Object.entries(figures.phases).map(([p, n]) => `${label(phaseLabels[p], p)} ${n}`).join(' · ') || '—';
}

function row(name, figures, phaseLabels, { link, header = false } = {}) {
  const m = figures.milestones;
  const cell = header ? 'th' : 'td';
  return h('tr', {},
    h(cell, header ? { scope: 'row' } : {}, link ? h('a', { href: link.replace('/ui/index.html', '') }, name) : name),
    h('td', { class: 'num' }, String(figures.actions)),
    h('td', {}, phasesText(figures, phaseLabels)),
    h('td', { class: figures.late ? 'has-late' : '' }, lateText(figures)),
    h('td', {}, indicatorsText(figures)),
    h('td', { class: 'num' }, `${m.scheduled} / ${m.held} / ${m.overdue}`));
}

export async function render(ctx) {
  const body = await api.get('/v1/network');
  const head = h('tr', {}, ...[wt('network_programme'), wt('network_actions'), wt('network_phases'),
    wt('network_late'), wt('network_indicators'), wt('network_reviews')].map((x) => h('th', { scope: 'col' }, x)));
  const sections = body.regions.map((r, i) => h('section', { class: 'card region', 'aria-labelledby': `region-${i}` },
    h('h2', { id: `region-${i}` }, r.name),
    h('div', { class: 'table-scroll' }, h('table', {},
      h('thead', {}, head.cloneNode(true)),
      h('tbody', {}, r.programmes.map((p) => row(p.title || p.id, p, body.phase_labels, { link: p.link }))),
      h('tfoot', {}, row(wt('network_total'), r.totals, body.phase_labels, { header: true }))))));
  replace(ctx.main, h('div', { class: 'network' },
    h('h1', {}, wt('network_title')),
    h('p', { class: 'hint' }, wt('network_intro')),
    h('p', { class: 'no-print' }, h('button', { type: 'button', id: 'network-print', onclick: () => window.print() }, wt('report_print'))),
    body.regions.length ? sections : h('p', {}, wt('network_none')),
    body.regions.length > 1 ? h('p', { class: 'network-total' },
      `${wt('network_total')} : ${body.totals.programmes} × ${wt('network_programme').toLowerCase()}, ` +
      `${body.totals.actions} × ${wt('network_actions').toLowerCase()}, ${lateText(body.totals)}`) : null,
    exportsCard('/v1/network/exports/', 'network', ctx.toast)));
  return { relevant: () => false, refresh: () => render(ctx) };
}
