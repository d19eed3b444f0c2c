// The "Déplacer" dialog's module under node: its words exist in both
// languages, and a refused move reads as the server's reason in the page's
// language with the nearest free slots (docs/programmes.md, "Moving a review").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const WWW = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'engine', 'dashboard', 'www');
globalThis.document ??= { documentElement: {} };
const { setLang } = await import(join(WWW, 'lib', 'i18n.js'));
const { moveWord, refusalWords } = await import(join(WWW, 'lib', 'move_dialog.js'));
const { ApiError } = await import(join(WWW, 'lib', 'api.js'));

const problem = {
  type: 'https://relais.dev/problems/state-conflict', title: 'State conflict', status: 409,
  detail: 'person:paul.sud is already busy on 2027-03-02 at that time: 2B-review-20270302 (sud, 11:00–12:00).',
  code: 'person_busy',
  reason: 'person:paul.sud is already busy on 2027-03-02 at that time: 2B-review-20270302 (sud, 11:00–12:00).',
  messages: {
    fr: 'person:paul.sud est déjà pris le 2027-03-02 à cette heure-là : 2B-review-20270302 (sud, 11:00–12:00).',
    en: 'person:paul.sud is already busy on 2027-03-02 at that time: 2B-review-20270302 (sud, 11:00–12:00).',
  },
  details: { person: 'person:paul.sud' },
  nearest: [{ date: '2027-03-02', time: '14:00' }, { date: '2027-03-02', time: '09:00' }],
};

test('the dialog speaks French and English', () => {
  setLang('fr');
  assert.equal(moveWord('move'), 'Déplacer');
  assert.equal(moveWord('title', { title: 'Point d’étape' }), 'Déplacer « Point d’étape »');
  assert.equal(moveWord('done', { date: '2027-03-02', time: '14:00' }), 'Rendez-vous déplacé au 2027-03-02 à 14:00.');
  setLang('en');
  assert.equal(moveWord('move'), 'Move');
  assert.equal(moveWord('nearest'), 'Nearest free slots:');
});

test('a refused move reads in the page language, with the nearest free slots', () => {
  const failure = new ApiError(409, problem);
  setLang('fr');
  let words = refusalWords(failure);
  assert.match(words.reason, /est déjà pris le 2027-03-02/);
  assert.deepEqual(words.nearest, problem.nearest);
  setLang('en');
  words = refusalWords(failure);
  assert.match(words.reason, /is already busy on 2027-03-02/);
  // A problem without words (a 404) falls back to its detail.
  words = refusalWords(new ApiError(404, { detail: "programme 'x' has no milestone 'y'" }));
  assert.equal(words.reason, "programme 'x' has no milestone 'y'");
  assert.deepEqual(words.nearest, []);
});
