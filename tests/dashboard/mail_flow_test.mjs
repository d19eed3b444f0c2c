// Browser test of the way people are reached by e-mail: a real `relais
// serve` with e-mail on, a real SMTP server (aiosmtpd, tests/testing/
// smtp_sink.py) on the loopback, Debian's chromium driven headless by
// playwright-core, the messages read back by Python's `email` package.
// The coordinator invites a partner's person from the page; the invitation
// e-mail arrives; its link opens the page where she names herself and sets
// a password, and lands signed in (a token made and revoked on the way);
// the coordinator records an event on an action of her partner from the
// page; the partner's e-mail arrives, addressed to her by name, and its link
// opens the action.
//
// Usage: node --test mail_flow_test.mjs (env RELAIS_BINARY, RELAIS_SOURCE_DIR,
// DASHBOARD_ARTIFACTS; ctest sets them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { writeConfig, startServer, apiClient } from './relais_server.mjs';
import { startSmtpSink } from './smtp_sink.mjs';

const BINARY = process.env.RELAIS_BINARY;
const SOURCE = process.env.RELAIS_SOURCE_DIR;
const ARTIFACTS = process.env.DASHBOARD_ARTIFACTS;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const WAIT_MS = 15_000;  // the longest any page change or e-mail may take

const PARTNER = 'ccas-essai';
const ACTION = 'portage-essai';
const NADIA = 'nadia.benali@ccas-essai.example';
const PLANNED = { mobilisation: 2026, faisabilite: 2027, montage: 2027, portage: 2028 };
// Named by her address, as accounts name people (the e-mail notices strip a
// "person:" prefix before asking the directory, the pages do not).
const COORDINATOR = 'claire.martin@cbe-essai.example';
const coordinatorToken = { token: randomBytes(24).toString('hex'), subject: COORDINATOR, roles: ['coordinator'] };

let dir;
let sink;
let server;
let browser;
let coordinator;  // API client

before(async () => {
  assert.ok(BINARY && SOURCE && ARTIFACTS, 'RELAIS_BINARY, RELAIS_SOURCE_DIR and DASHBOARD_ARTIFACTS must be set');
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'relais-mail-flow-'));
  sink = await startSmtpSink(SOURCE, join(dir, 'mail'));
  // The links of the e-mails name the server's own address, so it gets a port chosen here.
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const config = writeConfig(dir, {
    sourceDir: SOURCE, tokens: [coordinatorToken], port, publicUrl,
    email: { smtp_url: sink.url, tls: 'none', from_address: 'relais@cbe-essai.example', public_base_url: publicUrl, max_sleep_ms: 50 },
  });
  server = await startServer(BINARY, config);
  assert.equal(server.base, publicUrl);
  coordinator = apiClient(server.base, coordinatorToken.token);
  await coordinator('POST', '/v1/partners', { id: PARTNER, name: 'CCAS de Saint-Essai', kind: 'ccas' });
  await coordinator('POST', '/v1/people', { id: COORDINATOR, email: COORDINATOR,
    civility: 'Mme', first_name: 'Claire', last_name: 'Martin', function: 'Coordinatrice' });
  await coordinator('POST', '/v1/programmes', {
    id: 'plateforme-essai', title: 'Plate-forme d’appui du Val-des-Essais', territory: ['Saint-Essai'],
    plan_years: [2026, 2027, 2028], axes: [{ id: '2A', title: 'Personnes âgées et dépendantes' }],
    actions: [{ id: ACTION, axis: '2A', title: 'Portage de repas', planned_years: PLANNED }],
  });
  await coordinator('POST', '/v1/projects', {
    id: ACTION, workflow: 'cbe_action', title: 'Portage de repas', programme: 'plateforme-essai', axis: '2A',
    partners: [PARTNER], planned_years: PLANNED,
  });
  await coordinator('POST', `/v1/projects/${ACTION}/events`,
    { type: 'mobilisation_avancee', data: { volet: 'partenaires', etape: 'mobilises' } });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await sink?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
  });
}

// Waits (bounded) until the sink holds a message to `to` whose subject matches; returns it.
async function mailTo(to, subject) {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const found = sink.messages().find((m) => m.envelope_to.includes(to) && subject.test(m.subject));
    if (found) return found;
    if (Date.now() > end) {
      throw new Error(`no e-mail to ${to} matching ${subject}; received: ${JSON.stringify(sink.messages().map((m) => [m.to, m.subject]))}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const textOf = (message) => message.parts.find((p) => p.type === 'text/plain')?.text ?? '';

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.text()} at ${m.location()?.url}`); });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  page.errors = errors;
  return page;
}

test('invitation e-mail → link → account → signed in; an event recorded on the page → the partner’s e-mail reaches her by name', async () => {
  // The coordinator (a bootstrap token) invites a person of the partner from the accounts page.
  const coord = await newPage();
  await coord.goto(`${server.base}/`);
  await coord.locator('#token-sign-in summary').click();
  await coord.getByLabel('Jeton d’accès').fill(coordinatorToken.token);
  await coord.keyboard.press('Enter');
  await coord.locator('#nav a[href="#/accounts"]').click();
  await coord.locator('#invite-form').waitFor();
  await coord.getByLabel('Adresse e-mail', { exact: true }).fill('Nadia.Benali@ccas-essai.example');
  await coord.getByLabel('Rôles (séparés par des virgules)').fill('partner');
  await coord.getByLabel('Programmes (séparés par des virgules)').fill('');
  await coord.getByLabel('Partenaire (identifiant, pour le rôle partner)').fill(PARTNER);
  await coord.getByRole('button', { name: 'Inviter', exact: true }).click();
  await coord.locator('#invitation-list').getByText(NADIA).waitFor({ timeout: WAIT_MS });

  // The invitation e-mail arrives, well formed; its link is the way in.
  const invitation = await mailTo(NADIA, /^Invitation à Relais/);
  assert.deepEqual(invitation.to, [NADIA]);
  assert.deepEqual(invitation.defects, []);
  assert.equal(invitation.from_address, 'relais@cbe-essai.example');
  const link = textOf(invitation).match(/http:\/\/127\.0\.0\.1:\d+\/ui\/index\.html#\/invitation\/[A-Za-z0-9_-]{43}/)?.[0];
  assert.ok(link?.startsWith(server.base), `the invitation link names the server: ${textOf(invitation)}`);

  // She opens it, names herself, sets a password: her account, signed in.
  const nadia = await newPage();
  await nadia.goto(link);
  await nadia.locator('#invitation-form').waitFor();
  await nadia.getByLabel('Civilité').selectOption('Mme');
  await nadia.getByLabel('Prénom').fill('Nadia');
  await nadia.getByLabel('Nom', { exact: true }).fill('Benali');
  await nadia.getByLabel(/^Mot de passe/).fill('un mot de passe assez long');
  await nadia.getByRole('button', { name: 'Créer mon compte' }).click();
  await nadia.locator('#nav a[href="#/tokens"]').waitFor();
  const cookie = (await nadia.context().cookies()).find((c) => c.name === 'relais_session');
  assert.ok(cookie?.httpOnly, 'signed in by an HttpOnly session cookie');
  await nadia.screenshot({ path: join(ARTIFACTS, 'mail-flow-signed-in.png'), fullPage: true });
  // A token made and revoked from her page.
  await nadia.goto(`${server.base}/ui/index.html#/tokens`);
  await nadia.getByLabel('Nom du jeton').fill('tableur');
  await nadia.getByRole('button', { name: 'Créer un jeton' }).click();
  const shown = await nadia.locator('#token-shown code').innerText();
  assert.equal((await apiClient(server.base, shown)('GET', '/v1/me')).subject, NADIA);
  await nadia.getByRole('button', { name: 'Révoquer' }).click();
  await nadia.getByText('Aucun jeton.').waitFor();
  await apiClient(server.base, shown)('GET', '/v1/me', undefined, [401]);
  // The directory knows her by name, as a person of her partner.
  const person = await coordinator('GET', `/v1/people/${encodeURIComponent(NADIA)}`);
  assert.equal(person.partner, PARTNER);
  assert.equal(person.display_name, 'Mme Nadia Benali');

  // The coordinator records an event on an action of her partner, from the page.
  await coord.goto(`${server.base}/ui/index.html#/action/${ACTION}`);
  await coord.locator('#current-phase[data-phase="mobilisation"]').waitFor();
  await coord.getByLabel('Événement', { exact: true }).selectOption('etude_lancee');
  await coord.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await coord.locator('#current-phase[data-phase="etude"]').waitFor();

  // Her partner's e-mail arrives, addressed to her by name, from an independent parser's reading.
  const notice = await mailTo(NADIA, /Étude de faisabilité lancée/);
  assert.deepEqual(notice.to, [NADIA]);
  assert.deepEqual(notice.to_names, ['Mme Nadia Benali']);
  assert.deepEqual(notice.defects, []);
  assert.equal(notice.subject, 'Relais – « Portage de repas » : Étude de faisabilité lancée');
  assert.match(textOf(notice), /Bonjour Mme Nadia Benali,/);
  assert.match(textOf(notice), /Enregistré par Mme Claire Martin\./);
  assert.match(notice.list_unsubscribe, /^<http:\/\/127\.0\.0\.1:\d+\/.*\?t=/);
  // Nobody else of the partner, and not the coordinator who recorded it.
  assert.ok(!sink.messages().some((m) => m.envelope_to.includes(COORDINATOR)));

  // The action's link in the e-mail opens it for her.
  const actionLink = textOf(notice).match(/http:\/\/127\.0\.0\.1:\d+\/\S*#\/action\/[\w-]+/)?.[0];
  assert.ok(actionLink, `an action link in: ${textOf(notice)}`);
  await nadia.goto(actionLink);
  await nadia.locator('#current-phase[data-phase="etude"]').waitFor();
  await nadia.screenshot({ path: join(ARTIFACTS, 'mail-flow-action-from-mail.png'), fullPage: true });

  // Expected failed loads, nothing else: /v1/me before signing in and the
  // revoked token (401), the programme's milestones, which a partner may not
  // read (the page shows none), and chromium's request of a favicon (404).
  const expected = (e) => /\b401\b.*\/v1\/me$|\b404\b.*(\/v1\/programmes\/plateforme-essai\/milestones\?|\/favicon\.ico$)/.test(e);
  assert.deepEqual(nadia.errors.filter((e) => !expected(e)), []);
  assert.deepEqual(coord.errors.filter((e) => !expected(e)), []);
  await nadia.context().close();
  await coord.context().close();
});
