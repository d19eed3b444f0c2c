// "Mes jetons": the caller's personal API tokens, created (shown once),
// listed with their last use, revoked.
import { formatDateTime } from '../lib/i18n.js';
import { at } from '../lib/accounts_i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';

export async function render(ctx) {
  const page = h('section', { class: 'tokens', 'aria-labelledby': 'tokens-title' });
  replace(ctx.main, page);
  let shown = null;  // the token just created, shown once

  async function load() {
    if (!ctx.me.account) {
      replace(page, h('h1', { id: 'tokens-title' }, at('tokens_title')), h('p', {}, at('tokens_no_account')));
      return;
    }
    const tokens = (await api.get('/v1/me/tokens')).items ?? [];
    const name = h('input', { id: 'token-name', name: 'name', required: true, maxlength: 100 });
    const form = h('form', { class: 'card', id: 'token-form' },
      h('label', { for: 'token-name' }, at('tokens_name')), name,
      h('button', { type: 'submit', class: 'primary' }, at('tokens_create')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const made = await api.post('/v1/me/tokens', { name: name.value.trim() });
        shown = made.token;
        await load();
      } catch (failure) {
        ctx.toast(failure?.message ?? '');
      }
    });
    const rows = tokens.map((tok) => {
      const revoke = h('button', { type: 'button', 'data-token-id': tok.id }, at('tokens_revoke'));
      revoke.addEventListener('click', async () => {
        try {
          await api.del(`/v1/me/tokens/${api.enc(tok.id)}`);
          ctx.toast(at('tokens_revoked'));
          shown = null;
          await load();
        } catch (failure) {
          ctx.toast(failure?.message ?? '');
        }
      });
      return h('tr', {}, h('td', {}, tok.name), h('td', {}, formatDateTime(tok.created_at)),
        h('td', {}, tok.last_used_at ? formatDateTime(tok.last_used_at) : at('tokens_never')), h('td', {}, revoke));
    });
    replace(page,
      h('h1', { id: 'tokens-title' }, at('tokens_title')),
      h('p', {}, at('tokens_intro')),
      shown ? h('p', { class: 'card', id: 'token-shown' }, at('tokens_created'), ' ', h('code', {}, shown)) : '',
      form,
      tokens.length === 0 ? h('p', {}, at('tokens_none'))
        : h('table', { id: 'token-list' }, h('thead', {}, h('tr', {}, h('th', {}, at('tokens_col_name')),
          h('th', {}, at('tokens_col_created')), h('th', {}, at('tokens_col_used')), h('th', {}, ''))),
        h('tbody', {}, ...rows)));
  }
  await load();
  return { relevant: () => false, refresh: load };
}
