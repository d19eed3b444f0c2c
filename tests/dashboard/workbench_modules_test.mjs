// The workbench's modules alone under node: its words exist in both
// languages and every key the pages ask for exists; the filters read from
// and written to the address; what matches them; lateness said with its
// size; the programme form's axes lines and definition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sources } from './www_sources.mjs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const WWW = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'engine', 'dashboard', 'www');
// setLang marks the page's language; node has no page.
globalThis.document ??= { documentElement: {} };
const { setLang } = await import(join(WWW, 'lib', 'i18n.js'));
const { WORKBENCH_WORDS, wt, yearsText } = await import(join(WWW, 'lib', 'workbench_i18n.js'));
const filters = await import(join(WWW, 'views', 'action_filters.js'));
const { lateText, lateYears } = await import(join(WWW, 'lib', 'lateness.js'));
const { parseAxes, definitionOf } = await import(join(WWW, 'views', 'programme_form.js'));


test('the workbench words: same keys in French and English, none empty, every key used exists', () => {
  assert.deepEqual(Object.keys(WORKBENCH_WORDS.en).sort(), Object.keys(WORKBENCH_WORDS.fr).sort());
  for (const lang of ['fr', 'en']) {
    for (const [key, text] of Object.entries(WORKBENCH_WORDS[lang])) assert.ok(text.trim(), `${lang}.${key} is empty`);
  }
  const used = new Set();
  for (const file of sources(WWW)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\b(?:wt|words)\('([a-z0-9_]+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 50, 'the scan finds the pages’ keys');
  for (const key of used) assert.ok(key in WORKBENCH_WORDS.fr, `missing workbench word ${key}`);
  setLang('fr');
  assert.equal(yearsText(1), '1 an');
  assert.equal(yearsText(5), '5 ans');
});

test('filters: read from the address, written back, unknown values dropped', () => {
  const f = filters.readFilters(new URLSearchParams('q=%C3%A9tude+seniors&axis=2A&late=maybe&partner=ccas&x=1'));
  assert.deepEqual(f, { q: 'étude seniors', axis: '2A', phase: '', late: '', partner: 'ccas', person: '' });
  assert.equal(filters.filtersQuery(f), 'q=%C3%A9tude+seniors&axis=2A&partner=ccas');
  assert.deepEqual(filters.readFilters(new URLSearchParams(filters.filtersQuery(f))), f);
  assert.equal(filters.filtersQuery(filters.readFilters(null)), '');
});

test('filters: text ignores case and accents, an axis holds its sub-axes, person and partner and lateness', () => {
  const p = {
    info: { id: 'atelier-num', title: 'Atelier numérique pour les Seniors', axis: '2A', partners: ['regie'], members: [{ subject: 'person:eric' }] },
    state: { phase: 'mobilisation' }, late: true,
  };
  const up = (axis) => (axis === '2A' ? ['2A', '2'] : [axis]);
  const f = (x) => ({ ...filters.readFilters(null), ...x });
  assert.ok(filters.matches(p, f({ q: 'NUMERIQUE seniors' }), up));
  assert.ok(filters.matches(p, f({ q: 'atelier-num' }), up));
  assert.ok(!filters.matches(p, f({ q: 'numérique jeunes' }), up));
  assert.ok(filters.matches(p, f({ axis: '2' }), up));
  assert.ok(!filters.matches(p, f({ axis: '2B' }), up));
  assert.ok(filters.matches(p, f({ late: 'true', partner: 'regie', person: 'person:eric', phase: 'mobilisation' }), up));
  assert.ok(!filters.matches(p, f({ late: 'false' }), up));
  assert.ok(!filters.matches(p, f({ partner: 'ccas' }), up));
  assert.ok(!filters.matches(p, f({ person: 'person:other' }), up));
});

test('lateness with its size, in both languages', () => {
  setLang('fr');
  assert.equal(lateText({ late: false }), '');
  assert.equal(lateText({ late: true }), 'En retard');
  assert.equal(lateText({ late: true, late_by_years: 1 }), '1 an de retard');
  assert.equal(lateText({ late: true, late_by_years: 5 }), '5 ans de retard');
  assert.equal(lateYears({ late: true, late_by_years: 0 }), null, 'a size below 1 is not trusted');
  setLang('en');
  assert.equal(lateText({ late: true, late_by_years: 1 }), '1 year late');
  assert.equal(lateText({ late: true, late_by_years: 3 }), '3 years late');
  assert.equal(wt('find_clear'), 'Clear the filters');
  setLang('fr');
});

test('the programme form: axes lines, parents defined above, the definition sent', () => {
  setLang('fr');
  const good = parseAxes(['1 ; Services aux salariés', '2 ; Particuliers', '2A ; Personnes âgées ; 2']);
  assert.deepEqual(good.mistakes, []);
  assert.deepEqual(good.axes, [{ id: '1', title: 'Services aux salariés' }, { id: '2', title: 'Particuliers' },
    { id: '2A', title: 'Personnes âgées', parent: '2' }]);
  const bad = parseAxes(['Services sans identifiant', '3B ; Orphelin ; 3']);
  assert.deepEqual(bad.mistakes.map((m) => m.text), [
    'Ligne 1 des axes : « Services sans identifiant » n’a pas la forme « identifiant ; intitulé ».',
    'Ligne 2 des axes : l’axe parent « 3 » n’est pas défini au-dessus.',
  ]);
  assert.deepEqual(definitionOf({ id: 'p', title: 'P', first_year: 2025, last_year: 2027, axes: ['1 ; Un'], per_year: 3, time: '10:00' }), {
    id: 'p', title: 'P', plan_years: [2025, 2026, 2027], axes: [{ id: '1', title: 'Un' }],
    reviews: { per_year: 3, time: '10:00' }, public_holidays: false,
  });
});
