// The deliveries to partners (#/deliveries?endpoint=&outcome=&since=&until=):
// an overview of every webhook address (partner, state, failures for good),
// and one address's attempts filtered by outcome and period, a page at a
// time, with its waiting deliveries and dead letters (sent again by a
// button). The filters live in the address, so a view can be shared. Nothing
// is polled: the page re-reads when the live stream says something happened:
// an event of an action (its deliveries are queued), an address disabled, or
// a delivery attempt's outcome (a "delivery_attempt" notice, sent once the
// attempt is stored: docs/api.md).
import { t, label, formatDateTime } from '../lib/i18n.js';
import { wt } from '../lib/workbench_i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { describeFailure } from '../lib/refusal.js';

const ATTEMPT_PAGE = 25;
const DEAD_PAGE = 500;
const OUTCOMES = ['delivered', 'failed', 'gone', 'refused'];
const DEFAULT_PERIOD_DAYS = 30;


// The filters in the address: #/deliveries?endpoint=...&outcome=...
function readFilters() {
  const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const day = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v ?? '') ? v : '');
  const outcome = OUTCOMES.includes(q.get('outcome')) ? q.get('outcome') : '';
  return { endpoint: q.get('endpoint') ?? '', outcome, since: day(q.get('since')), until: day(q.get('until')) };
}

function filtersHash(f) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  const text = q.toString();
  return `#/deliveries${text ? `?${text}` : ''}`;
}

function isoDay(date) { return date.toISOString().slice(0, 10); }

export async function render(ctx) {
  const page = h('section', { class: 'deliveries', 'aria-labelledby': 'deliveries-title' });
  const filters = readFilters();
  let names = new Map();
  let partners = new Map();
  let cursor = '';  // the attempts page shown starts after it
  const eventName = (type) => names.get(type) ?? (t(`event_${type}`) === `event_${type}` ? type : t(`event_${type}`));
  replace(ctx.main, page);

  function filterForm(endpoints) {
    const endpointSelect = h('select', { id: 'filter-endpoint', name: 'endpoint' },
      h('option', { value: '' }, wt('dl_all_partners')),
      endpoints.map((e) => h('option', { value: e.id, selected: e.id === filters.endpoint },
        `${partners.get(e.partner) ?? e.partner} — ${e.url}`)));
    const outcomeSelect = h('select', { id: 'filter-outcome', name: 'outcome' },
      h('option', { value: '' }, wt('dl_all_outcomes')),
      OUTCOMES.map((o) => h('option', { value: o, selected: o === filters.outcome }, outcomeText(o))));
    const since = h('input', { type: 'date', id: 'filter-since', name: 'since', value: filters.since });
    const until = h('input', { type: 'date', id: 'filter-until', name: 'until', value: filters.until });
    const form = h('form', { class: 'card filters', role: 'search', 'aria-label': wt('dl_filters') },
      h('label', { for: 'filter-endpoint' }, t('deliveries_partner')), endpointSelect,
      h('label', { for: 'filter-outcome' }, wt('dl_outcome')), outcomeSelect,
      h('label', { for: 'filter-since' }, wt('dl_since')), since,
      h('label', { for: 'filter-until' }, wt('dl_until')), until,
      h('button', { type: 'submit' }, wt('dl_apply')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const next = filtersHash({ endpoint: endpointSelect.value, outcome: outcomeSelect.value, since: since.value, until: until.value });
      if (location.hash === next) load();  // the same view: read it again
      else location.hash = next;
    });
    return form;
  }

  async function load() {
    try {
      const endpoints = (await api.get('/v1/webhooks/endpoints?limit=100')).endpoints ?? [];
      [names, partners] = await Promise.all([eventNames(ctx), api.partnerNames().catch(() => new Map())]);
      const selected = endpoints.find((e) => e.id === filters.endpoint);
      const body = selected ? await endpointCard(selected) : await overview(endpoints);
      replace(page,
        h('h1', { id: 'deliveries-title' }, t('deliveries_title')),
        h('p', { class: 'subtitle' }, t('deliveries_intro')),
        endpoints.length ? [filterForm(endpoints), body] : h('p', {}, t('endpoints_none')));
    } catch (failure) {
      replace(page, h('h1', { id: 'deliveries-title' }, t('deliveries_title')),
        h('p', { class: 'error', role: 'alert' }, describeFailure(failure).sentence));
    }
  }

  // Every address in one table: partner, address, state, dead letters.
  async function overview(endpoints) {
    const dead = (await api.get(`/v1/webhooks/dead-letters?limit=${DEAD_PAGE}`)).dead_letters ?? [];
    const deadBy = new Map();
    for (const d of dead) deadBy.set(d.endpoint, (deadBy.get(d.endpoint) ?? 0) + 1);
    return h('section', { class: 'card', 'aria-labelledby': 'overview-title' },
      h('h2', { id: 'overview-title' }, wt('dl_overview')),
      h('div', { class: 'table-scroll' }, h('table', { class: 'endpoints' },
        h('thead', {}, h('tr', {}, [wt('dl_col_partner'), wt('dl_col_address'), wt('dl_col_state'), wt('dl_col_dead'), ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, endpoints.map((e) => h('tr', { 'data-endpoint-row': e.id },
          h('th', { scope: 'row' }, partners.get(e.partner) ?? e.partner),
          h('td', { class: 'url' }, e.url),
          h('td', {}, stateBadge(e)),
          h('td', { class: deadBy.get(e.id) ? 'count-dead num' : 'num' }, String(deadBy.get(e.id) ?? 0)),
          h('td', {}, h('a', { href: filtersHash({ ...filters, endpoint: e.id }), 'aria-label': `${wt('dl_show')} — ${partners.get(e.partner) ?? e.partner}` }, wt('dl_show')))))))));
  }

  // One address: its state, waiting deliveries, filtered attempts, dead letters.
  async function endpointCard(endpoint) {
    const base = `/v1/webhooks/endpoints/${api.enc(endpoint.id)}`;
    const since = filters.since || isoDay(new Date(Date.now() - DEFAULT_PERIOD_DAYS * 86_400_000));
    const query = new URLSearchParams({ limit: String(ATTEMPT_PAGE), since: `${since}T00:00:00Z` });
    if (filters.until) query.set('until', `${filters.until}T00:00:00Z`);
    if (filters.outcome) query.set('outcome', filters.outcome);
    if (cursor) query.set('after', cursor);
    const [attempts, pending, dead] = await Promise.all([
      api.get(`${base}/attempts?${query}`), api.get(`${base}/deliveries?limit=100`),
      api.get(`/v1/webhooks/dead-letters?endpoint=${api.enc(endpoint.id)}&limit=100`)]);
    const rows = attempts.attempts ?? [];
    const deadRows = dead.dead_letters ?? [];
    const titleId = `endpoint-${endpoint.id}`;
    const period = filters.since ? '' : ` (${wt('dl_period_default', { days: DEFAULT_PERIOD_DAYS })})`;
    return h('section', { class: 'card endpoint', 'aria-labelledby': titleId, 'data-endpoint': endpoint.id },
      h('p', {}, h('a', { href: filtersHash({ ...filters, endpoint: '' }) }, `← ${wt('dl_back')}`)),
      h('h2', { id: titleId }, t('endpoint_title', { partner: partners.get(endpoint.partner) ?? endpoint.partner, url: endpoint.url }),
        ' ', stateBadge(endpoint)),
      endpoint.active === false ? h('p', {}, t('endpoint_disabled_help'), ' ', h('button', {
        type: 'button', class: 'small', 'aria-label': `${t('reenable')} — ${endpoint.partner}`,
        onclick: (e) => act(e, () => api.patch(base, { active: true }), t('reenable_done')),
      }, t('reenable'))) : null,
      h('p', {}, t('endpoint_pending', { n: (pending.deliveries ?? []).length }), ' · ',
        h('span', { class: deadRows.length ? 'count-dead' : '' }, t('endpoint_dead', { n: deadRows.length }))),
      h('div', { class: 'table-scroll' }, h('table', { class: 'attempts' },
        h('caption', {}, `${t('attempts_title')}${period}, ${wt('dl_chronological')}`),
        h('thead', {}, h('tr', {}, [t('attempt_col_when'), t('attempt_col_event'), t('attempt_col_status'), t('attempt_col_outcome')]
          .map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, rows.map((a) => h('tr', { class: a.outcome === 'delivered' ? '' : 'row-failed' },
          h('td', {}, formatDateTime(a.at)),
          h('td', {}, `${eventName(a.type)} · ${a.project}`),
          h('td', {}, a.status ? String(a.status) : (a.excerpt || '—')),
          h('td', {}, h('span', { class: `badge ${a.outcome === 'delivered' ? 'ok' : 'late'}` }, outcomeText(a.outcome)))))))),
      rows.length ? null : h('p', {}, wt('dl_none_in_period')),
      h('p', { class: 'pager' },
        cursor ? h('button', { type: 'button', class: 'small', onclick: () => { cursor = ''; load(); } }, wt('dl_first')) : null, ' ',
        attempts.next_after ? h('button', { type: 'button', class: 'small', id: 'attempts-next',
          onclick: () => { cursor = attempts.next_after; load(); } }, wt('dl_next')) : null),
      deadRows.length ? h('div', { class: 'table-scroll' }, h('table', { class: 'dead' },
        h('caption', {}, t('dead_title')),
        h('thead', {}, h('tr', {}, [t('dead_col_since'), t('attempt_col_event'), t('attempt_col_error'), ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, deadRows.map((d) => h('tr', { 'data-dead': d.id, 'data-dead-at': d.dead_at },
          h('td', {}, formatDateTime(d.dead_at)),
          h('td', {}, `${eventName(d.type)} · ${d.project}`),
          h('td', {}, d.last_status ? String(d.last_status) : (d.last_error || '')),
          h('td', {}, h('button', {
            type: 'button', class: 'small', 'aria-label': `${t('replay')} — ${eventName(d.type)} · ${d.project}`,
            onclick: (e) => act(e, () => api.post(`/v1/webhooks/dead-letters/${api.enc(d.id)}/replay`, {}), t('replay_done')),
          }, t('replay')))))))) : h('p', {}, t('dead_none')));
  }

  // A button's change, then the page re-read now and when its effects arrive.
  async function act(event, change, done) {
    event.currentTarget.disabled = true;
    try {
      await change();
      ctx.toast(done);
      load();
    } catch (failure) {
      ctx.toast(describeFailure(failure).sentence);
    }
  }

  await load();
  return {
    relevant: (event) => event.type === 'delivery_attempt'
      || (event.data?.stream ?? '').startsWith('project-') || event.data?.stream === 'relais-webhooks',
    refresh: load,
  };
}

function stateBadge(endpoint) {
  return h('span', { class: `badge ${endpoint.active === false ? 'late' : 'ok'}` },
    endpoint.active === false ? t('endpoint_disabled') : t('endpoint_active'));
}

// Event types by their workflow labels (every deployed workflow).
async function eventNames(ctx) {
  const names = new Map();
  const workflows = (await api.get('/v1/workflows')).workflows ?? [];
  const defs = await Promise.all(workflows.map((wf) => ctx.workflowOf(wf.name, wf.hash).catch(() => null)));
  for (const def of defs.filter(Boolean)) {
    for (const e of def.events) if (!names.has(e.type)) names.set(e.type, label(e.labels, e.type));
  }
  return names;
}

function outcomeText(outcome) {
  const key = { delivered: 'outcome_delivered', failed: 'outcome_failed', gone: 'outcome_gone', refused: 'outcome_refused' }[outcome];
  return key ? t(key) : outcome;
}
