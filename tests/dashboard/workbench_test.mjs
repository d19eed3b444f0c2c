// The coordinator's workbench in a browser (issue 17): a real `relais
// serve`, Debian's chromium driven headless by playwright-core. The history
// of scenario.mjs is made in the past (the server under libfaketime from
// 2025-01-06), then the server runs on the real clock, so actions behind
// their plan are late by whole years. A coordinator creates, from the
// pages, a programme, an action, a partner with a contact and a person,
// records an event on the new action, finds it with the search (a reload
// keeps the filters), opens the report and prints it to PDF (read back by
// pdftotext, poppler-utils); axe-core checks every page at 375 and 1400 px
// wide, and a screenshot of each is written at both widths.
//
// Usage: node --test workbench_test.mjs (env RELAIS_BINARY, RELAIS_SOURCE_DIR,
// DASHBOARD_ARTIFACTS; ctest sets them). Screenshots and the PDF go to
// DASHBOARD_ARTIFACTS/workbench/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { until, openPage, startReceiver, WAIT_MS } from './browser_kit.mjs';
import { writeConfig, startServer, apiClient } from './relais_server.mjs';
import { makeScenario, PROGRAMME, ELU, ELU_NAME } from './scenario.mjs';

const BINARY = process.env.RELAIS_BINARY;
const SOURCE = process.env.RELAIS_SOURCE_DIR;
const ARTIFACTS = process.env.DASHBOARD_ARTIFACTS;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PAST = '2025-01-06 09:00:00';
// The widths every page is checked and photographed at (a phone, a desk).
const WIDTHS = [375, 1400];
// axe-core's impacts that fail the test.
const BLOCKING_IMPACTS = ['serious', 'critical'];
const SCROLL_BOX_SETTLE_MS = 300;

const tokens = {
  coordinator: { token: randomBytes(24).toString('hex'), subject: 'person:claire.martin', roles: ['coordinator'] },
  elu: { token: randomBytes(24).toString('hex'), subject: ELU, roles: ['elu'] },
};

// What the coordinator creates from the pages (invented).
const NEW_PROGRAMME = { id: 'plateforme-nord', title: 'Plate-forme d’appui du Nord-Essai' };
const NEW_ACTION_TITLE = 'Atelier numérique pour les seniors';
const NEW_PARTNER = { id: 'regie-quartier', name: 'Régie de quartier des Tilleuls' };
const NEW_PERSON = { email: 'sofia.renard@tilleuls.example', first: 'Sofia', last: 'Renard' };

let dir;
let out;
let server;
let receiver;
let browser;
let coordinator;  // API client
let newActionId;

before(async () => {
  assert.ok(BINARY && SOURCE && ARTIFACTS, 'RELAIS_BINARY, RELAIS_SOURCE_DIR and DASHBOARD_ARTIFACTS must be set');
  out = join(ARTIFACTS, 'workbench');
  mkdirSync(out, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'relais-workbench-'));
  receiver = await startReceiver();
  const config = writeConfig(dir, { sourceDir: SOURCE, tokens: Object.values(tokens) });
  const past = await startServer(BINARY, config, { fakeStart: PAST });
  await makeScenario(apiClient(past.base, tokens.coordinator.token), receiver.base, { today: '2025-01-06' });
  // A review held in the past, with its decisions, for the report.
  const pastCall = apiClient(past.base, tokens.coordinator.token);
  const first = (await pastCall('GET', `/v1/programmes/${PROGRAMME}/milestones?kind=review&person=${encodeURIComponent(ELU)}`)).milestones[0];
  await pastCall('POST', `/v1/programmes/${PROGRAMME}/milestones/${first.id}/held`,
    { notes: 'Premier point', decisions: ['Lancer l’étude de l’aide à domicile'] });
  // Indicators recorded for the programme (the report sums them by axis).
  await pastCall('POST', `/v1/programmes/${PROGRAMME}/indicators`, { action: 'aide-domicile', indicator: 'personnes_placees', value: 4, year: 2025 });
  await pastCall('POST', `/v1/programmes/${PROGRAMME}/indicators`, { action: 'relais-assistantes', indicator: 'personnes_placees', value: 3, year: 2025 });
  await past.stop();
  server = await startServer(BINARY, config);
  coordinator = apiClient(server.base, tokens.coordinator.token);
  await until(async () => (await coordinator('GET', '/v1/projects?late=true')).total >= 2, 'late actions are indexed');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function newPage(width = 1400) {
  return openPage(browser, { width, expectedStatuses: [401, 409, 422] });
}

async function logIn(page, token) {
  await page.goto(`${server.base}/`);
  await page.waitForURL(/\/ui\/index\.html/);
  await page.locator('#token-sign-in summary').click();
  await page.getByLabel('Jeton d’accès').fill(token);
  await page.getByLabel('Jeton d’accès').press('Enter');
  await page.locator('#nav a').first().waitFor();
}

// The page's title heading is drawn (views replace "Chargement…").
async function settled(page) {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('main .loading'));
}

// axe-core on the page as it is: no serious or critical violation; the
// page's body does not scroll sideways; a screenshot.
async function audit(page, name, width) {
  await settled(page);
  // lib/scroll_boxes.js marks the boxes that scroll 100 ms after the page settles.
  await page.waitForTimeout(SCROLL_BOX_SETTLE_MS);
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations.filter((v) => BLOCKING_IMPACTS.includes(v.impact))
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  assert.deepEqual(blocking, [], `axe-core on ${name} at ${width} px`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const wide = overflow <= 0 ? [] : await page.evaluate((w) => [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > w + 1 && !el.closest('.table-wrap, .svg-wrap'))
    .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className}`), width);
  assert.ok(overflow <= 0, `${name} at ${width} px scrolls sideways by ${overflow} px: ${wide.join(', ')}`);
  await page.screenshot({ path: join(out, `${name}-${width}.png`), fullPage: true });
  return results;
}

test('a coordinator creates a programme, a partner with a contact, a person and an action from the pages', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.getByRole('heading', { name: /Plate-forme d’appui du Val-des-Essais/ }).waitFor();

  // A programme: the form refuses a bad id and an empty title before sending.
  await page.getByRole('link', { name: 'Nouveau programme' }).click();
  await page.getByRole('heading', { name: 'Nouveau programme' }).waitFor();
  await page.getByLabel(/^Identifiant/).fill('nord essai');
  await page.getByRole('button', { name: 'Créer le programme' }).click();
  const errors = page.locator('#new-programme .field-error');
  await errors.first().waitFor();
  assert.match(await errors.allInnerTexts().then((x) => x.join('\n')), /Intitulé : ce champ est obligatoire/);
  assert.match(await errors.allInnerTexts().then((x) => x.join('\n')), /lettres, chiffres/);
  assert.equal(await page.locator('[aria-invalid="true"]').first().evaluate((el) => el === document.activeElement), true,
    'the first field to correct has the focus');
  await page.getByLabel(/^Identifiant/).fill(NEW_PROGRAMME.id);
  await page.locator('#new-programme-title').fill(NEW_PROGRAMME.title);
  await page.getByLabel(/^Communes/).fill('Nord-Essai\nLes Tilleuls');
  await page.getByLabel(/^Axes/).fill('1 ; Services aux seniors\n1A ; Numérique ; 1\n2 ; Mobilité');
  await page.getByRole('button', { name: 'Créer le programme' }).click();
  await page.getByRole('heading', { name: `Programme : ${NEW_PROGRAMME.title}` }).waitFor();
  const made = await coordinator('GET', `/v1/programmes/${NEW_PROGRAMME.id}`);
  assert.deepEqual(made.definition.axes.map((a) => a.id), ['1', '1A', '2']);
  assert.equal(made.definition.axes[1].parent, '1');

  // A partner with its first contact.
  await page.getByRole('link', { name: 'Partenaires', exact: true }).click();
  await page.getByRole('heading', { name: 'Nouveau partenaire' }).waitFor();
  await page.locator('#new-partner-id').fill(NEW_PARTNER.id);
  await page.locator('#new-partner-name').fill(NEW_PARTNER.name);
  await page.locator('#new-partner-kind').fill('association');
  await page.locator('#new-partner-contact-last_name').fill('Moreau');
  await page.getByRole('button', { name: 'Créer le partenaire' }).click();
  // A contact begun needs an address.
  await page.locator('#new-partner .field-error', { hasText: 'Adresse e-mail : ce champ est obligatoire' }).waitFor();
  await page.locator('#new-partner-contact-email').fill('luc.moreau@tilleuls.example');
  await page.locator('#new-partner-contact-first_name').fill('Luc');
  await page.getByRole('button', { name: 'Créer le partenaire' }).click();
  await page.getByRole('status').filter({ hasText: `Partenaire créé : ${NEW_PARTNER.name}` }).waitFor();
  const row = page.locator(`#partners-table tr[data-partner="${NEW_PARTNER.id}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /Luc Moreau/);
  const contact = await coordinator('GET', '/v1/people/luc.moreau@tilleuls.example');
  assert.equal(contact.partner, NEW_PARTNER.id);
  // A second partner with the same id: the server's refusal in words.
  await page.locator('#new-partner-id').fill(NEW_PARTNER.id);
  await page.locator('#new-partner-name').fill('Doublon');
  await page.locator('#new-partner-contact-last_name').fill('');
  await page.locator('#new-partner-contact-email').fill('');
  await page.locator('#new-partner-contact-first_name').fill('');
  await page.getByRole('button', { name: 'Créer le partenaire' }).click();
  await page.locator('#new-partner-refusal').waitFor();
  assert.match(await page.locator('#new-partner-refusal').innerText(), /Le serveur a refusé : .*\(409\)/);
  // Edit it: its kind changes. The form shows who registered it.
  await row.getByRole('button', { name: `Modifier : ${NEW_PARTNER.name}` }).click();
  await page.locator('.entry-history li[data-type="partner_registered"]', { hasText: 'par ' }).waitFor();
  await page.locator('#edit-partner-kind').fill('régie de quartier');
  await page.getByRole('button', { name: 'Enregistrer les modifications' }).click();
  await page.getByRole('status').filter({ hasText: 'Partenaire enregistré' }).waitFor();
  assert.equal((await coordinator('GET', `/v1/partners/${NEW_PARTNER.id}`)).kind, 'régie de quartier');
  const partnerChanges = (await coordinator('GET', `/v1/partners/${NEW_PARTNER.id}/history`)).changes;
  assert.deepEqual(partnerChanges.map((c) => c.type), ['partner_registered', 'partner_changed']);
  assert.ok(partnerChanges.every((c) => c.actor === tokens.coordinator.subject), 'each change has its author');

  // A person working for that partner, then edited.
  await page.getByRole('link', { name: 'Personnes', exact: true }).click();
  await page.getByRole('heading', { name: 'Nouvelle personne' }).waitFor();
  await page.locator('#new-person-email').fill('pas-une-adresse');
  await page.locator('#new-person-last_name').fill(NEW_PERSON.last);
  await page.getByRole('button', { name: 'Créer la personne' }).click();
  await page.locator('#new-person .field-error', { hasText: 'ce n’est pas une adresse e-mail' }).waitFor();
  await page.locator('#new-person-email').fill(NEW_PERSON.email);
  await page.locator('#new-person-first_name').fill(NEW_PERSON.first);
  await page.locator('#new-person-civility').selectOption('Mme');
  await page.locator('#new-person-partner').selectOption(NEW_PARTNER.id);
  await page.getByRole('button', { name: 'Créer la personne' }).click();
  const personRow = page.locator(`#people-table tr[data-person="${NEW_PERSON.email}"]`);
  await personRow.waitFor();
  assert.match(await personRow.innerText(), /Mme Sofia Renard/);
  await personRow.getByRole('button', { name: 'Modifier : Mme Sofia Renard' }).click();
  await page.locator('#edit-person-function').fill('Médiatrice numérique');
  await page.getByRole('button', { name: 'Enregistrer les modifications' }).click();
  await page.getByRole('status').filter({ hasText: 'Personne enregistrée' }).waitFor();
  assert.equal((await coordinator('GET', `/v1/people/${encodeURIComponent(NEW_PERSON.email)}`)).function, 'Médiatrice numérique');

  // An action of the scenario's programme, with that partner and person.
  await page.goto(`${server.base}/ui/index.html#/programme/${PROGRAMME}`);
  await page.getByRole('link', { name: 'Nouvelle action' }).click();
  await page.getByRole('heading', { name: /Nouvelle action dans/ }).waitFor();
  await page.getByRole('button', { name: 'Créer l’action' }).click();
  await page.locator('#new-action .field-error', { hasText: 'Intitulé de l’action : ce champ est obligatoire' }).waitFor();
  await page.getByLabel('Intitulé de l’action').fill(NEW_ACTION_TITLE);
  await page.locator('#new-action-axis').selectOption('2A');
  await page.getByLabel(NEW_PARTNER.name).check();
  await page.getByLabel(/^Élu référent/).selectOption(ELU);
  const thisYear = new Date().getFullYear();
  await page.locator('#new-action-planned-mobilisation').fill(String(thisYear - 2));
  await page.locator('#new-action-planned-faisabilite').fill('1850');
  await page.getByRole('button', { name: 'Créer l’action' }).click();
  await page.locator('#new-action .field-error', { hasText: '1850 est inférieur au minimum, 1900' }).waitFor();
  await page.locator('#new-action-planned-faisabilite').fill(String(thisYear + 1));
  await page.getByRole('button', { name: 'Créer l’action' }).click();
  await page.getByRole('heading', { name: `Action : ${NEW_ACTION_TITLE}` }).waitFor();
  newActionId = decodeURIComponent(page.url().split('#/action/')[1]);
  const action = await coordinator('GET', `/v1/projects/${encodeURIComponent(newActionId)}`);
  assert.equal(action.info.programme, PROGRAMME);
  assert.deepEqual(action.info.partners, [NEW_PARTNER.id]);
  assert.equal(action.info.planned_years.mobilisation, thisYear - 2);
  // Planned two years ago, still in mobilisation: late, and by how much.
  await page.locator('.status-line .badge.late').waitFor();
  assert.match(await page.locator('.status-line .badge.late').innerText(), /ans? de retard|En retard/);

  // An event on the new action, recorded from its page, with its author.
  await page.getByLabel('Événement', { exact: true }).selectOption('mobilisation_avancee');
  await page.locator('select[name="volet"]').selectOption('partenaires');
  await page.locator('select[name="etape"]').selectOption('mobilises');
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Événement enregistré' }).waitFor();
  const history = await coordinator('GET', `/v1/projects/${encodeURIComponent(newActionId)}/events`);
  const recorded = history.events.find((e) => e.type === 'mobilisation_avancee');
  assert.ok(recorded, 'the event is in the history');
  assert.equal(recorded.metadata.actor, tokens.coordinator.subject, 'recorded with its author');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the search finds the new action; the filters live in the address and survive a reload', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.goto(`${server.base}/ui/index.html#/programme/${PROGRAMME}`);
  await page.locator('table.actions tbody tr').first().waitFor();
  const total = await page.locator('table.actions tbody tr').count();
  assert.ok(total >= 6, 'the scenario’s five actions and the new one');
  // Accents and case do not matter.
  await page.getByLabel('Titre ou identifiant').fill('numerique SENIORS');
  await until(async () => (await page.locator('table.actions tbody tr').count()) === 1, 'one action is found');
  assert.equal(await page.locator('table.actions tbody tr').getAttribute('data-project'), newActionId);
  await page.waitForFunction(() => location.hash.includes('q='));
  // A filter by partner, then by person.
  await page.getByLabel('Titre ou identifiant').fill('');
  await page.getByLabel('Partenaire', { exact: true }).selectOption(NEW_PARTNER.id);
  await until(async () => (await page.locator('table.actions tbody tr').count()) === 1, 'one action with that partner');
  await page.getByLabel('Partenaire', { exact: true }).selectOption('');
  await page.getByLabel('Personne', { exact: true }).selectOption(ELU);
  await until(async () => (await page.locator('table.actions tbody tr').count()) === 3, 'the élu’s three actions');
  // Late ones of axis 2 (its sub-axes included).
  await page.getByLabel('Personne', { exact: true }).selectOption('');
  await page.getByLabel('Retard', { exact: true }).selectOption('true');
  await page.getByLabel('Axe', { exact: true }).selectOption('2');
  await until(async () => page.url().includes('late=true') && page.url().includes('axis=2'), 'the address holds the filters');
  const lateRows = await page.locator('table.actions tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.project));
  const expected = (await coordinator('GET', `/v1/projects?programme=${PROGRAMME}&late=true&limit=100`)).projects
    .filter((p) => ['2', '2A', '2B'].includes(p.info.axis) && !p.info.parent).map((p) => p.info.id).sort();
  assert.deepEqual(lateRows.sort(), expected);
  assert.ok(expected.includes(newActionId));
  // Every lateness shown says its size when the server gives it.
  for (const badge of await page.locator('table.actions .badge.late').all()) {
    assert.match(await badge.innerText(), /^(\d+ ans? de retard|1 an de retard|En retard)$/);
  }
  // The address opens the same view in a new page (shared) and after a reload.
  const address = page.url();
  await page.reload();
  await page.locator('table.actions tbody tr').first().waitFor();
  assert.equal(await page.getByLabel('Retard', { exact: true }).inputValue(), 'true');
  assert.equal(await page.getByLabel('Axe', { exact: true }).inputValue(), '2');
  assert.deepEqual((await page.locator('table.actions tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.project))).sort(), expected);
  const other = await newPage();
  await logIn(other, tokens.coordinator.token);
  await other.goto(address);
  await other.locator('table.actions tbody tr').first().waitFor();
  assert.equal(await other.locator('table.actions tbody tr').count(), expected.length);
  // Clearing gives the whole list back.
  await page.getByRole('button', { name: 'Effacer les filtres' }).click();
  await until(async () => (await page.locator('table.actions tbody tr').count()) === total, 'the whole list is back');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
  await page.context().close();
  await other.context().close();
});

test('the report for the steering committee, printed to PDF, says the lateness, the indicators, the reviews and the decisions', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.goto(`${server.base}/ui/index.html#/programme/${PROGRAMME}`);
  await page.getByRole('link', { name: 'Rapport pour le comité de pilotage' }).click();
  await page.getByRole('heading', { name: /Rapport du programme/ }).waitFor();
  const lateRows = page.locator('#report-late tbody tr');
  await lateRows.first().waitFor();
  const late = (await coordinator('GET', `/v1/projects?programme=${PROGRAMME}&late=true&limit=100`)).projects.filter((p) => !p.info.parent);
  assert.equal(await lateRows.count(), late.length);
  for (const p of late) {
    const text = await page.locator(`#report-late tr[data-project="${p.info.id}"]`).innerText();
    const size = p.late_by_years === undefined ? 'En retard' : p.late_by_years === 1 ? '1 an de retard' : `${p.late_by_years} ans de retard`;
    assert.ok(text.includes(size), `${p.info.id}: ${text} says ${size}`);
  }
  // Indicators: 4 + 3 people placed on two actions of axis 2A, counted in axis 2 too.
  assert.match(await page.locator('section[data-axis="2A"] table.report-indicators').innerText(), /personnes placees\s+7/);
  assert.match(await page.locator('section[data-axis="2"] table.report-indicators').innerText(), /personnes placees\s+7/);
  assert.match(await page.locator('section[data-axis="1"]').innerText(), /Aucun indicateur enregistré/);
  assert.match(await page.locator('#report-decisions').innerText(), /Lancer l’étude de l’aide à domicile/);
  assert.match(await page.locator('#report-held').innerText(), new RegExp(ELU_NAME));
  // Charts: the 7 people placed in 2025, a bar of axis 2 with its value
  // written on it; the conciergerie's study, planned for 2025 and entered
  // that year, its current phase late against its plan.
  const bar = page.locator('figure[data-indicator="personnes_placees"] g[data-axis="2"][data-year="2025"]');
  assert.equal(await bar.locator('text').textContent(), '7');
  const plan = page.locator('figure.plan-chart[data-axis="1"] g[data-project="conciergerie"]');
  assert.equal(await plan.locator('g[data-phase="etude"] circle.real').count(), 1, 'the study was entered');
  assert.equal(await plan.locator('g[data-phase="etude"].late').count(), 1, 'its study is late against its plan');

  // Printed: the PDF's text, read by pdftotext, holds the report and not the page's chrome.
  const pdfPath = join(out, 'report.pdf');
  await page.emulateMedia({ media: 'print' });
  await page.pdf({ path: pdfPath, format: 'A4', printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  assert.ok(existsSync(pdfPath));
  // Lines broken at a hyphen or a space are joined again.
  const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' }).replace(/-\n\s*/g, '-').replace(/\s+/g, ' ');
  assert.match(text, /Rapport du programme : Plate-forme d’appui du Val-des-Essais/);
  assert.match(text, /Actions en retard/);
  assert.match(text, /Lancer l’étude de l’aide à domicile/);
  // A title may wrap inside its cell, so its first words are looked for.
  for (const p of late) {
    const start = p.info.title.split(' ').slice(0, 3).join(' ');
    assert.ok(text.includes(start), `the PDF names ${start}`);
  }
  assert.match(text, /personnes placees par axe et par année/, 'the charts are printed, their titles as text');
  assert.ok(!text.includes('Imprimer ou enregistrer en PDF'), 'no button on paper');
  assert.ok(!text.includes('Se déconnecter'), 'no top bar on paper');

  // In English, with the year narrowed.
  await page.getByRole('button', { name: 'Passer en anglais' }).click();
  await page.getByRole('heading', { name: /Programme report/ }).waitFor();
  await page.getByLabel('Year', { exact: true }).selectOption(String(new Date().getFullYear()));
  await page.waitForURL(/year=\d{4}/);
  await page.getByRole('heading', { name: /Programme report/ }).waitFor();
  for (const badge of await page.locator('#report-late .badge.late').all()) {
    assert.match(await badge.innerText(), /^(\d+ years late|1 year late|Late)$/);
  }
  await page.getByRole('button', { name: 'Passer en français' }).or(page.getByRole('button', { name: 'Switch to French' })).click();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a coordinator’s “Mes points” is their agenda with every élu; an élu’s is theirs, without the forms', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.getByRole('link', { name: 'Mes points' }).click();
  await page.getByRole('heading', { name: 'Mes points avec les élus' }).waitFor();
  assert.equal(await page.locator('#elu-select').inputValue(), '');
  assert.match(await page.locator('section[aria-labelledby="elu-next-title"]').innerText(), new RegExp(ELU_NAME));
  await page.locator('#elu-select').selectOption(ELU);
  await page.getByRole('heading', { name: `Points de ${ELU_NAME}` }).waitFor();
  // The review dialog is centred on the screen.
  const move = page.locator('section[aria-labelledby="elu-next-title"] button[data-move]').first();
  await move.click();
  const box = await page.locator('dialog[open]').boundingBox();
  const viewport = page.viewportSize();
  assert.ok(Math.abs(box.x + box.width / 2 - viewport.width / 2) < 4, `the dialog is centred (x ${box.x}, width ${box.width})`);
  await page.keyboard.press('Escape');
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.move !== undefined), true, 'Escape gives the focus back');
  // In English, review titles too.
  await page.getByRole('button', { name: 'Passer en anglais' }).click();
  await page.getByRole('heading', { name: `Reviews of ${ELU_NAME.replace('M.', 'Mr')}` }).or(page.getByRole('heading', { name: 'My reviews with the elected referents' })).first().waitFor();
  const reviews = await page.locator('section[aria-labelledby="elu-next-title"] tbody').innerText();
  assert.doesNotMatch(reviews, /Point avec|Point d’étape|Prévu|À tenir/, 'review titles and states in English');
  await page.context().close();

  const elu = await newPage();
  await logIn(elu, tokens.elu.token);
  await elu.getByRole('link', { name: 'Mes points' }).click();
  await elu.getByRole('heading', { name: 'Mes points avec la coordination' }).waitFor();
  assert.equal(await elu.locator('#elu-select').count(), 0);
  // The forms are for coordinators and admins: no link to them, and the page itself says so.
  assert.equal(await elu.locator('#nav a[href="#/partners"], #nav a[href="#/people"]').count(), 0);
  await elu.goto(`${server.base}/ui/index.html#/programme/${PROGRAMME}`);
  await elu.locator('#tool-report').waitFor();
  assert.equal(await elu.locator('#tool-new-action, #tool-new-programme').count(), 0);
  await elu.goto(`${server.base}/ui/index.html#/partners`);
  await elu.getByRole('alert').filter({ hasText: 'Vous n’avez pas le droit de faire cela' }).waitFor();
  await elu.context().close();
});

test('keyboard: the skip link, the navigation and the search are reached with Tab', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.locator('table.actions tbody tr').first().waitFor();
  // From the top of a freshly loaded page (the session stays in the tab).
  await page.reload();
  await page.locator('table.actions tbody tr').first().waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  // Tab order reaches the search field; typing filters; Escape-free.
  for (let i = 0; i < 60 && await page.evaluate(() => document.activeElement?.id) !== 'filter-q'; i += 1) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'filter-q');
  await page.keyboard.type('conciergerie');
  await until(async () => (await page.locator('table.actions tbody tr').count()) === 1, 'typed search filters');
  // A link of the list opens with Enter.
  for (let i = 0; i < 30 && !(await page.evaluate(() => document.activeElement?.closest?.('table.actions'))); i += 1) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: /Action : Conciergerie/ }).waitFor();
  await page.context().close();
});

// A file the page hands to the browser as a download, saved and read back
// by tests/report/read_table.py (Python's csv module; openpyxl for XLSX).
async function downloaded(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = join(out, download.suggestedFilename());
  await download.saveAs(path);
  // Debian's python3-openpyxl is installed for the system's Python, not a pyenv shim.
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const read = JSON.parse(execFileSync(python, [join(SOURCE, 'tests', 'report', 'read_table.py'), path], { encoding: 'utf8' }));
  return { name: download.suggestedFilename(), read };
}

test('the programme exported as CSV and XLSX from its page, read back by an independent reader', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.goto(`${server.base}/ui/index.html#/programme/${PROGRAMME}`);
  const card = page.locator('section.exports');
  await card.waitFor();
  const csv = await downloaded(page, card.locator('button[data-export="actions.csv"]'));
  assert.match(csv.name, new RegExp(`^${PROGRAMME}-actions-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  assert.equal(csv.read.bom, true, 'UTF-8 with its byte order mark, for Excel');
  const rows = csv.read.sheets.csv;
  assert.equal(rows[0][0], 'Identifiant');
  const projects = (await coordinator('GET', `/v1/projects?programme=${PROGRAMME}&limit=100`)).projects;
  assert.equal(rows.length - 1, projects.length, 'one row per action');
  const conciergerie = rows.find((r) => r[0] === 'conciergerie');
  assert.ok(conciergerie, 'the conciergerie is listed');
  assert.equal(conciergerie[4], 'Étude de faisabilité', 'the phase by its label');
  assert.equal(conciergerie[7], 'oui');
  assert.ok(Number(conciergerie[8]) >= 1, `years late: ${conciergerie[8]}`);

  const xlsx = await downloaded(page, card.locator('button[data-export="all.xlsx"]'));
  assert.match(xlsx.name, /-all-.*\.xlsx$/);
  assert.deepEqual(Object.keys(xlsx.read.sheets), ['Actions', 'Indicateurs', 'Échéances', 'Historique']);
  const indicators = xlsx.read.sheets.Indicateurs.slice(1);
  assert.ok(indicators.some((r) => r[0] === 'aide-domicile' && r[3] === 'personnes_placees' && r[5] === 4),
    `the indicator recorded, as a number: ${JSON.stringify(indicators)}`);
  assert.ok(xlsx.read.sheets.Historique.some((r) => r[0] === 'conciergerie' && r[4] === 'etude_lancee'));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('what is missing: the action page names each condition still unmet, in the method’s words', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.goto(`${server.base}/ui/index.html#/action/relais-assistantes`);
  const card = page.locator('section.next-steps');
  await card.waitFor();
  // A positive verdict, no porteur yet: the set-up waits for the porteur.
  const setup = card.locator('li.step[data-event="montage_demarre"]');
  await setup.waitFor();
  assert.match(await setup.innerText(), /Pas encore possible/);
  assert.match(await setup.locator('.condition.unmet').innerText(), /la recherche d'un porteur est un préalable au montage/);
  assert.match(await setup.locator('.condition.met').innerText(), /le montage suit un verdict de faisabilité positif/);
  // What the state holds, with the method's labels.
  assert.match(await card.innerText(), /Verdict\s+Positif/);
  // Recording the porteur from the page makes the set-up possible.
  await page.goto(`${server.base}/ui/index.html#/programme/${PROGRAMME}`);
  await coordinator('POST', '/v1/projects/relais-assistantes/events',
    { type: 'porteur_identifie', data: { nom: 'Association des Tilleuls', nature: 'association' } });
  await page.goto(`${server.base}/ui/index.html#/action/relais-assistantes`);
  await card.locator('li.step.ready[data-event="montage_demarre"]').waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('roles and terms from the programme page: a person given a role for a term, then the term ended', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.goto(`${server.base}/ui/index.html#/programme/${PROGRAMME}`);
  const card = page.locator('#terms');
  await card.waitFor();
  // A référent technique needs an axis: said before sending.
  await card.locator('#term-person').selectOption(NEW_PERSON.email);
  await card.locator('#term-role').selectOption('referent_technique');
  await card.getByRole('button', { name: 'Confier le rôle' }).click();
  await card.locator('#term-error', { hasText: 'choisissez-le' }).waitFor();
  await card.locator('#term-axis').selectOption('3');
  await card.getByRole('button', { name: 'Confier le rôle' }).click();
  await page.getByRole('status').filter({ hasText: 'Référent technique' }).waitFor();
  const given = (await coordinator('GET', `/v1/programmes/${PROGRAMME}`)).assignments
    .find((a) => a.person === NEW_PERSON.email && a.role === 'referent_technique' && a.active);
  assert.ok(given, 'the term is in the programme');
  assert.equal(given.axis, '3');
  const row = card.locator(`tr[data-assignment="${given.id}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(`${NEW_PERSON.first} ${NEW_PERSON.last}`));
  await row.getByRole('button', { name: /^Terminer le mandat/ }).click();
  await page.getByRole('status').filter({ hasText: 'Mandat terminé' }).waitFor();
  const ended = (await coordinator('GET', `/v1/programmes/${PROGRAMME}`)).assignments.find((a) => a.id === given.id);
  assert.equal(ended.active, false);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an action’s title, axis and plan changed from its page, recorded with its author', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.goto(`${server.base}/ui/index.html#/action/garde-horaires`);
  const card = page.locator('#edit-action');
  await card.locator('summary').click();
  await card.locator('#edit-action-title').waitFor();
  await card.locator('#edit-action-title').fill('Garde d’enfants en horaires décalés');
  await card.locator('#edit-year-mobilisation').fill('12');
  await card.getByRole('button', { name: 'Enregistrer les changements' }).click();
  await card.locator('#edit-action-error', { hasText: 'une année de 1900 à 9999' }).waitFor();
  await card.locator('#edit-year-mobilisation').fill('2027');
  await card.getByRole('button', { name: 'Enregistrer les changements' }).click();
  await page.getByRole('status').filter({ hasText: 'Action modifiée.' }).waitFor();
  await page.getByRole('heading', { name: /Garde d’enfants en horaires décalés/ }).waitFor();
  const state = await coordinator('GET', '/v1/projects/garde-horaires');
  assert.equal(state.info.title, 'Garde d’enfants en horaires décalés');
  assert.equal(state.info.planned_years.mobilisation, 2027);
  const { events } = await coordinator('GET', '/v1/projects/garde-horaires/events?limit=200');
  const changed = events.filter((e) => e.type === 'project_details_changed').at(-1);
  assert.equal(changed.metadata.actor, tokens.coordinator.subject);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a programme’s title, region, towns and axes changed from its page; its calendar stays', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.goto(`${server.base}/ui/index.html#/programme/${NEW_PROGRAMME.id}`);
  await page.getByRole('link', { name: 'Modifier le programme' }).click();
  await page.locator('#edit-programme-title').waitFor();
  const before = await coordinator('GET', `/v1/programmes/${NEW_PROGRAMME.id}`);
  await page.locator('#edit-programme-region').fill('Hauts-de-France');
  await page.locator('#edit-programme-axes').fill('1 ; Services aux seniors\n1A ; Numérique ; 1\n2 ; Mobilité\n3 ; Emplois de services');
  await page.locator('#edit-programme-axes').press('End');
  await page.getByRole('button', { name: 'Enregistrer le programme' }).click();
  await page.getByRole('status').filter({ hasText: 'Programme modifié.' }).waitFor();
  const after = await coordinator('GET', `/v1/programmes/${NEW_PROGRAMME.id}`);
  assert.equal(after.definition.region, 'Hauts-de-France');
  assert.deepEqual(after.definition.axes.map((a) => a.id), ['1', '1A', '2', '3']);
  assert.deepEqual(after.definition.plan_years, before.definition.plan_years, 'the calendar stays');
  assert.deepEqual(after.definition.reviews, before.definition.reviews, 'the review rule stays');
  assert.equal(after.version, before.version + 1, 'one event: the details, no milestone');
  // A line that is not an axis is said before sending.
  await page.goto(`${server.base}/ui/index.html#/edit/programme/${NEW_PROGRAMME.id}`);
  await page.locator('#edit-programme-axes').fill('pas un axe');
  await page.getByRole('button', { name: 'Enregistrer le programme' }).click();
  await page.locator('#edit-programme-error p').first().waitFor();
  await audit(page, 'edit-programme', 1400);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a programme’s plan years and review rule changed from its page place its coming calendar again', async () => {
  // An élu référent for axis 2 of the new programme, for two years from today.
  const today = new Date();
  const iso = (d) => d.toISOString().slice(0, 10);
  const end = new Date(today);
  end.setFullYear(end.getFullYear() + 2);
  await coordinator('POST', `/v1/programmes/${NEW_PROGRAMME.id}/assignments`,
    { person: NEW_PERSON.email, role: 'elu_referent', axis: '2', start: iso(today), end: iso(end) });
  const reviews = async (status) => (await coordinator('GET',
    `/v1/programmes/${NEW_PROGRAMME.id}/milestones?kind=review&status=${status}&person=${encodeURIComponent(NEW_PERSON.email)}`)).milestones;
  const placed = await reviews('scheduled');
  assert.ok(placed.length >= 4, `three a year over two years, from tomorrow: ${placed.length}`);
  const before = (await coordinator('GET', `/v1/programmes/${NEW_PROGRAMME.id}`)).definition;

  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.goto(`${server.base}/ui/index.html#/edit/programme/${NEW_PROGRAMME.id}`);
  await page.locator('#edit-review-time').waitFor();
  // A time that is not HH:MM and hours that are not spans are said before sending.
  await page.locator('#edit-review-time').fill('14h');
  await page.locator('#edit-review-hours').fill('matin');
  await page.getByRole('button', { name: 'Enregistrer le programme' }).click();
  await page.locator('#edit-programme-error', { hasText: 'HH:MM-HH:MM' }).waitFor();
  assert.match(await page.locator('#edit-programme-error').innerText(), /Heure des points/);
  // Twice a year, in March and October, at 14:00; one more plan year.
  await page.locator('#edit-review-time').fill('14:00');
  await page.locator('#edit-review-hours').fill('');
  await page.locator('#edit-review-months').fill('3, 10');
  await page.locator('#edit-review-day').fill('15');
  await page.locator('#edit-programme-last-year').fill(String(Math.max(...before.plan_years) + 1));
  await page.getByRole('button', { name: 'Enregistrer le programme' }).click();
  await page.getByRole('status').filter({ hasText: 'le calendrier à venir est replacé' }).waitFor();

  const after = (await coordinator('GET', `/v1/programmes/${NEW_PROGRAMME.id}`)).definition;
  assert.deepEqual(after.reviews.months, [3, 10]);
  assert.equal(after.reviews.time, '14:00');
  assert.deepEqual(after.plan_years, [...before.plan_years, Math.max(...before.plan_years) + 1]);
  const now = await reviews('scheduled');
  assert.ok(now.length >= 3 && now.length <= 5, `twice a year over two years: ${now.length}`);
  for (const m of now) {
    assert.ok(['03', '10'].includes(m.date.slice(5, 7)), `${m.id} on ${m.date}`);
    assert.equal(m.time, '14:00', m.id);
  }
  // The reviews the new rule does not keep are cancelled (their élu and the coordinators are told).
  const cancelled = (await reviews('cancelled')).map((m) => m.id).sort();
  assert.deepEqual(cancelled, placed.filter((m) => !now.some((n) => n.id === m.id)).map((m) => m.id).sort());
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the network groups the programmes by region, each figure opening its programme', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.getByRole('link', { name: 'Réseau' }).click();
  await page.getByRole('heading', { name: 'Réseau des programmes' }).waitFor();
  const network = await coordinator('GET', '/v1/network');
  assert.equal(await page.locator('section.region').count(), network.regions.length);
  // The network's export: each row names its programme.
  const csv = await downloaded(page, page.locator('section.exports button[data-export="actions.csv"]'));
  assert.match(csv.name, /^network-actions-/);
  const rows = csv.read.sheets.csv;
  assert.equal(rows[0][0], 'Programme');
  assert.ok(rows.some((r) => r[0] === PROGRAMME && r[1] === 'conciergerie'), 'the conciergerie under its programme');
  const link = page.getByRole('link', { name: /Val-des-Essais/ });
  await link.click();
  await page.getByRole('heading', { name: /Programme : Plate-forme d’appui du Val-des-Essais/ }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a new version of the method: checked at its lines, its changes read, deployed, actions moved after a dry run', async () => {
  const page = await newPage();
  await logIn(page, tokens.coordinator.token);
  await page.getByRole('link', { name: 'Méthodes' }).click();
  await page.getByRole('heading', { name: 'Nouvelle version d’une méthode' }).waitFor();
  const { readFileSync } = await import('node:fs');
  const original = readFileSync(join(SOURCE, 'workflows', 'cbe.yaml'), 'utf8');
  // A broken file: the diagnostic at its line, nothing deployable.
  await page.locator('#wf-source').fill(original.replace('initial: [', 'initial: [nowhere, '));
  await page.getByRole('button', { name: 'Vérifier' }).click();
  await page.locator('#wf-report .diagnostic.error').first().waitFor();
  assert.match(await page.locator('#wf-report').innerText(), /ligne \d+, colonne \d+/);
  assert.equal(await page.locator('#wf-deploy').isDisabled(), true);
  // A label changed: the change is named, then deployed.
  const relabelled = original.replace('labels: {fr: "Mobilisation", en: "Mobilisation"}',
    'labels: {fr: "Mobilisation des acteurs", en: "Mobilisation"}');
  assert.notEqual(relabelled, original);
  await page.locator('#wf-source').fill(relabelled);
  await page.getByRole('button', { name: 'Vérifier' }).click();
  await page.locator('#wf-changes').filter({ hasText: 'mobilisation' }).waitFor();
  assert.match(await page.locator('#wf-changes').innerText(), /Phases : modifiées \/ modifiés : mobilisation/);
  await page.locator('#wf-deploy:not([disabled])').click();
  // The dry run says what would move; nothing moves until asked.
  await page.locator('#wf-dry-run').click();
  await page.locator('#wf-results li[data-outcome="would_move"]').first().waitFor();
  const before = await coordinator('GET', '/v1/projects/conciergerie');
  await page.locator('#wf-migrate').click();
  await page.locator('#wf-results li[data-outcome="moved"]').first().waitFor();
  const after = await coordinator('GET', '/v1/projects/conciergerie');
  assert.notEqual(after.info.workflow_hash, before.info.workflow_hash, 'moved to the new version');
  assert.equal(after.state.phase, before.state.phase);
  await audit(page, 'workflows', 1400);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('every page passes axe-core (no serious or critical violation) and fits 375 and 1400 px; screenshots of each', async () => {
  const deliveriesEndpoint = (await coordinator('GET', '/v1/webhooks/endpoints')).endpoints[0]?.id ?? '';
  const pages = [
    ['programme', `#/programme/${PROGRAMME}`],
    ['programme-filtered', `#/programme/${PROGRAMME}?late=true&axis=2`],
    ['action', `#/action/${newActionId ?? 'aide-domicile'}`],
    ['report', `#/report/${PROGRAMME}`],
    ['new-programme', '#/new/programme'],
    ['new-action', `#/new/action/${PROGRAMME}`],
    ['partners', '#/partners'],
    ['people', '#/people'],
    ['agenda', '#/elu'],
    ['deliveries', '#/deliveries'],
    ['deliveries-address', `#/deliveries?endpoint=${deliveriesEndpoint}&since=2000-01-01`],
    ['network', '#/network'],
    ['workflows', '#/workflows'],
    ['tokens', '#/tokens'],
    ['accounts', '#/accounts'],
  ];
  for (const width of WIDTHS) {
    const page = await newPage(width);
    await logIn(page, tokens.coordinator.token);
    for (const [name, hash] of pages) {
      await page.goto(`${server.base}/ui/index.html${hash}`);
      await audit(page, name, width);
    }
    // The English report, the élu's own page.
    await page.getByRole('button', { name: 'Passer en anglais' }).click();
    await page.goto(`${server.base}/ui/index.html#/report/${PROGRAMME}`);
    await page.getByRole('heading', { name: /Programme report/ }).waitFor();
    await audit(page, 'report-en', width);
    await page.getByRole('button', { name: 'Switch to French' }).click();
    assert.deepEqual(page.errors, []);
    await page.context().close();
    const elu = await newPage(width);
    await logIn(elu, tokens.elu.token);
    await elu.goto(`${server.base}/ui/index.html#/elu`);
    await elu.getByRole('heading', { name: 'Mes points avec la coordination' }).waitFor();
    await audit(elu, 'elu', width);
    await elu.context().close();
    // The sign-in page, before any token.
    const anonymous = await newPage(width);
    await anonymous.goto(`${server.base}/`);
    await anonymous.locator('#token-sign-in').waitFor();
    await audit(anonymous, 'sign-in', width);
    await anonymous.context().close();
  }
});

test('the favicon is linked and served', async () => {
  const page = await newPage();
  await page.goto(`${server.base}/`);
  const href = await page.locator('link[rel="icon"]').getAttribute('href');
  const icon = await fetch(new URL(href, server.base));
  assert.equal(icon.status, 200);
  assert.match(icon.headers.get('content-type'), /^image\/svg\+xml/);
  assert.match(await icon.text(), /<svg/);
  await page.context().close();
});
