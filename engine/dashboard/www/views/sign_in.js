// The sign-in page: a password, a link sent by e-mail, or (for machines and
// bootstrap) the pasted token of views/login.js. onSession(me) is called
// once a session cookie is set.
import { t } from '../lib/i18n.js';
import { at } from '../lib/accounts_i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { renderLogin } from './login.js';

export function renderSignIn({ main, signIn, onSession, message }) {
  const email = h('input', { id: 'signin-email', name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'signin-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true,
  });
  const passwordError = h('p', { id: 'signin-error', class: 'error', role: 'alert' }, message ?? '');
  const passwordForm = h('form', { class: 'card login', novalidate: true, id: 'signin-password-form' },
    h('h1', {}, t('login_title')),
    h('h2', {}, at('signin_password_title')),
    h('label', { for: 'signin-email' }, at('signin_email')), email,
    h('label', { for: 'signin-password' }, at('signin_password')), password,
    h('button', { type: 'submit', class: 'primary' }, at('signin_password_submit')),
    passwordError);
  passwordForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!email.value.trim() || !password.value) { passwordError.textContent = at('signin_fill'); return; }
    passwordError.textContent = '';
    try {
      await api.post('/v1/sign-in/password', { email: email.value.trim(), password: password.value },
        { tokenOverride: '' });
      await onSession();
    } catch (failure) {
      passwordError.textContent = failure?.message ?? '';
      password.focus();
    }
  });

  const linkEmail = h('input', { id: 'link-email', name: 'email', type: 'email', autocomplete: 'username' });
  const linkStatus = h('p', { id: 'link-status', role: 'status' });
  const linkForm = h('form', { class: 'card login', novalidate: true, id: 'signin-link-form' },
    h('h2', {}, at('signin_link_title')),
    h('p', {}, at('signin_link_intro')),
    h('label', { for: 'link-email' }, at('signin_email')), linkEmail,
    h('button', { type: 'submit' }, at('signin_link_submit')),
    linkStatus);
  linkForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const answer = await api.post('/v1/sign-in/link', { email: linkEmail.value.trim() }, { tokenOverride: '' });
      linkStatus.textContent = answer?.messages?.[document.documentElement.lang] ?? answer?.messages?.fr ?? '';
    } catch (failure) {
      linkStatus.textContent = failure?.message ?? '';
    }
  });

  const tokenPlace = h('div', { class: 'token-sign-in' });
  const tokenSection = h('details', { class: 'card', id: 'token-sign-in' }, h('summary', {}, at('signin_token_title')),
    tokenPlace);
  // Opening it puts the focus on the token field, for keyboard use.
  tokenSection.addEventListener('toggle', () => { if (tokenSection.open) document.getElementById('token')?.focus(); });
  replace(main, h('div', { class: 'sign-in' }, passwordForm, linkForm, tokenSection));
  renderLogin({ main: tokenPlace, signIn });
  email.focus();
}
