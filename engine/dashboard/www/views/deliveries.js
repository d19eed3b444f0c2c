// The deliveries to partners: for each webhook endpoint, what was received,
// what waits, what failed for good (with a button to send it again).
import { t, label, formatDateTime } from '../lib/i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { describeFailure } from '../lib/refusal.js';

const LATEST_ATTEMPTS = 10;
// Attempts and dead letters make no live event: the page re-reads this often.
const POLL_MS = 3000;
const ATTEMPT_PAGE = 100;
const ATTEMPT_MAX_PAGES = 20;

export async function render(ctx) {
  const page = h('section', { class: 'deliveries', 'aria-labelledby': 'deliveries-title' });
  let names = new Map();
  let partners = new Map();
  const eventName = (type) => names.get(type) ?? (t(`event_${type}`) === `event_${type}` ? type : t(`event_${type}`));
  replace(ctx.main, page);

  async function load() {
    try {
      const endpoints = (await api.get('/v1/webhooks/endpoints?limit=100')).endpoints ?? [];
      names = await eventNames(ctx);
      partners = await api.partnerNames().catch(() => new Map());
      const blocks = await Promise.all(endpoints.map(async (e) => {
        const base = `/v1/webhooks/endpoints/${api.enc(e.id)}`;
        const [attempts, pending, dead] = await Promise.all([
          allAttempts(base), api.get(`${base}/deliveries?limit=100`),
          api.get(`/v1/webhooks/dead-letters?endpoint=${api.enc(e.id)}&limit=100`)]);
        return { endpoint: e, attempts, pending: pending.deliveries ?? [], dead: dead.dead_letters ?? [] };
      }));
      replace(page,
        h('h1', { id: 'deliveries-title' }, t('deliveries_title')),
        h('p', { class: 'subtitle' }, t('deliveries_intro')),
        blocks.length ? blocks.map(block) : h('p', {}, t('endpoints_none')));
    } catch (failure) {
      replace(page, h('h1', { id: 'deliveries-title' }, t('deliveries_title')),
        h('p', { class: 'error', role: 'alert' }, describeFailure(failure).sentence));
    }
  }

  function block({ endpoint, attempts, pending, dead }) {
    const latest = attempts.slice(-LATEST_ATTEMPTS).reverse();
    const titleId = `endpoint-${endpoint.id}`;
    return h('section', { class: 'card endpoint', 'aria-labelledby': titleId, 'data-endpoint': endpoint.id },
      h('h2', { id: titleId }, t('endpoint_title', { partner: partners.get(endpoint.partner) ?? endpoint.partner, url: endpoint.url }),
        ' ', h('span', { class: `badge ${endpoint.active === false ? 'late' : 'ok'}` },
          endpoint.active === false ? t('endpoint_disabled') : t('endpoint_active'))),
      endpoint.active === false ? h('p', {}, t('endpoint_disabled_help'), ' ', h('button', {
        type: 'button', class: 'small', 'aria-label': `${t('reenable')} — ${endpoint.partner}`,
        onclick: async (e) => {
          e.currentTarget.disabled = true;
          try {
            await api.patch(`/v1/webhooks/endpoints/${api.enc(endpoint.id)}`, { active: true });
            ctx.toast(t('reenable_done'));
            await load();
          } catch (failure) {
            ctx.toast(describeFailure(failure).sentence);
          }
        },
      }, t('reenable'))) : null,
      h('p', {}, t('endpoint_pending', { n: pending.length }), ' · ',
        h('span', { class: dead.length ? 'count-dead' : '' }, t('endpoint_dead', { n: dead.length }))),
      h('table', { class: 'attempts' },
        h('caption', {}, t('attempts_title')),
        h('thead', {}, h('tr', {}, [t('attempt_col_when'), t('attempt_col_event'), t('attempt_col_status'), t('attempt_col_outcome')]
          .map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, latest.map((a) => h('tr', { class: a.outcome === 'delivered' ? '' : 'row-failed' },
          h('td', {}, formatDateTime(a.at)),
          h('td', {}, `${eventName(a.type)} · ${a.project}`),
          h('td', {}, a.status ? String(a.status) : (a.excerpt || '—')),
          h('td', {}, h('span', { class: `badge ${a.outcome === 'delivered' ? 'ok' : 'late'}` }, outcomeText(a.outcome))))))),
      dead.length ? h('table', { class: 'dead' },
        h('caption', {}, t('dead_title')),
        h('thead', {}, h('tr', {}, [t('dead_col_since'), t('attempt_col_event'), t('attempt_col_error'), ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, dead.map((d) => h('tr', { 'data-dead': d.id },
          h('td', {}, formatDateTime(d.dead_at)),
          h('td', {}, `${eventName(d.type)} · ${d.project}`),
          h('td', {}, d.last_status ? String(d.last_status) : (d.last_error || '')),
          h('td', {}, h('button', {
            type: 'button', class: 'small', 'aria-label': `${t('replay')} — ${eventName(d.type)} · ${d.project}`,
            onclick: async (e) => {
              e.currentTarget.disabled = true;
              try {
                await api.post(`/v1/webhooks/dead-letters/${api.enc(d.id)}/replay`, {});
                ctx.toast(t('replay_done'));
                await load();
              } catch (failure) {
                ctx.toast(describeFailure(failure).sentence);
              }
            },
          }, t('replay'))))))) : h('p', {}, t('dead_none')));
  }

  await load();
  const timer = setInterval(load, POLL_MS);
  return {
    relevant: (event) => (event.data?.stream ?? '').startsWith('project-') || event.data?.stream === 'relais-webhooks',
    refresh: load,
    dispose: () => clearInterval(timer),
  };
}

// Event types by their workflow labels (every deployed workflow).
async function eventNames(ctx) {
  const names = new Map();
  const workflows = (await api.get('/v1/workflows')).workflows ?? [];
  const defs = await Promise.all(workflows.map((w) => ctx.workflowOf(w.name, w.hash).catch(() => null)));
  for (const def of defs.filter(Boolean)) {
    for (const e of def.events) if (!names.has(e.type)) names.set(e.type, label(e.labels, e.type));
  }
  return names;
}

function outcomeText(outcome) {
  const key = { delivered: 'outcome_delivered', failed: 'outcome_failed', gone: 'outcome_gone', refused: 'outcome_refused' }[outcome];
  return key ? t(key) : outcome;
}

async function allAttempts(base) {
  const all = [];
  let after = '';
  for (let i = 0; i < ATTEMPT_MAX_PAGES; i += 1) {
    const body = await api.get(`${base}/attempts?limit=${ATTEMPT_PAGE}${after ? `&after=${api.enc(after)}` : ''}`);
    all.push(...(body.attempts ?? []));
    if (!body.next_after) break;
    after = body.next_after;
  }
  return all;
}
