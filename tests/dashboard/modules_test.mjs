// The dashboard's modules outside the browser (node's test runner): every
// string exists in both languages and every key the pages use exists; the
// live-stream reader splits events across chunks and resumes with
// Last-Event-ID; refusals become sentences with the workflow's reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const WWW = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'engine', 'dashboard', 'www');
const { ALL_STRINGS, t } = await import(join(WWW, 'lib', 'i18n.js'));
const { LiveStream } = await import(join(WWW, 'lib', 'stream.js'));
const { describeFailure } = await import(join(WWW, 'lib', 'refusal.js'));
const { ApiError } = await import(join(WWW, 'lib', 'api.js'));

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.js') ? [path] : [];
  });
}

test('French and English have the same keys, none empty', () => {
  assert.deepEqual(Object.keys(ALL_STRINGS.en).sort(), Object.keys(ALL_STRINGS.fr).sort());
  for (const lang of ['fr', 'en']) {
    for (const [key, text] of Object.entries(ALL_STRINGS[lang])) assert.ok(text.trim(), `${lang}.${key} is empty`);
  }
});

test('every key the pages ask for exists', () => {
  const used = new Set();
  for (const file of sources(WWW).filter((f) => !f.endsWith('i18n.js'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bt\('([a-z0-9_]+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 50, `only ${used.size} keys found: is the pattern still right?`);
  for (const key of used) assert.ok(key in ALL_STRINGS.fr, `t('${key}') has no string`);
  // Keys built at run time: milestone states and refusal codes.
  for (const s of ['scheduled', 'due', 'overdue', 'held', 'cancelled']) assert.ok(`milestone_status_${s}` in ALL_STRINGS.fr);
  assert.equal(t('grid_late', { n: 3 }), '3 en retard');
});

test('the stream reader splits events across chunks and resumes after the last id', async () => {
  const chunks = [
    ': keep-alive\n\nid: 7\nevent: etude_lancee\ndata: {"stream":"project-a",',
    '"type":"etude_lancee"}\n\nid: 8\nevent: x\ndata: {"stream":"programme-p"}\n\n',
  ];
  const requests = [];
  const received = [];
  let stream;
  globalThis.fetch = async (url, init) => {
    requests.push(init.headers);
    if (requests.length > 1) { stream.stop(); throw new Error('stop'); }
    const body = new ReadableStream({
      start(controller) {
        for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
        controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
  };
  await new Promise((resolve) => {
    stream = new LiveStream({
      getToken: () => 'tok',
      onEvent: (e) => received.push(e),
      onState: (on) => { if (!on && requests.length > 1) resolve(); },
      reconnectDelayMs: 1,
    });
    stream.start();
  });
  assert.deepEqual(received.map((e) => [e.id, e.type, e.data.stream]),
    [['7', 'etude_lancee', 'project-a'], ['8', 'x', 'programme-p']]);
  assert.equal(requests[0].Authorization, 'Bearer tok');
  assert.equal(requests[0]['Last-Event-ID'], undefined);
  assert.equal(requests[1]['Last-Event-ID'], '8');
});

test('refusals are told with the workflow reason; other answers have their sentence', () => {
  const guard = new ApiError(422, {
    code: 'guard_failed', reason: "la recherche d'un porteur est un préalable au montage", details: { guard: 'exists(state.porteur)' },
  });
  const said = describeFailure(guard);
  assert.equal(said.title, 'Refusé par la méthode');
  assert.equal(said.sentence, "La méthode ne le permet pas encore : la recherche d'un porteur est un préalable au montage.");
  assert.match(said.technical, /exists\(state\.porteur\)/);
  const phase = describeFailure(new ApiError(422, { code: 'not_allowed_in_phase', details: { phase: 'etude' } }),
    { phaseLabel: () => 'Étude de faisabilité' });
  assert.match(phase.sentence, /phase actuelle de l’action \(Étude de faisabilité\)/);
  assert.match(describeFailure(new ApiError(403, { code: 'role_not_allowed' })).sentence, /Votre rôle/);
  assert.match(describeFailure(new ApiError(409, { detail: 'version conflict' })).sentence, /en même temps \(409\)/);
  assert.match(describeFailure(new ApiError(422, { code: 'something_new', reason: 'x' })).sentence, /^Refusé : x\.$/);
});

test('tracks: a keyed track is one line per key with its step label, a kept one is marked', async () => {
  const { trackRows } = await import(join(WWW, 'views', 'tracks.js'));
  const def = {
    phases: [
      { id: 'instruction', tracks: [
        { id: 'dossier', labels: { fr: 'Dossier', en: 'File' }, steps: ['incomplet', 'complet'] },
        { id: 'financeurs', labels: { fr: 'Financeurs', en: 'Funders' }, steps: ['en_attente', 'accorde'],
          keyed_by: 'state.financeurs', step_labels: { accorde: { fr: 'Accordé', en: 'Granted' } } },
      ] },
      { id: 'decision', tracks: [] },
    ],
  };
  const during = trackRows(def, { phase: 'instruction', tracks: {
    dossier: 'incomplet', financeurs: [{ key: 'etat', step: 'accorde' }, { key: 'region', step: 'en_attente' }] } });
  assert.deepEqual(during.map((r) => [r.id, r.keyed, r.kept]), [['dossier', false, false], ['financeurs', true, false]]);
  assert.deepEqual(during[1].lines, [
    { key: 'etat', step: 'accorde', stepLabel: 'Accordé' },
    { key: 'region', step: 'en_attente', stepLabel: 'en_attente' },
  ]);
  const after = trackRows(def, { phase: 'decision', tracks: { financeurs: [{ key: 'etat', step: 'accorde' }] } });
  assert.deepEqual(after.map((r) => [r.id, r.kept, r.lines.length]), [['financeurs', true, 1]]);
  assert.deepEqual(trackRows(def, { phase: 'decision', tracks: {} }), []);
  const { keyedMoves } = await import(join(WWW, 'views', 'tracks.js'));
  assert.deepEqual(keyedMoves(def, { keyed_tracks: { financeurs: { steps: { etat: 'accorde', ville: 'en_attente' } } } }),
    ['Financeurs : etat → Accordé']);
  assert.deepEqual(keyedMoves(def, { keyed_tracks: { financeurs: { starts: true, steps: { etat: 'en_attente' } } } }), []);
});

test('an unknown track key is told with the key', () => {
  const failure = new ApiError(422, { code: 'unknown_track_key', reason: 'x', details: { track: 'financeurs', key: 'bpi' } });
  assert.match(describeFailure(failure).sentence, /« bpi »/);
});
