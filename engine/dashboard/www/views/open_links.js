// The pages the e-mailed links open, before any sign-in:
// #/sign-in/link/<token>: a button that posts the token (a GET never uses it);
// #/invitation/<token>: what the invitation gives, and the form that accepts it.
import { at } from '../lib/accounts_i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';

export const LINK_PATTERN = /^#\/sign-in\/link\/([^/]+)$/;
export const INVITATION_PATTERN = /^#\/invitation\/([^/]+)$/;

export function renderLinkSignIn({ main, token, onSession }) {
  const status = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'button', class: 'primary', id: 'link-consume' }, at('link_submit'));
  button.addEventListener('click', async () => {
    try {
      await api.post('/v1/sign-in/link/consume', { token }, { tokenOverride: '' });
      history.replaceState(null, '', '#/programme');
      await onSession();
    } catch (failure) {
      status.textContent = failure?.message ?? '';
    }
  });
  replace(main, h('section', { class: 'card login' }, h('h1', {}, at('link_title')), h('p', {}, at('link_intro')),
    button, status));
}

export async function renderInvitation({ main, token, onSession }) {
  const status = h('p', { class: 'error', role: 'alert' });
  let invitation;
  try {
    invitation = await api.get(`/v1/invitations/${api.enc(token)}/preview`, { tokenOverride: '' });
  } catch (failure) {
    replace(main, h('section', { class: 'card login' }, h('h1', {}, at('invitation_title')),
      h('p', { class: 'error', role: 'alert' }, failure?.message ?? '')));
    return;
  }
  const field = (id, key, attrs = {}) => [h('label', { for: id }, at(key)), h('input', { id, name: id, ...attrs })];
  const [civilityLabel] = field('inv-civility', 'invitation_civility');
  const civility = h('select', { id: 'inv-civility' }, h('option', { value: '' }, '—'),
    h('option', { value: 'Mme' }, 'Mme'), h('option', { value: 'M.' }, 'M.'));
  civility.value = invitation.civility ?? '';
  const [firstLabel, first] = field('inv-first', 'invitation_first_name', { value: invitation.first_name ?? '' });
  const [lastLabel, last] = field('inv-last', 'invitation_last_name', { value: invitation.last_name ?? '' });
  const [pwLabel, password] = field('inv-password', 'invitation_password',
    { type: 'password', autocomplete: 'new-password' });
  const form = h('form', { class: 'card login', novalidate: true, id: 'invitation-form' },
    h('h1', {}, at('invitation_title')),
    h('p', {}, at('invitation_intro',
      { by: invitation.invited_by, roles: (invitation.roles ?? []).join(', '), email: invitation.email })),
    civilityLabel, civility, firstLabel, first, lastLabel, last, pwLabel, password,
    h('button', { type: 'submit', class: 'primary' }, at('invitation_submit')), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.post(`/v1/invitations/${api.enc(token)}/accept`, {
        civility: civility.value, first_name: first.value.trim(), last_name: last.value.trim(),
        password: password.value || null,
      }, { tokenOverride: '' });
      history.replaceState(null, '', '#/programme');
      await onSession();
    } catch (failure) {
      status.textContent = failure?.message ?? '';
    }
  });
  replace(main, form);
}
