// The audit stream of access changes (admins): who changed whose access,
// when, oldest first, a page at a time.
import { formatDateTime } from '../lib/i18n.js';
import { at } from '../lib/accounts_i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';

const PAGE = 100;

export async function render(ctx) {
  const page = h('section', { class: 'audit', 'aria-labelledby': 'audit-title' });
  replace(ctx.main, page);
  let after = 0;

  async function load() {
    const body = await api.get(`/v1/audit?limit=${PAGE}&after=${after}`);
    const rows = (body.items ?? []).map((e) => h('tr', {},
      h('td', {}, formatDateTime(e.metadata?.recorded_at)), h('td', {}, e.metadata?.actor ?? ''),
      h('td', {}, e.type), h('td', {}, e.data?.person ?? '')));
    const more = h('button', { type: 'button', hidden: body.next_after == null }, at('audit_more'));
    more.addEventListener('click', () => { after = body.next_after; load(); });
    replace(page, h('h1', { id: 'audit-title' }, at('audit_title')),
      h('table', { id: 'audit-list' }, h('thead', {}, h('tr', {}, h('th', {}, at('audit_col_when')),
        h('th', {}, at('audit_col_who')), h('th', {}, at('audit_col_what')), h('th', {}, at('audit_col_person')))),
      h('tbody', {}, ...rows)), more);
  }
  await load();
  return { relevant: () => false, refresh: load };
}
