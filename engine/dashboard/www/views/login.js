// The login form: a pasted token, checked with GET /v1/me; a 401 says so.
import { t } from '../lib/i18n.js';
import { h, replace } from '../lib/dom.js';

export function renderLogin({ main, signIn, message }) {
  const error = h('p', { id: 'login-error', class: 'error', role: 'alert' }, message ?? '');
  const input = h('input', {
    id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true,
    'aria-describedby': 'login-intro login-error',
  });
  const form = h('form', { class: 'card login', novalidate: true },
    h('h1', {}, t('login_title')),
    h('p', { id: 'login-intro' }, t('login_intro')),
    h('label', { for: 'token' }, t('login_token')),
    input,
    h('button', { type: 'submit', class: 'primary' }, t('login_submit')),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = input.value.trim();
    if (!value) { error.textContent = t('login_empty'); input.focus(); return; }
    error.textContent = '';
    try {
      await signIn(value);
    } catch (failure) {
      error.textContent = failure?.status === 401 ? t('login_invalid')
        : t('load_failed', { detail: failure?.message ?? '' });
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  });
  replace(main, form);
  input.focus();
}
