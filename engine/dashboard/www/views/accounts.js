// Accounts and invitations (coordinators and admins): invite a person,
// change an account's roles, programmes, partner and status, revoke a
// pending invitation. The server decides what each caller may do.
import { formatDateTime } from '../lib/i18n.js';
import { at, splitList } from '../lib/accounts_i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';

export async function render(ctx) {
  const page = h('section', { class: 'accounts', 'aria-labelledby': 'accounts-title' });
  replace(ctx.main, page);

  const input = (id, value = '') => h('input', { id, name: id, value });

  async function load() {
    const [accounts, invitations] = await Promise.all([
      api.get('/v1/accounts').then((b) => b.items ?? []),
      api.get('/v1/invitations?limit=100').then((b) => b.items ?? [])]);
    const email = input('invite-email');
    const roles = input('invite-roles', 'elu');
    const programmes = input('invite-programmes', (ctx.me.programmes ?? []).join(', '));
    const partner = input('invite-partner');
    const result = h('p', { role: 'status', id: 'invite-result' });
    const form = h('form', { class: 'card', id: 'invite-form' },
      h('h2', {}, at('accounts_invite_title')),
      h('label', { for: 'invite-email' }, at('accounts_email')), email,
      h('label', { for: 'invite-roles' }, at('accounts_roles')), roles,
      h('label', { for: 'invite-programmes' }, at('accounts_programmes')), programmes,
      h('label', { for: 'invite-partner' }, at('accounts_partner')), partner,
      h('button', { type: 'submit', class: 'primary' }, at('accounts_invite')), result);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const made = await api.post('/v1/invitations', {
          email: email.value.trim(), roles: splitList(roles.value), programmes: splitList(programmes.value),
          partner: partner.value.trim(),
        });
        await load();
        ctx.toast(at('accounts_invited', { link: made.link }));
      } catch (failure) {
        result.textContent = failure?.message ?? '';
      }
    });

    const accountRows = accounts.map((a) => {
      const r = input(`roles-${a.person}`, (a.roles ?? []).join(', '));
      const p = input(`programmes-${a.person}`, (a.programmes ?? []).join(', '));
      const status = h('select', {}, h('option', { value: 'active' }, at('accounts_active')),
        h('option', { value: 'disabled' }, at('accounts_disabled')));
      status.value = a.status;
      const save = h('button', { type: 'button' }, at('accounts_change'));
      save.addEventListener('click', async () => {
        try {
          await api.call('PUT', `/v1/accounts/${api.enc(a.person)}/access`, {
            roles: splitList(r.value), programmes: splitList(p.value), partner: a.partner, status: status.value,
          });
          ctx.toast(at('accounts_changed', { person: a.person }));
          await load();
        } catch (failure) {
          ctx.toast(failure?.message ?? '');
        }
      });
      const name = [a.civility, a.first_name, a.last_name].filter(Boolean).join(' ');
      return h('tr', {}, h('td', {}, name || a.person, name ? h('br') : '', name ? a.person : ''),
        h('td', {}, r), h('td', {}, p), h('td', {}, status), h('td', {}, save));
    });
    const inviteRows = invitations.map((i) => {
      const revoke = h('button', { type: 'button' }, at('accounts_revoke_invitation'));
      revoke.addEventListener('click', async () => {
        try {
          await api.del(`/v1/invitations/${api.enc(i.id)}`);
          await load();
        } catch (failure) {
          ctx.toast(failure?.message ?? '');
        }
      });
      return h('tr', {}, h('td', {}, i.email), h('td', {}, (i.roles ?? []).join(', ')),
        h('td', {}, (i.programmes ?? []).join(', ')), h('td', {}, formatDateTime(i.expires_at)), h('td', {}, revoke));
    });
    replace(page, h('h1', { id: 'accounts-title' }, at('accounts_title')), form,
      h('h2', {}, at('accounts_list_title')),
      accountRows.length ? h('table', { id: 'account-list' }, h('tbody', {}, ...accountRows)) : h('p', {}, at('accounts_none')),
      h('h2', {}, at('accounts_pending_title')),
      inviteRows.length ? h('table', { id: 'invitation-list' }, h('tbody', {}, ...inviteRows))
        : h('p', {}, at('accounts_none')));
  }
  await load();
  return { relevant: () => false, refresh: load };
}
