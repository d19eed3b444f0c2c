// The dashboard's shell: login, navigation (hash routes), language switch,
// the live stream, and which view is on screen. Each view module exports
// render(ctx) -> {relevant(event), refresh()}; the shell calls refresh when a
// live event concerns the view, and dispose() (when given) when it leaves.
import { t, lang, setLang } from './lib/i18n.js';
import * as api from './lib/api.js';
import { LiveStream } from './lib/stream.js';
import { h, replace } from './lib/dom.js';
import { loadPeople, personName } from './lib/people.js';
import * as programmeView from './views/programme.js';
import * as actionView from './views/action.js';
import * as eluView from './views/elu.js';
import * as deliveriesView from './views/deliveries.js';
import * as networkView from './views/network.js';
import * as workflowsView from './views/workflows.js';
import * as programmeEditView from './views/programme_edit.js';
import { renderSignIn } from './views/sign_in.js';
import { renderLinkSignIn, renderInvitation, LINK_PATTERN, INVITATION_PATTERN } from './views/open_links.js';
import * as tokensView from './views/my_tokens.js';
import * as accountsView from './views/accounts.js';
import * as auditView from './views/audit.js';
import * as reportView from './views/report.js';
import * as programmeFormView from './views/programme_form.js';
import * as actionFormView from './views/action_form.js';
import * as partnersView from './views/partners.js';
import * as peopleView from './views/people_directory.js';
import { wt } from './lib/workbench_i18n.js';
import { watchScrollBoxes } from './lib/scroll_boxes.js';
import { at } from './lib/accounts_i18n.js';

// How long live events are gathered before the view refreshes once.
const REFRESH_DEBOUNCE_MS = 250;

const ROUTES = [
  { pattern: /^#\/programme(?:\/([^/]+))?$/, view: programmeView, nav: 'programme' },
  { pattern: /^#\/action\/([^/]+)$/, view: actionView, nav: 'programme' },
  { pattern: /^#\/elu$/, view: eluView, nav: 'elu' },
  { pattern: /^#\/deliveries(?:\?.*)?$/, view: deliveriesView, nav: 'deliveries' },
  { pattern: /^#\/network$/, view: networkView, nav: 'network' },
  { pattern: /^#\/workflows$/, view: workflowsView, nav: 'workflows' },
  { pattern: /^#\/tokens$/, view: tokensView, nav: 'tokens' },
  { pattern: /^#\/accounts$/, view: accountsView, nav: 'accounts' },
  { pattern: /^#\/audit$/, view: auditView, nav: 'audit' },
  { pattern: /^#\/report\/([^/]+)$/, view: reportView, nav: 'programme' },
  { pattern: /^#\/new\/programme$/, view: programmeFormView, nav: 'programme' },
  { pattern: /^#\/edit\/programme\/([^/]+)$/, view: programmeEditView, nav: 'programme' },
  { pattern: /^#\/new\/action\/([^/]+)$/, view: actionFormView, nav: 'programme' },
  { pattern: /^#\/partners$/, view: partnersView, nav: 'partners' },
  { pattern: /^#\/people$/, view: peopleView, nav: 'people' },
];

const session = { me: null, workflows: new Map() };
let stream = null;
let current = null;  // {view controller, route}
let refreshTimer = null;

const main = () => document.getElementById('main');

function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('visible');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('visible'), 4000);
}

// The workflow definition of a project (cached by hash).
async function workflowOf(name, hash) {
  const key = `${name}@${hash || 'current'}`;
  if (!session.workflows.has(key)) {
    const query = hash ? `?hash=${api.enc(hash)}` : '';
    session.workflows.set(key, api.get(`/v1/workflows/${api.enc(name)}${query}`).then((w) => w.definition));
  }
  try {
    return await session.workflows.get(key);
  } catch (error) {
    session.workflows.delete(key);
    throw error;
  }
}

function renderChrome() {
  document.documentElement.lang = lang();
  document.title = 'Relais';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const langButton = document.getElementById('lang');
  langButton.textContent = t('switch_language');
  langButton.setAttribute('aria-label', t('switch_language_label'));
  langButton.setAttribute('lang', lang() === 'fr' ? 'en' : 'fr');
  const logout = document.getElementById('logout');
  logout.textContent = t('logout');
  logout.hidden = !session.me;
  document.getElementById('whoami').textContent = session.me ? t('signed_in_as', { subject: personName(session.me.subject) }) : '';
  const nav = document.getElementById('nav');
  nav.hidden = !session.me;
  nav.setAttribute('aria-label', t('nav_label'));
  const active = current?.route?.nav;
  const roles = session.me?.roles ?? [];
  const directoryItems = isManager(session.me)
    ? [['partners', '#/partners', wt('nav_partners')], ['people', '#/people', wt('nav_people')]] : [];
  const accountItems = [['tokens', '#/tokens', at('nav_tokens')]];
  if (isManager(session.me)) accountItems.push(['accounts', '#/accounts', at('nav_accounts')]);
  if (roles.includes('admin')) accountItems.push(['audit', '#/audit', at('nav_audit')]);
  const workItems = isManager(session.me) ? [['network', '#/network', wt('nav_network')], ['workflows', '#/workflows', wt('nav_workflows')]] : [];
  replace(nav, h('ul', {},
    [['programme', '#/programme', t('nav_programme')], ['elu', '#/elu', t('nav_elu')],
      ['deliveries', '#/deliveries', t('nav_deliveries')], ...directoryItems, ...workItems, ...accountItems].map(([id, href, text]) =>
      h('li', {}, h('a', { href, 'aria-current': active === id ? 'page' : false }, text)))));
  setLive(stream && stream.connected);
}

function setLive(on) {
  const el = document.getElementById('live');
  if (!session.me) { el.textContent = ''; return; }
  el.textContent = on ? t('live_on') : t('live_off');
  el.className = on ? 'live on' : 'live off';
  el.dataset.state = on ? 'on' : 'off';
}

async function route() {
  if (!session.me) return;
  // "#/programme/ID?q=..": the path picks the view, the query is the view's (its filters).
  const [hash, queryText = ''] = (location.hash || '#/programme').split(/\?(.*)/s);
  const match = ROUTES.map((r) => ({ r, m: hash.match(r.pattern) })).find((x) => x.m);
  if (!match) { location.hash = '#/programme'; return; }
  current?.controller?.dispose?.();
  document.getElementById('toast').classList.remove('visible');  // a message belongs to the page it was said on
  current = { route: match.r, controller: null };
  renderChrome();
  const ctx = {
    main: main(), me: session.me, params: match.m.slice(1).map((p) => (p ? decodeURIComponent(p) : p)),
    toast, workflowOf, canManage: isManager(session.me), query: new URLSearchParams(queryText),
  };
  replace(ctx.main, h('p', { class: 'loading' }, t('loading')));
  const mine = current;
  const controller = await match.r.view.render(ctx);
  if (current === mine) mine.controller = controller;
  else controller?.dispose?.();
}

function isManager(me) {
  return (me?.roles ?? []).some((r) => r === 'coordinator' || r === 'admin');
}

function onLiveEvent(event) {
  const controller = current?.controller;
  if (!controller?.relevant?.(event)) return;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => controller.refresh(event), REFRESH_DEBOUNCE_MS);
}

async function signIn(tokenText) {
  const me = await api.get('/v1/me', { tokenOverride: tokenText });
  api.setToken(tokenText);
  await enter(me);
}

// After a password, a link or an invitation set the session cookie.
async function signInBySession() {
  const me = await api.get('/v1/me', { tokenOverride: '' });
  api.setToken('');
  await enter(me);
}

async function enter(me) {
  session.me = me;
  api.setCsrf(me.csrf_token);
  stream?.stop();
  // A stream stopped by a sign-out may still report its state: only the
  // current one sets the indicator.
  const live = new LiveStream({
    getToken: api.token,
    onEvent: onLiveEvent,
    onState: (on) => {
      live.connected = on;
      if (stream === live) setLive(on);
    },
  });
  stream = live;
  stream.start();
  await loadPeople();  // the header and the pages name people
  await route();
}

function signOut(message) {
  if (session.me?.authenticated_by === 'session') api.post('/v1/sign-out').catch(() => {});
  api.setCsrf('');
  current?.controller?.dispose?.();
  stream?.stop();
  stream = null;
  session.me = null;
  session.workflows.clear();
  api.setToken('');
  current = null;
  renderChrome();
  renderSignIn({ main: main(), signIn, onSession: signInBySession, message });
}

// The pages e-mailed links open, shown before any sign-in; false: none.
function renderOpenLink() {
  const hash = location.hash;
  const link = hash.match(LINK_PATTERN);
  if (link) { renderLinkSignIn({ main: main(), token: decodeURIComponent(link[1]), onSession: signInBySession }); return true; }
  const invitation = hash.match(INVITATION_PATTERN);
  if (invitation) {
    renderInvitation({ main: main(), token: decodeURIComponent(invitation[1]), onSession: signInBySession });
    return true;
  }
  return false;
}

async function start() {
  setLang(lang());
  watchScrollBoxes(main());
  api.setUnauthorizedHandler(() => signOut(t('session_expired')));
  document.getElementById('lang').addEventListener('click', () => {
    setLang(lang() === 'fr' ? 'en' : 'fr');
    renderChrome();
    if (session.me) route(); else if (!renderOpenLink()) renderSignIn({ main: main(), signIn, onSession: signInBySession });
  });
  document.getElementById('logout').addEventListener('click', () => signOut());
  window.addEventListener('hashchange', () => {
    if (!session.me) renderOpenLink(); else route();
    main().focus();
  });
  renderChrome();
  if (renderOpenLink()) return;
  const saved = api.token();
  if (saved) {
    try {
      await signIn(saved);
      return;
    } catch {
      api.setToken('');
    }
  }
  try {
    await signInBySession();  // a session cookie from an earlier sign-in
    return;
  } catch {
    // none, or ended: the sign-in page
  }
  renderSignIn({ main: main(), signIn, onSession: signInBySession });
}

start();
