// Browser test of the dashboard: a real `relais serve`, Debian's chromium
// driven headless by playwright-core. History is made in the past (the
// server under libfaketime from 2025-01-06), then the server runs on the
// real clock: reviews of 2025-2026 not held are overdue, actions behind
// their planned year are late.
//
// Usage: node --test dashboard_test.mjs (env RELAIS_BINARY, RELAIS_SOURCE_DIR,
// DASHBOARD_ARTIFACTS; ctest sets them). Screenshots go to DASHBOARD_ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { until, openPage, startReceiver, WAIT_MS } from './browser_kit.mjs';
import { writeConfig, startServer, apiClient, workflowsFolder } from './relais_server.mjs';
import { makeScenario, PROGRAMME, ELU, ELU_NAME, COORDINATOR_NAME } from './scenario.mjs';

const BINARY = process.env.RELAIS_BINARY;
const SOURCE = process.env.RELAIS_SOURCE_DIR;
const ARTIFACTS = process.env.DASHBOARD_ARTIFACTS;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PAST = '2025-01-06 09:00:00';

const tokens = {
  coordinator: { token: randomBytes(24).toString('hex'), subject: 'person:claire.martin', roles: ['coordinator'] },
  elu: { token: randomBytes(24).toString('hex'), subject: ELU, roles: ['elu'] },
  // A partner that takes part in no action until it joins one (the last test).
  missionLocale: { token: randomBytes(24).toString('hex'), subject: 'partner:mission-locale-essai', roles: ['partner'], partner: 'mission-locale-essai' },
};

let dir;
let server;
let receiver;
let browser;
let coordinator;  // API client

before(async () => {
  assert.ok(BINARY && SOURCE && ARTIFACTS, 'RELAIS_BINARY, RELAIS_SOURCE_DIR and DASHBOARD_ARTIFACTS must be set');
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'relais-dashboard-'));
  receiver = await startReceiver();
  // The shipped workflows and the test ones with sub-items and spawning.
  const workflowsDir = workflowsFolder(dir, [join(SOURCE, 'workflows'), join(SOURCE, 'tests', 'workflow', 'testdata', 'links')]);
  const config = writeConfig(dir, { sourceDir: SOURCE, tokens: Object.values(tokens), workflowsDir });

  // 1. The past: the plan starts on 2025-01-06.
  const past = await startServer(BINARY, config, { fakeStart: PAST });
  const pastCall = apiClient(past.base, tokens.coordinator.token);
  await makeScenario(pastCall, receiver.base, { today: '2025-01-06' });
  // The failing partner's deliveries of 2025 are all dead-lettered before the jump.
  const down = (await pastCall('GET', '/v1/webhooks/endpoints')).endpoints.find((e) => e.partner === 'emploi-essai');
  await until(async () => (await pastCall('GET', `/v1/webhooks/endpoints/${down.id}/deliveries`)).deliveries.length === 0,
    'the deliveries of 2025 are settled');
  await past.stop();

  // 2. Today.
  server = await startServer(BINARY, config);
  coordinator = apiClient(server.base, tokens.coordinator.token);
  await until(allPastMilestonesEscalated, 'the reviews of 2025-2026 not held are overdue');
  await until(async () => (await coordinator('GET', '/v1/projects?late=true')).total >= 2, 'late actions are indexed');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Every milestone more than escalation_days (14) past its date is overdue.
async function allPastMilestonesEscalated() {
  const { milestones } = await coordinator('GET', `/v1/programmes/${PROGRAMME}/milestones?status=scheduled`);
  const limit = Date.now() - 15 * 24 * 3600 * 1000;
  const past = milestones.filter((m) => Date.parse(m.due) < limit);
  return past.length >= 2 && past.every((m) => m.overdue);
}

async function overdueReviews() {
  return (await coordinator('GET', `/v1/programmes/${PROGRAMME}/milestones?overdue=true`)).milestones;
}

async function newPage() {
  return openPage(browser);
}

// Opens the sign-in page's token section (people sign in with a password
// or an e-mailed link; machines and bootstrap paste a token).
async function openTokenSignIn(page) {
  await page.goto(`${server.base}/`);
  await page.waitForURL(/\/ui\/index\.html/);
  await page.locator('#token-sign-in summary').click();
}

// Logs in with a token: opening its section puts the focus on the token
// field, Enter submits.
async function logIn(page, token) {
  await openTokenSignIn(page);
  const field = page.getByLabel('Jeton d’accès');
  await field.waitFor();
  // The details' toggle event, which moves the focus, is dispatched as a task
  // after the click: wait for it rather than read the focus at once.
  await page.waitForFunction(() => document.activeElement?.id === 'token', null, { timeout: 5000 }).catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'token', 'the token field has the focus');
  await page.keyboard.type(token);
  await page.keyboard.press('Enter');
  await page.locator('#nav a').first().waitFor();
}

// Saves a screenshot, after checking that every control on the page has a
// name a screen reader can say (a <label>, aria-label or its text).
async function shot(page, name) {
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button, a[href]')]
    .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
    .map((el) => el.outerHTML.slice(0, 80)));
  assert.deepEqual(unnamed, [], `controls without a name on the ${name} page`);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

test('static files: redirect, types, validators, traversal refused, no token needed', async () => {
  const root = await fetch(`${server.base}/`, { redirect: 'manual' });
  assert.equal(root.status, 302);
  assert.equal(root.headers.get('location'), '/ui/index.html');
  const js = await fetch(`${server.base}/ui/app.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  const etag = js.headers.get('etag');
  assert.ok(etag);
  assert.equal((await fetch(`${server.base}/ui/app.js`, { headers: { 'If-None-Match': etag } })).status, 304);
  for (const path of ['/ui/%2e%2e/%2e%2e/README.md', '/ui/views/%2e%2e%2f%2e%2e%2fREADME.md', '/ui/..%2f..%2f..%2fREADME.md']) {
    const r = await fetch(server.base + path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(await r.text(), /Relais is a workflow engine/);
  }
});

test('a wrong token is refused in words, then the coordinator sees the programme', async () => {
  const page = await newPage();
  await openTokenSignIn(page);
  await page.getByLabel('Jeton d’accès').fill('not-a-token');
  await page.locator('#token-sign-in').getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('alert').filter({ hasText: 'Ce jeton n’est pas reconnu (401)' }).waitFor();
  await shot(page, 'login-refused');
  await page.context().close();

  const coord = await newPage();
  await logIn(coord, tokens.coordinator.token);
  await coord.getByRole('heading', { name: /Plate-forme d’appui du Val-des-Essais/ }).waitFor();
  const grid = coord.locator('#programme-grid');
  // conciergerie: axis 1, in study since 2025, planned for 2025: late.
  const axis1 = grid.locator('tr[data-axis="1"]');
  await axis1.locator('.badge.late').waitFor();
  assert.match(await axis1.innerText(), /1 en retard/);
  // Axis 2A: the élu's reviews of 2025 and 2026 were never held.
  const overdue = await overdueReviews();
  const overdue2A = overdue.filter((m) => m.axis === '2A').length;
  assert.ok(overdue2A >= 2);
  assert.equal((await grid.locator('tr[data-axis="2A"] .badge.overdue').innerText()).trim(), String(overdue2A));
  assert.equal(await coord.locator('table.actions tbody tr').count(), 5);
  await shot(coord, 'programme');
  assert.deepEqual(coord.errors, []);
  await coord.context().close();
});

test('an action advanced on one page moves on a second open page without reload; a refusal is told in words', async () => {
  const a = await newPage();
  const b = await newPage();
  const grid = await newPage();
  await logIn(a, tokens.coordinator.token);
  await logIn(b, tokens.coordinator.token);
  await logIn(grid, tokens.coordinator.token);
  // A third page shows the programme: axis 2A has one action in study.
  const studies2A = grid.locator('#programme-grid tr[data-axis="2A"] td[data-phase="etude"] button.cell .n');
  assert.equal((await studies2A.innerText()).trim(), '1');
  await grid.locator('#live[data-state="on"]').waitFor();
  await grid.evaluate(() => { window.notReloaded = true; });
  await b.goto(`${server.base}/ui/index.html#/action/aide-domicile`);
  await b.locator('#current-phase[data-phase="mobilisation"]').waitFor();
  await b.locator('#live[data-state="on"]').waitFor();
  await b.evaluate(() => { window.notReloaded = true; });
  // The workflow is drawn with the current phase highlighted.
  await b.locator('svg.workflow-svg g.phase.current[data-phase="mobilisation"]').waitFor();
  // Its tracks are lanes with the action's step filled (partners mobilised by the scenario).
  const mobilisation = b.locator('svg.workflow-svg g.phase.composite[data-phase="mobilisation"]');
  assert.deepEqual(await mobilisation.locator('g.lane').evaluateAll((ls) => ls.map((l) => l.dataset.track)),
    ['partenaires', 'publics', 'financements']);
  await mobilisation.locator('g.lane[data-track="partenaires"] g.step.current[data-step="mobilises"]').waitFor();
  await mobilisation.locator('g.lane[data-track="publics"] g.step.current[data-step="a_mobiliser"]').waitFor();
  assert.equal(await mobilisation.locator('g.step.current').count(), 3);
  // Gates, timers and the suspended state, named in their titles.
  assert.match(await b.locator('svg.workflow-svg g.gate[data-phase="mobilisation"] title').textContent(),
    /« Étude de faisabilité lancée » exige project\.tracks\.partenaires == 'mobilises' \(les partenaires doivent être mobilisés avant l'étude\)/);
  assert.match(await b.locator('svg.workflow-svg g.timer[data-phase="portage"] title').textContent(),
    /minuteur « Bilan à un an du démarrage » : après P12M, déclenche « Bilan de la première année à faire »/);
  assert.match(await b.locator('svg.workflow-svg g.timer-note').textContent(), /À la création : minuteur « Point avec l'élu référent » : 3 fois par an, jusqu’à la fin/);
  const suspendedState = b.locator('svg.workflow-svg g.suspended-state');
  assert.equal(await suspendedState.getAttribute('class'), 'phase suspended-state');
  assert.match(await suspendedState.locator('title').textContent(), /Suspendre depuis toute phase ouverte : Action suspendue \(coordinator, elu\)/);
  assert.match(await b.locator('ul.moves').textContent(), /Mobilisation, volet Partenaires : a_mobiliser → en_cours → mobilises/);

  await a.goto(`${server.base}/ui/index.html#/action/aide-domicile`);
  await a.locator('#current-phase[data-phase="mobilisation"]').waitFor();
  await a.getByLabel('Événement', { exact: true }).selectOption('etude_lancee');
  await a.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await a.locator('#current-phase[data-phase="etude"]').waitFor();

  // The second page follows, through the live stream.
  await b.locator('#current-phase[data-phase="etude"]').waitFor({ timeout: WAIT_MS });
  assert.equal(await b.evaluate(() => window.notReloaded), true, 'the second page was not reloaded');
  // The programme grid follows too: two actions of axis 2A in study now.
  await until(async () => (await studies2A.innerText()).trim() === '2', 'the grid counts the action in study');
  assert.equal(await grid.evaluate(() => window.notReloaded), true, 'the programme page was not reloaded');
  await grid.context().close();
  await b.locator('svg.workflow-svg g.phase.current[data-phase="etude"]').waitFor();
  const latest = b.locator('#history tbody tr').first();
  assert.equal(await latest.getAttribute('data-type'), 'etude_lancee');
  assert.ok((await latest.innerText()).includes(COORDINATOR_NAME), 'the history names who recorded, by name');
  assert.ok(!(await latest.innerText()).includes('person:claire.martin'));
  assert.match(await latest.innerText(), /passe en Étude de faisabilité/);
  await b.locator('ol.timeline li.current[data-phase="etude"]').waitFor();
  await shot(b, 'action');

  // No montage before a porteur: the workflow's own reason, in words.
  await a.goto(`${server.base}/ui/index.html#/action/relais-assistantes`);
  await a.locator('#current-phase[data-phase="etude"]').waitFor();
  await a.getByLabel('Événement', { exact: true }).selectOption('montage_demarre');
  await a.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  const refusal = a.locator('#refusal');
  await refusal.waitFor();
  const said = await refusal.innerText();
  assert.match(said, /Refusé par la méthode/);
  assert.match(said, /La méthode ne le permet pas encore : la recherche d'un porteur est un préalable au montage\./);
  await shot(a, 'refusal');
  // Still in study: nothing was recorded.
  assert.equal((await coordinator('GET', '/v1/projects/relais-assistantes')).state.phase, 'etude');

  // The porteur is found (fields generated from the event's schema, named
  // by the workflow's labels, not its identifiers), then montage opens.
  await a.getByLabel('Événement', { exact: true }).selectOption('porteur_identifie');
  assert.match(await a.locator('[data-field="nom"] label').innerText(), /^Nom\b/);
  assert.match(await a.locator('[data-field="nature"] label').innerText(), /^Nature du porteur\b/);
  assert.equal((await a.locator('#field-nature option[value="a_creer"]').innerText()).trim(), 'Structure à créer');
  // Required fields are checked before sending, each in the server's words
  // next to its field; nothing is sent.
  await a.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await a.locator('[data-field="nom"] .field-error').waitFor();
  assert.equal(await a.locator('[data-field="nom"] .field-error').innerText(), "Nom : ce champ est obligatoire et n'est pas renseigné.");
  assert.equal(await a.locator('[data-field="nature"] .field-error').innerText(),
    "Nature du porteur : ce champ est obligatoire et n'est pas renseigné.");
  assert.equal(await a.locator('#field-nom').getAttribute('aria-invalid'), 'true');
  assert.match(await a.locator('#refusal').innerText(), /Corrigez les champs signalés avant d’enregistrer\./);
  await a.getByLabel(/^Nom/).fill('Association Vie à Domicile Essai');
  await a.getByLabel(/^Nature du porteur/).selectOption('association');
  await a.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await a.getByText('Porteur : Association Vie à Domicile Essai (Association)').waitFor();
  // The history names the data by its labels too.
  const recorded = await a.locator('#history tbody tr[data-type="porteur_identifie"]').first().innerText();
  assert.match(recorded, /Nom : Association Vie à Domicile Essai/);
  assert.match(recorded, /Nature du porteur : Association/);
  await a.getByLabel('Événement', { exact: true }).selectOption('montage_demarre');
  await a.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await a.locator('#current-phase[data-phase="montage"]').waitFor();
  assert.equal(await a.locator('#refusal').count(), 0, 'the refusal is gone once the command passes');
  assert.deepEqual([...a.errors, ...b.errors], []);
  await a.context().close();
  await b.context().close();
});

test('the coordinator records a review held; the élu sees their reviews and gets a calendar link', async () => {
  const before = (await overdueReviews()).length;
  const coord = await newPage();
  await logIn(coord, tokens.coordinator.token);
  const overdueSection = coord.locator('section[aria-labelledby="overdue-title"]');
  await overdueSection.locator('tbody tr').first().waitFor();
  assert.equal(await overdueSection.locator('tbody tr').count(), before);
  await overdueSection.getByRole('button', { name: /^Point tenu/ }).first().click();
  await coord.getByLabel('Notes').fill('Point fait avec l’élu : recherche de porteur à relancer.');
  await coord.getByLabel('Décisions (une par ligne)').fill('Relancer le CCAS\nPrésenter l’action au comité de pilotage');
  await coord.getByRole('button', { name: 'Enregistrer le point' }).click();
  await coord.getByRole('status').filter({ hasText: 'Point enregistré.' }).waitFor();
  await until(async () => (await overdueReviews()).length === before - 1, 'the review is no longer overdue');
  await until(async () => (await overdueSection.locator('tbody tr').count()) === before - 1, 'the page shows one overdue review less');
  const held = (await coordinator('GET', `/v1/programmes/${PROGRAMME}/milestones?status=held`)).milestones;
  assert.equal(held.length, 1);
  assert.equal(held[0].held_by, tokens.coordinator.subject);
  assert.deepEqual(coord.errors, []);
  await coord.context().close();

  const elu = await newPage();
  await logIn(elu, tokens.elu.token);
  await elu.getByRole('link', { name: 'Mes points' }).click();
  await elu.getByRole('heading', { name: 'Mes points avec la coordination' }).waitFor();
  const eluOverdue = elu.locator('section[aria-labelledby="elu-overdue-title"] tbody tr');
  await eluOverdue.first().waitFor();
  const mine = (await coordinator('GET', `/v1/programmes/${PROGRAMME}/milestones?overdue=true&person=${encodeURIComponent(ELU)}`)).milestones;
  assert.ok(mine.length >= 1);
  assert.equal(await eluOverdue.count(), mine.length);
  await elu.locator('section[aria-labelledby="elu-next-title"] tbody tr').first().waitFor();
  // The élu is named by name: the page, each review's title and its "who" column.
  assert.ok((await elu.locator('p.subtitle').innerText()).includes(ELU_NAME));
  const review = await elu.locator('section[aria-labelledby="elu-next-title"] tbody tr').first().innerText();
  assert.ok(review.includes(`Point avec ${ELU_NAME} (élu référent, axe 2A)`), review);
  assert.ok(!review.includes(ELU), review);
  assert.ok((await elu.locator('#whoami').innerText()).includes(ELU_NAME));
  await elu.getByRole('button', { name: 'Créer mon lien d’agenda' }).click();
  const link = await elu.getByLabel('Lien d’agenda').inputValue();
  assert.match(link, /\/v1\/feeds\/[A-Za-z0-9_-]+/);
  const feed = await fetch(link);
  assert.equal(feed.status, 200);
  assert.match(await feed.text(), /^BEGIN:VCALENDAR/);
  assert.match(await elu.locator('section[aria-labelledby="elu-actions-title"]').innerText(), /Aide à domicile mutualisée/);
  // The live links are listed (never their tokens), each revocable.
  const links = elu.locator('.calendar-links li');
  await links.first().waitFor();
  assert.equal(await links.count(), 1);
  assert.match(await links.first().innerText(), /^Créé le /);
  assert.ok(!(await links.first().innerText()).includes(link.split('/').pop()), 'the token is not shown in the list');
  await shot(elu, 'elu');
  await links.first().getByRole('button', { name: 'Révoquer' }).click();
  await elu.getByRole('status').filter({ hasText: 'Lien révoqué' }).waitFor();
  await until(async () => (await elu.locator('.calendar-links li').count()) === 0, 'the revoked link leaves the list');
  assert.equal((await fetch(link)).status, 404, 'the revoked link answers nothing more');
  assert.deepEqual(elu.errors, []);
  await elu.context().close();
});

test('deliveries: an overview of the addresses, one address filtered in the address bar, a replay', async () => {
  const coord = await newPage();
  await logIn(coord, tokens.coordinator.token);
  await coord.getByRole('link', { name: 'Envois aux partenaires' }).click();
  const endpoints = (await coordinator('GET', '/v1/webhooks/endpoints')).endpoints;
  const ok = endpoints.find((e) => e.partner === 'ccas-essai');
  const down = endpoints.find((e) => e.partner === 'emploi-essai');
  // The overview: one row per address, not a wall of cards.
  const downRow = coord.locator(`tr[data-endpoint-row="${down.id}"]`);
  await downRow.waitFor();
  assert.equal(await coord.locator('tr[data-endpoint-row]').count(), endpoints.length);
  assert.match(await downRow.innerText(), /désactivé/);
  await shot(coord, 'deliveries');
  // One address, its whole history: the filters are in the address, so the
  // view can be shared and survives a reload.
  await coord.evaluate((hash) => { location.hash = hash; }, `#/deliveries?endpoint=${ok.id}&since=2000-01-01`);
  const okBlock = coord.locator(`section[data-endpoint="${ok.id}"]`);
  await okBlock.waitFor();
  assert.match(await okBlock.innerText(), /reçu/);
  await coord.reload();
  await okBlock.waitFor();
  assert.equal(await coord.locator('#filter-since').inputValue(), '2000-01-01');
  // Filtered by outcome: only the failures of the failing address.
  await coord.evaluate((hash) => { location.hash = hash; }, `#/deliveries?endpoint=${down.id}&outcome=failed&since=2000-01-01`);
  const downBlock = coord.locator(`section[data-endpoint="${down.id}"]`);
  await downBlock.waitFor();
  const outcomes = await downBlock.locator('table.attempts tbody .badge').allInnerTexts();
  assert.ok(outcomes.length >= 1 && outcomes.every((o) => o === 'échec'), `only failures: ${outcomes}`);
  // The failing partner's address was disabled: after two years without a
  // success (disable_after_ms, 5 days) the time jump of the test disabled it.
  await downBlock.locator('.badge', { hasText: 'désactivé' }).waitFor();
  const deadRows = downBlock.locator('table.dead tbody tr');
  await deadRows.first().waitFor();
  const dead = (await coordinator('GET', `/v1/webhooks/dead-letters?endpoint=${down.id}&limit=100`)).dead_letters;
  assert.ok(dead.length >= 1);
  assert.equal(await deadRows.count(), dead.length);

  await downBlock.getByRole('button', { name: /^Réactiver/ }).click();
  await coord.getByRole('status').filter({ hasText: 'Adresse réactivée' }).waitFor();
  await downBlock.locator('.badge', { hasText: 'actif' }).waitFor();
  // Enabled again, the waiting deliveries are tried, fail, and are dead-lettered too.
  await until(async () => (await coordinator('GET', `/v1/webhooks/endpoints/${down.id}/deliveries`)).deliveries.length === 0,
    'the waiting deliveries are settled');
  const [replayed] = (await coordinator('GET', `/v1/webhooks/dead-letters?endpoint=${down.id}&limit=100`)).dead_letters;
  // The page re-reads on its own shortly after a change; "Filtrer" reads again at once.
  await coord.getByRole('button', { name: 'Filtrer' }).click();
  const row = downBlock.locator(`tr[data-dead="${replayed.id}"]`);
  await row.waitFor();
  const mark = receiver.received.length;
  const deadBefore = await row.getAttribute('data-dead-at');
  await row.getByRole('button', { name: /^Renvoyer/ }).click();
  await coord.getByRole('status').filter({ hasText: 'Envoi remis en file.' }).waitFor();
  // The replayed delivery reaches the partner again (and fails again there).
  await until(() => receiver.received.slice(mark).some((r) => r.path === '/down' && r.eventId === replayed.event_id),
    'the replay reaches the partner');
  // No event is recorded by a replay: the page hears of its attempts on the
  // live stream (delivery_attempt notices) and shows it dead again, later,
  // without a click and without polling.
  await until(async () => {
    const now = await downBlock.locator(`tr[data-dead="${replayed.id}"]`).getAttribute('data-dead-at').catch(() => null);
    return now !== null && now > deadBefore;
  }, 'the page shows the replay dead again on its own');
  assert.deepEqual(coord.errors, []);
  await coord.context().close();
});

test('English on a switch that persists across a reload', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.getByRole('button', { name: 'Passer en anglais' }).click();
  await page.getByRole('link', { name: 'My reviews' }).waitFor();
  await page.getByRole('heading', { name: /^Programme: / }).waitFor();
  await page.reload();
  await page.getByRole('link', { name: 'Deliveries to partners' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  // A suspended action: the drawing fills the suspended state, in English.
  await coordinator('POST', '/v1/projects/conciergerie/events', { type: 'suspendre', data: { motif: 'période électorale' } });
  await page.goto(`${server.base}/ui/index.html#/action/conciergerie`);
  await page.getByRole('heading', { name: 'Phase timeline' }).waitFor();
  const suspended = page.locator('svg.workflow-svg g.suspended-state.current');
  await suspended.waitFor();
  assert.equal((await suspended.locator('text').textContent()).trim(), 'Suspended');
  assert.match(await suspended.locator('title').textContent(), /Resume in the same phase: Action resumed \(coordinator, elu\)/);
  assert.match(await page.locator('svg.workflow-svg g.gate[data-phase="etude"] title').textContent(),
    /“Set-up started” requires exists\(state\.porteur\)/);
  assert.equal(await page.locator('svg.workflow-svg g.phase[data-phase="etude"] > text').textContent(), 'Feasibility study');
  await shot(page, 'action-en');
  // A refusal with two unmet conditions: each in the workflow's English words
  // (the action resumed first, so that its guards are what refuses).
  await coordinator('POST', '/v1/projects/conciergerie/events', { type: 'reprendre', data: {} });
  await page.reload();
  await page.getByRole('heading', { name: 'Phase timeline' }).waitFor();
  await page.getByLabel('Event', { exact: true }).selectOption('montage_demarre');
  await page.getByRole('button', { name: 'Record', exact: true }).click();
  const refusal = page.locator('#refusal');
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /The method does not allow it yet: 2 conditions are not met\./);
  assert.deepEqual(await page.locator('#refusal-unmet li').allInnerTexts(),
    ['set-up follows a positive feasibility verdict', 'a lead organisation must be found before set-up']);
  await shot(page, 'refusal-en');
  // Forms in English: the labels' English words.
  await page.getByLabel('Event', { exact: true }).selectOption('porteur_identifie');
  assert.match(await page.locator('[data-field="nature"] label').innerText(), /^Kind of organisation\b/);
  assert.equal((await page.locator('#field-nature option[value="association"]').innerText()).trim(), 'Non-profit');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// Sub-items and spawning (tests/workflow/testdata/links): an insertion
// project follows its participants one by one and, once done, is copied to
// another territory.
const INSERTION = 'insertion-essai';

async function addParticipant(id, title, moves) {
  await coordinator('POST', '/v1/projects', {
    id, workflow: 'parcours_participant', title, parent: { project: INSERTION, children: 'participants' },
  });
  for (const type of moves) await coordinator('POST', `/v1/projects/${id}/events`, { type, data: {} });
}

// A card's picture, without the toast that may lie over it.
async function cardShot(page, locator, name) {
  await page.evaluate(() => document.getElementById('toast').classList.remove('visible'));
  await page.waitForFunction(() => getComputedStyle(document.getElementById('toast')).opacity === '0');
  // A live refresh may redraw the card meanwhile: the locator finds the new one.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await locator.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
      return;
    } catch (error) {
      if (attempt >= 3 || !/not attached/.test(error.message)) throw error;
    }
  }
}

// The count shown for a phase in the sub-items card.
const phaseCount = (page, phase) => page.locator(`#children .child-kind[data-kind="participants"] tr[data-phase="${phase}"] td`);

test('sub-items: the parent counts its children per phase, lists them, adds one, shows their milestones; a child links back', async () => {
  await coordinator('POST', '/v1/projects', {
    id: INSERTION, workflow: 'projet_insertion', title: 'Insertion à Saint-Essai', programme: PROGRAMME, axis: '1',
    partners: ['ccas-essai'], fields: { territoire: 'Saint-Essai' },
  });
  await addParticipant('lea-m', 'Léa M.', ['preselection', 'recrutement']);
  await addParticipant('yanis-b', 'Yanis B.', ['non_retenu']);

  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.goto(`${server.base}/ui/index.html#/action/${INSERTION}`);
  const card = page.locator('#children');
  await card.getByRole('heading', { name: 'Sous-éléments' }).waitFor();
  const kind = card.locator('.child-kind[data-kind="participants"]');
  assert.equal((await kind.locator('h3').innerText()).trim(), 'Participants');
  assert.equal((await kind.locator('.child-counts').innerText()).trim(), '2 au total, dont 0 en cours');
  // Every phase of the child's method, with its label, in the method's order.
  assert.deepEqual(await kind.locator('tbody tr th').allInnerTexts(),
    ['Identifiée', 'Présélectionnée', 'Recrutée (fin)', 'Non retenue (fin)']);
  assert.deepEqual(await kind.locator('tbody tr td').allInnerTexts(), ['0', '0', '1', '1']);
  assert.deepEqual(await kind.locator('ul.child-list a').allInnerTexts(), ['Léa M.', 'Yanis B.']);

  // A participant added from the card.
  await page.getByLabel(/^Intitulé/).fill('Inès K.');
  await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Ajouté à « Participants » : Inès K.' }).waitFor();
  await until(async () => (await phaseCount(page, 'identifie').innerText()).trim() === '1', 'the new participant is counted');
  assert.equal((await kind.locator('.child-counts').innerText()).trim(), '3 au total, dont 1 en cours');
  const ines = (await coordinator('GET', `/v1/projects/${INSERTION}/children`)).children.find((c) => c.title === 'Inès K.');
  assert.ok(ines, 'the API lists the participant added from the page');
  assert.equal(ines.phase, 'identifie');

  // The parent's history holds the children's milestones, newest first, each naming its child.
  const history = page.locator('#history tbody tr');
  const fromChildren = page.locator('#history tbody tr.from-child');
  assert.equal(await fromChildren.count(), 6, 'three creations, three moves');
  assert.equal(await history.first().getAttribute('data-child'), ines.id);
  assert.match(await history.first().innerText(), /Inès K\. — créé — en Identifiée/);
  const leaRows = await page.locator('#history tbody tr.from-child[data-child="lea-m"]').allInnerTexts();
  assert.match(leaRows[0], /Sous-élément \(Participants\)\s+Léa M\. — Recrutement — passe en Recrutée/);
  assert.equal(leaRows.length, 3);
  // The parent's own creation is older than every milestone of its children.
  assert.equal(await history.last().getAttribute('data-type'), 'project_registered');
  await cardShot(page, card, 'children-card');
  await shot(page, 'children');

  // A child's page names its parent and links back; moving it moves the parent's counts.
  await kind.getByRole('link', { name: 'Inès K.' }).click();
  const parentLine = page.locator('#link-parent');
  await parentLine.waitFor();
  assert.equal((await parentLine.innerText()).trim(), 'Sous-élément (Participants) de : Insertion à Saint-Essai');
  await page.getByLabel('Événement', { exact: true }).selectOption('non_retenu');
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.locator('#current-phase[data-phase="non_retenu"]').waitFor();
  await parentLine.getByRole('link', { name: 'Insertion à Saint-Essai' }).click();
  await page.locator('#current-phase[data-phase="recrutement"]').waitFor();
  await until(async () => (await phaseCount(page, 'non_retenu').innerText()).trim() === '2', 'the parent counts two not retained');
  assert.equal((await phaseCount(page, 'identifie').innerText()).trim(), '0');
  assert.match(await history.first().innerText(), /Inès K\. — Non retenue — passe en Non retenue/);
  // The programme lists the project, not its participants.
  await page.goto(`${server.base}/ui/index.html#/programme/${PROGRAMME}`);
  await page.locator(`table.actions tr[data-project="${INSERTION}"]`).waitFor();
  assert.equal(await page.locator('table.actions tr[data-project="lea-m"]').count(), 0);
  // In English: the card and the merged history in the workflows' English words.
  await page.getByRole('button', { name: 'Passer en anglais' }).click();
  await page.goto(`${server.base}/ui/index.html#/action/${INSERTION}`);
  await page.getByRole('heading', { name: 'Sub-items' }).waitFor();
  assert.deepEqual(await kind.locator('tbody tr th').allInnerTexts(),
    ['Identified', 'Pre-selected', 'Recruited (end)', 'Not retained (end)']);
  assert.equal((await kind.locator('.child-counts').innerText()).trim(), '3 in all, 0 still open');
  assert.match(await history.first().innerText(), /Sub-item \(Participants\)\s+Inès K\. — Not retained — moves to Not retained/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('sub-items of a shipped method: the add form asks for the fields the person’s path requires', async () => {
  await coordinator('POST', '/v1/projects', {
    id: 'recrutements-essai', workflow: 'insertion_recrutement', title: 'Recrutements accompagnés à Saint-Essai',
    programme: PROGRAMME, axis: '1', fields: { territoire: 'Saint-Essai', objectif_recrutements: 2 },
  });
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.goto(`${server.base}/ui/index.html#/action/recrutements-essai`);
  const form = page.locator('#children form.child-create');
  await form.waitFor();
  await form.getByLabel(/^Intitulé/).fill('Personne ES-0001');
  // workflows/parcours-personne.yaml requires a reference: the form asks for it, by its label.
  const reference = form.getByLabel(/^Référence de la personne/);
  await reference.waitFor();
  await form.getByRole('button', { name: 'Ajouter', exact: true }).click();
  await form.locator('#child-create-error').filter({ hasText: 'Référence de la personne' }).waitFor();
  await reference.fill('ES-0001');
  await form.getByRole('button', { name: 'Ajouter', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Personne ES-0001' }).waitFor();
  const listed = (await coordinator('GET', '/v1/projects/recrutements-essai/children')).children;
  assert.equal(listed.length, 1);
  const child = await coordinator('GET', `/v1/projects/${listed[0].id}`);
  assert.equal(child.state.fields.reference, 'ES-0001');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a spawned project: the origin lists it, it names its origin, both links followed', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await coordinator('POST', `/v1/projects/${INSERTION}/events`, { type: 'recrutement_clos', data: {} });
  await page.goto(`${server.base}/ui/index.html#/action/${INSERTION}`);
  await page.locator('#current-phase[data-phase="suivi"]').waitFor();
  assert.equal(await page.locator('#spawned').count(), 0, 'nothing spawned yet');
  // The copy is decided from the page; the runtime creates it.
  await page.getByLabel('Événement', { exact: true }).selectOption('essaimage');
  await page.getByLabel(/^titre/).fill('Insertion à Villeneuve-les-Prés');
  await page.getByLabel(/^territoire/).fill('Villeneuve-les-Prés');
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.locator('#current-phase[data-phase="essaime"]').waitFor();
  const [spawned] = (await coordinator('GET', `/v1/projects/${INSERTION}`)).state.spawned;
  assert.equal(spawned.workflow, 'projet_insertion');
  // Its title shows once the runtime has created it (the page follows its creation live).
  const link = page.locator(`#spawned li[data-spawned="${spawned.project}"] a`);
  await link.waitFor({ timeout: WAIT_MS });
  assert.equal((await link.innerText()).trim(), 'Insertion à Villeneuve-les-Prés');
  assert.match(await page.locator('#spawned').innerText(), /Projet d'insertion, essaimage/);
  await cardShot(page, page.locator('#spawned'), 'spawned-card');
  await link.click();
  const origin = page.locator('#link-origin');
  await origin.waitFor();
  assert.match(await origin.innerText(), /^Créé à partir de : Insertion à Saint-Essai \(essaimage\)$/);
  await page.locator('#current-phase[data-phase="recrutement"]').waitFor();
  assert.equal((await page.locator('h1').innerText()).trim(), 'Action : Insertion à Villeneuve-les-Prés');
  await shot(page, 'spawned');
  await origin.getByRole('link', { name: 'Insertion à Saint-Essai' }).click();
  await page.locator('#current-phase[data-phase="essaime"]').waitFor();
  await page.locator(`#spawned li[data-spawned="${spawned.project}"] a`).waitFor();
  // A 404 is expected while the runtime had not created the copy yet.
  assert.deepEqual(page.errors.filter((e) => !/status of 404/.test(e)), []);
  await page.context().close();
});

test('a partner who joins an action sees it from then on, not before, nor once it has left', async () => {
  await coordinator('POST', '/v1/partners', { id: 'mission-locale-essai', name: 'Mission locale du Val-des-Essais', kind: 'emploi' });
  const partner = await newPage();
  await logIn(partner, tokens.missionLocale.token);
  // Before: no action of its own, and the action is unknown to it.
  const mine = partner.locator('#my-projects');
  await mine.waitFor();
  assert.match(await mine.innerText(), /Vous ne prenez part à aucune action pour l’instant\./);
  await shot(partner, 'partner-before');
  await partner.goto(`${server.base}/ui/index.html#/action/aide-domicile`);
  await partner.getByRole('alert').filter({ hasText: 'Introuvable (404)' }).waitFor();

  // The coordinator records the join on the action's page.
  const coord = await newPage();
  await logIn(coord, tokens.coordinator.token);
  await coord.goto(`${server.base}/ui/index.html#/action/aide-domicile`);
  await coord.getByRole('heading', { name: 'Partenaires' }).waitFor();
  assert.equal(await coord.locator('#partners li[data-partner="mission-locale-essai"]').count(), 0);
  await coord.getByLabel('Événement', { exact: true }).selectOption('partenaire_associe');
  await coord.locator('#field-partenaire').fill('mission-locale-essai');
  await coord.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  const joined = coord.locator('#partners li[data-partner="mission-locale-essai"]');
  await joined.waitFor();
  assert.match(await joined.innerText(), /^Mission locale du Val-des-Essais \(mission-locale-essai\) — a rejoint le /);
  // Those there from the start have no date.
  assert.doesNotMatch(await coord.locator('#partners li[data-partner="ccas-essai"]').innerText(), /rejoint/);
  await cardShot(coord, coord.locator('#partners'), 'partners-card');
  assert.deepEqual(coord.errors, []);
  await coord.context().close();

  // After: the action is in the partner's list (the read model follows) and its page opens.
  await until(async () => (await coordinator('GET', '/v1/projects?partner=mission-locale-essai')).total === 1,
    'the read model lists the action under the partner');
  await partner.goto(`${server.base}/ui/index.html#/programme`);
  const row = partner.locator('#my-projects tr[data-project="aide-domicile"]');
  await row.waitFor();
  assert.equal(await partner.locator('#my-projects tbody tr').count(), 1);
  await shot(partner, 'partner-after');
  await row.getByRole('link', { name: 'Aide à domicile mutualisée' }).click();
  await partner.locator('#current-phase').waitFor();
  assert.equal((await partner.locator('h1').innerText()).trim(), 'Action : Aide à domicile mutualisée');
  await partner.locator('#partners li[data-partner="mission-locale-essai"]').waitFor();
  assert.equal(await partner.locator('#partners details.partners-edit-box').count(), 0, 'a partner does not change the list');

  // The coordinator takes it off the action from the partners card: it is
  // listed as gone, and the action is hidden from it again.
  const again = await newPage();
  await logIn(again, tokens.coordinator.token);
  await again.goto(`${server.base}/ui/index.html#/action/aide-domicile`);
  await again.locator('#partners li[data-partner="mission-locale-essai"]').waitFor();
  await again.getByText('Modifier les partenaires').click();
  const box = again.getByLabel('Mission locale du Val-des-Essais (mission-locale-essai)');
  assert.equal(await box.isChecked(), true);
  await box.uncheck();
  await again.getByRole('button', { name: 'Enregistrer les partenaires' }).click();
  const gone = again.locator('#partners ul.partners-left li[data-partner="mission-locale-essai"]');
  await gone.waitFor();
  assert.match(await gone.innerText(), /^Mission locale du Val-des-Essais \(mission-locale-essai\) — parti le /);
  assert.deepEqual((await coordinator('GET', '/v1/projects/aide-domicile')).info.partners, ['ccas-essai', 'emploi-essai']);
  await cardShot(again, again.locator('#partners'), 'partners-left-card');
  assert.deepEqual(again.errors, []);
  await again.context().close();
  await partner.reload();
  await partner.getByRole('alert').filter({ hasText: 'Introuvable (404)' }).waitFor();
  // 404s of the "before" and "after" are expected console errors of that part.
  assert.deepEqual(partner.errors.filter((e) => !/status of 404/.test(e)), []);
  await partner.context().close();
});

test('the coordinator moves a review: a refusal in words with the nearest free slots, then one of them', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  const next = page.locator('section[aria-labelledby="next-title"]');
  await next.locator('button[data-move]').first().waitFor();
  const opener = next.locator('button[data-move]').first();
  const id = await opener.getAttribute('data-move');
  const find = async () => (await coordinator('GET', `/v1/programmes/${PROGRAMME}/milestones`)).milestones.find((m) => m.id === id);
  const before = await find();
  assert.ok(before, `milestone ${id} is listed`);
  await opener.click();
  const dialog = page.getByRole('dialog');
  // A Saturday at least three weeks ahead: not a working day.
  const day = new Date(Date.now() + 21 * 86_400_000);
  while (day.getUTCDay() !== 6) day.setUTCDate(day.getUTCDate() + 1);
  await dialog.getByLabel('Nouvelle date').fill(day.toISOString().slice(0, 10));
  await dialog.getByLabel(/^Heure/).fill('10:00');
  await dialog.getByRole('button', { name: 'Déplacer', exact: true }).click();
  const refusal = dialog.locator('#move-error');
  await refusal.filter({ hasText: 'n\'est pas un jour ouvré' }).waitFor();
  const slot = refusal.locator('button[data-slot]').first();
  await slot.waitFor();
  const [date, time] = (await slot.getAttribute('data-slot')).split(' ');
  await shot(page, 'move-refused');
  await slot.click();
  await dialog.getByRole('button', { name: 'Déplacer', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Rendez-vous déplacé' }).waitFor();
  const after = await find();
  assert.equal(after.date, date);
  assert.equal(after.time, time);
  assert.equal(after.sequence, before.sequence + 1);
  // The refusal is a 409 the browser logs as a failed load; nothing else.
  assert.deepEqual(page.errors.filter((e) => !/status of 409/.test(e)), []);
  await page.context().close();
});

test('an invited person creates an account, makes and revokes a token, signs out and in by password', async () => {
  // The coordinator invites through the API; the link is what the e-mail carries.
  const invitation = await coordinator('POST', '/v1/invitations', {
    email: 'Nadia.Benali@ville-essai.example', roles: ['elu'], programmes: ['sud-val-de-marnais'],
  });
  assert.match(invitation.link, /\/ui\/index\.html#\/invitation\/[A-Za-z0-9_-]{43}$/);
  const page = await newPage();
  await page.goto(`${server.base}/ui/index.html#/invitation/${invitation.link.split('/').pop()}`);
  await page.locator('#invitation-form').waitFor();
  await page.getByLabel('Prénom').fill('Nadia');
  await page.getByLabel('Nom', { exact: true }).fill('Benali');
  await page.getByLabel(/^Mot de passe/).fill('un mot de passe assez long');
  await shot(page, 'invitation-accept');
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  await page.locator('#nav a[href="#/tokens"]').waitFor();
  const cookie = (await page.context().cookies()).find((c) => c.name === 'relais_session');
  assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Lax', 'an HttpOnly, SameSite=Lax session cookie');

  // "Mes jetons": create one (shown once, works as a bearer token), then revoke it.
  await page.goto(`${server.base}/ui/index.html#/tokens`);
  await page.getByLabel('Nom du jeton').fill('tableur');
  await page.getByRole('button', { name: 'Créer un jeton' }).click();
  const shown = await page.locator('#token-shown code').innerText();
  assert.match(shown, /^rls_/);
  await page.locator('#token-list').getByText('tableur').waitFor();
  await shot(page, 'my-tokens');
  const me = await apiClient(server.base, shown)('GET', '/v1/me');
  assert.equal(me.subject, 'nadia.benali@ville-essai.example');
  await page.getByRole('button', { name: 'Révoquer' }).click();
  await page.getByText('Aucun jeton.').waitFor();
  await apiClient(server.base, shown)('GET', '/v1/me', undefined, [401]);

  // Sign out, then in with the password.
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.locator('#signin-password-form').waitFor();
  await page.getByLabel('Adresse e-mail').first().fill('nadia.benali@ville-essai.example');
  await page.getByLabel('Mot de passe').fill('pas le bon');
  await page.locator('#signin-password-form').getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('alert').filter({ hasText: 'L\'adresse e-mail ou le mot de passe ne convient pas.' }).waitFor();
  await page.getByLabel('Mot de passe').fill('un mot de passe assez long');
  await page.locator('#signin-password-form').getByRole('button', { name: 'Se connecter' }).click();
  await page.locator('#nav a[href="#/tokens"]').waitFor();
  // Accepting the invitation put her in the people directory: named by name, not by address.
  const whoami = await page.locator('#whoami').innerText();
  assert.match(whoami, /Nadia Benali/);
  assert.ok(!whoami.includes('nadia.benali@ville-essai.example'), whoami);
  // 401s of the wrong password and the revoked token are expected console errors.
  assert.deepEqual(page.errors.filter((e) => !/status of 401/.test(e)), []);
  await page.context().close();
});
