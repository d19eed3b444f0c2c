// The dashboard's modules outside the browser (node's test runner): every
// string exists in both languages and every key the pages use exists; the
// live-stream reader splits events across chunks and resumes with
// Last-Event-ID; refusals become sentences with the workflow's reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sources } from './www_sources.mjs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const WWW = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'engine', 'dashboard', 'www');
const { ALL_STRINGS, t } = await import(join(WWW, 'lib', 'i18n.js'));
const { LiveStream } = await import(join(WWW, 'lib', 'stream.js'));
const { describeFailure } = await import(join(WWW, 'lib', 'refusal.js'));
const { ApiError } = await import(join(WWW, 'lib', 'api.js'));
const { setLang } = await import(join(WWW, 'lib', 'i18n.js'));
// setLang marks the page's language; node has no page.
globalThis.document ??= { documentElement: {} };
const labels = await import(join(WWW, 'lib', 'schema_labels.js'));
const drawing = await import(join(WWW, 'views', 'workflow_svg.js'));
const { checkFields } = await import(join(WWW, 'lib', 'field_check.js'));
const { topField } = await import(join(WWW, 'lib', 'refusal.js'));


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

test('a download is named as the server says', async () => {
  const { fileNameOf } = await import(join(WWW, 'lib', 'download.js'));
  assert.equal(fileNameOf('attachment; filename="sud-actions-2026-12-06.csv"', 'x'), 'sud-actions-2026-12-06.csv');
  assert.equal(fileNameOf(null, 'fallback.xlsx'), 'fallback.xlsx');
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

test('a refusal lists every unmet condition in the language of the switch', () => {
  const def = {
    state: { properties: { porteur: { labels: { fr: 'Porteur', en: 'Lead' } }, budget: { type: 'integer' } } },
    events: [{ type: 'finir', schema: { properties: { montant: { labels: { fr: 'Montant' } } } } }],
  };
  const problem = {
    code: 'guard_failed',
    reason: 'il faut un porteur; condition not met: state.budget >= 100',
    messages: { fr: 'il faut un porteur; condition non remplie : state.budget >= 100', en: 'a lead is needed; x' },
    details: {
      unmet: [
        { guard: 'exists(state.porteur)', values: { 'state.porteur': null }, messages: { fr: 'il faut un porteur', en: 'a lead is needed' } },
        { guard: 'state.budget >= 100 and event.montant > 0', values: { 'state.budget': 50, 'event.montant': null }, messages: null },
      ],
    },
  };
  const pathLabel = (path) => labels.pathLabel(def, 'finir', path);
  const fr = describeFailure(new ApiError(422, problem), { pathLabel });
  assert.equal(fr.sentence, 'La méthode ne le permet pas encore : 2 conditions ne sont pas remplies.');
  assert.deepEqual(fr.unmet, ['il faut un porteur', 'condition non remplie sur : budget, Montant']);
  setLang('en');
  try {
    const en = describeFailure(new ApiError(422, problem), { pathLabel });
    assert.deepEqual(en.unmet, ['a lead is needed', 'condition not met on: budget, Montant']);
    // One unmet condition: its words in the sentence itself.
    const one = describeFailure(new ApiError(422, { ...problem, details: { unmet: [problem.details.unmet[0]] } }));
    assert.equal(one.sentence, 'The method does not allow it yet: a lead is needed.');
    // No unmet list (another code): the file's words in the language of the switch.
    const tried = describeFailure(new ApiError(422, { code: 'no_transition_matched', reason: 'x', messages: { fr: 'a', en: 'b' } }));
    assert.equal(tried.unmet.length, 0);
  } finally {
    setLang('fr');
  }
});

// The same words as the server's refusals (tests/workflow/violation_words_test.cc
// and tests/api/api_e2e_test.cc state them on the server's side).
test('forms check required fields and simple types before sending, in the server words', () => {
  const schema = {
    type: 'object',
    required: ['montant', 'motif'],
    properties: {
      montant: { type: 'integer', minimum: 0, maximum: 1000000, labels: { fr: 'Montant accordé (€)', en: 'Amount granted (€)' } },
      taux: { type: 'number', labels: { fr: 'Taux', en: 'Rate' } },
      motif: { type: 'string', labels: { fr: 'Motif', en: 'Reason' } },
      intitule: { type: 'string', minLength: 3, maxLength: 10, labels: { fr: 'Intitulé', en: 'Title' } },
      sans_label: { type: 'string', minLength: 1 },
    },
  };
  assert.deepEqual(checkFields(schema, { montant: 5000, motif: 'ok' }), []);
  assert.deepEqual(checkFields(schema, { montant: -5000 }), [
    { field: 'montant', text: 'Montant accordé (€) : -5000 est inférieur au minimum, 0.' },
    { field: 'motif', text: "Motif : ce champ est obligatoire et n'est pas renseigné." },
  ]);
  assert.deepEqual(checkFields(schema, { montant: 2.5, motif: 'x', taux: 1.5 }).map((m) => m.text),
    ['Montant accordé (€) : il faut un nombre entier, pas un nombre.']);
  assert.deepEqual(checkFields(schema, { motif: 'x' }, { montant: 'beaucoup' }).map((m) => m.text),
    ['Montant accordé (€) : il faut un nombre entier, pas du texte (« beaucoup »).']);
  assert.deepEqual(checkFields(schema, { montant: 1, motif: 'x', intitule: 'Convention A', sans_label: '' }).map((m) => m.text),
    ['Intitulé : au plus 10 caractères attendus, 12 saisis.', 'Sans label : au moins 1 caractère attendu, 0 saisi.']);
  assert.deepEqual(checkFields(schema, { montant: 1, motif: 'x', intitule: 'CA' }).map((m) => m.text),
    ['Intitulé : au moins 3 caractères attendus, 2 saisis.']);
  setLang('en');
  try {
    assert.deepEqual(checkFields(schema, { montant: -5000 }).map((m) => m.text), [
      'Amount granted (€): -5000 is below the minimum, 0.',
      'Reason: this field is required and missing.',
    ]);
    assert.deepEqual(checkFields(schema, { montant: 1, motif: 'x', intitule: 'Convention A' }).map((m) => m.text),
      ['Title: at most 10 characters expected, 12 given.']);
    assert.deepEqual(checkFields(schema, { motif: 'x' }, { montant: 'lots' }).map((m) => m.text),
      ['Amount granted (€): a whole number is expected, not text ("lots").']);
  } finally {
    setLang('fr');
  }
});

test('a schema refusal puts each violation in words next to its field', () => {
  const problem = {
    code: 'invalid_data',
    reason: 'invalid data at $.motif: missing required property \'motif\'',
    messages: { fr: 'Motif : ce champ est obligatoire. Montant : -5 est inférieur au minimum, 0.', en: 'Reason: required. Amount: below.' },
    details: {
      violations: [
        { path: '$.motif', keyword: 'required', message: 'x', messages: { fr: 'Motif : ce champ est obligatoire.', en: 'Reason: required.' } },
        { path: "$['le montant']", keyword: 'minimum', message: 'y', messages: { fr: 'Montant : -5 est inférieur au minimum, 0.', en: 'Amount: below.' } },
        { path: '$.conventions[2].date', keyword: 'pattern', message: 'z', messages: { fr: 'Conventions, n° 3 › Date : forme.', en: 'Agreements, item 3 › Date: form.' } },
      ],
    },
  };
  const fr = describeFailure(new ApiError(422, problem));
  assert.equal(fr.sentence, 'Les informations saisies ne conviennent pas. Motif : ce champ est obligatoire. Montant : -5 est inférieur au minimum, 0.');
  assert.deepEqual(fr.fields.map((f) => f.field), ['motif', 'le montant', 'conventions']);
  assert.equal(fr.fields[2].text, 'Conventions, n° 3 › Date : forme.');
  setLang('en');
  try {
    const en = describeFailure(new ApiError(422, problem));
    assert.equal(en.sentence, 'The information entered does not fit. Reason: required. Amount: below.');
    assert.equal(en.fields[0].text, 'Reason: required.');
  } finally {
    setLang('fr');
  }
  assert.equal(topField('$'), null);
  assert.equal(topField("$['a\\'b'].x"), "a'b");
  assert.deepEqual(describeFailure(new ApiError(409, {})).fields, []);
});

test('fields and choices are named by the workflow labels, identifiers only where there are none', () => {
  const nature = { enum: ['association', 'a_creer'], labels: { fr: 'Nature', en: 'Kind' },
    enum_labels: { association: { fr: 'Association', en: 'Non-profit' } } };
  const schema = { properties: { nature, nom: { labels: { fr: 'Nom', en: 'Name' } }, code_postal: { type: 'string' } } };
  assert.equal(labels.fieldLabel(schema, 'nature'), 'Nature');
  assert.equal(labels.fieldLabel(schema, 'code_postal'), 'code postal');
  assert.equal(labels.choiceLabel(nature, 'association'), 'Association');
  assert.equal(labels.choiceLabel(nature, 'a_creer'), 'a creer');
  assert.equal(labels.summarise(schema, { nom: 'Vie à domicile', nature: 'association', vide: '' }),
    'Nom : Vie à domicile · Nature : Association');
  const def = { state: { properties: { porteur: { labels: { fr: 'Porteur' }, properties: { nature } } } }, events: [] };
  assert.equal(labels.pathLabel(def, 'x', 'state.porteur.nature'), 'Porteur › Nature');
  assert.equal(labels.pathLabel(def, 'x', 'project.phase'), null);
  setLang('en');
  try {
    assert.equal(labels.fieldLabel(schema, 'nature'), 'Kind');
    assert.equal(labels.choiceLabel(nature, 'association'), 'Non-profit');
    assert.equal(labels.pathLabel(def, 'x', 'state.porteur'), 'Porteur');  // no English label: the French one
  } finally {
    setLang('fr');
  }
});

test('the workflow drawing finds the sub-items a phase counts and the projects a transition creates', () => {
  const l = (fr, en) => ({ fr, en });
  const def = {
    name: 'insertion', labels: l('Insertion', 'Insertion'), initial_phases: ['recrutement'],
    phases: [
      { id: 'recrutement', labels: l('Recrutement', 'Recruitment'), terminal: false, tracks: [] },
      { id: 'suivi', labels: l('Suivi', 'Follow-up'), terminal: false, tracks: [] },
      { id: 'fini', labels: l('Fini', 'Done'), terminal: true, tracks: [] },
    ],
    children: [{ id: 'personnes', labels: l('Personnes suivies', 'People followed'), workflow: 'parcours_personne', visibility: 'parent' }],
    events: [
      { type: 'recrutement_clos', labels: l('Clôture', 'Close'), roles: ['coordinator'], phases: ['recrutement'], any_open_phase: false,
        requires: [{ guard: 'project.children.personnes.phases.recrutee >= 1' }], transitions: [{ to: 'suivi' }] },
      { type: 'essaimage', labels: l('Essaimage', 'Copy'), roles: ['coordinator'], phases: ['fini'], any_open_phase: false,
        requires: [], transitions: [{ spawn: [{ workflow: 'insertion', link: 'essaimage' }] }] },
      { type: 'note', labels: l('Note', 'Note'), roles: ['coordinator'], phases: [], any_open_phase: true, requires: [], transitions: [] },
    ],
    timers: [],
  };
  const links = drawing.workflowLinks(def);
  assert.equal(links.length, 2);
  assert.deepEqual([links[0].kind, links[0].id, links[0].phases], ['children', 'personnes', ['recrutement']]);
  assert.deepEqual([links[1].kind, links[1].workflow, links[1].link, links[1].phases], ['spawn', 'insertion', 'essaimage', ['fini']]);
  assert.deepEqual(links[1].events.map((e) => e.type), ['essaimage']);
  assert.deepEqual(drawing.workflowLinks({ ...def, children: undefined, events: [def.events[2]] }), [], 'a workflow linking nothing');
});

test('the workflow drawing finds gates, timers, timer-fired moves and suspension in a definition', () => {
  const labels = (fr, en) => ({ fr, en });
  const def = {
    name: 'relance', labels: labels('Relance', 'Reminder'), initial_phases: ['ouvert'],
    phases: [
      { id: 'ouvert', labels: labels('Ouvert', 'Open'), terminal: false, tracks: [] },
      { id: 'clos', labels: labels('Clos', 'Closed'), terminal: true, tracks: [] },
    ],
    events: [
      { type: 'expirer', labels: labels('Délai dépassé', 'Deadline passed'), roles: ['system'], phases: ['ouvert'], any_open_phase: false,
        requires: [], transitions: [{ to: 'clos', tracks: {} }], suspension: 'none', allowed_while_suspended: true },
      { type: 'clore', labels: labels('Clore', 'Close'), roles: ['coordinator'], phases: [], any_open_phase: true,
        requires: [{ guard: 'exists(state.bilan)', message: 'un bilan d’abord' }], transitions: [{ to: 'clos', tracks: {} }],
        suspension: 'none', allowed_while_suspended: false },
      { type: 'noter', labels: labels('Noter', 'Note'), roles: ['coordinator'], phases: ['ouvert'], any_open_phase: false,
        requires: [{ guard: 'true', message: '' }], transitions: [], suspension: 'none', allowed_while_suspended: false },
      { type: 'geler', labels: labels('Geler', 'Freeze'), roles: ['elu'], phases: [], any_open_phase: true,
        requires: [], transitions: [], suspension: 'suspend', allowed_while_suspended: false },
    ],
    timers: [
      { id: 'delai', labels: labels('Trois mois', 'Three months'), kind: 'after', after: 'P3M', on_enter_phase: 'ouvert', fires: 'expirer', cancel_on_phase_exit: true },
      { id: 'point', labels: labels('Point', 'Review'), kind: 'repeat', times_per_year: 2, on_event: 'project_created', fires: 'noter', cancel_on_phase_exit: false },
    ],
  };
  const moves = drawing.phaseMoves(def);
  assert.deepEqual(moves.map((m) => [m.from, m.to, m.events.map((e) => e.type), m.timer]),
    [['ouvert', 'clos', ['expirer', 'clore'], false]]);
  // Only a gate on an event that moves something is drawn.
  assert.deepEqual(drawing.phaseGates(def, 'ouvert').map((g) => [g.event.type, g.guard]), [['clore', 'exists(state.bilan)']]);
  assert.deepEqual(drawing.phaseGates(def, 'clos'), []);
  assert.deepEqual(drawing.phaseTimers(def, 'ouvert').map((tm) => tm.id), ['delai']);
  assert.deepEqual(drawing.phaseTimers(def, null).map((tm) => tm.id), ['point']);
  assert.equal(drawing.timerText(def, def.timers[0]), 'minuteur « Trois mois » : après P3M, déclenche « Délai dépassé »');
  assert.equal(drawing.timerText(def, def.timers[1]), 'minuteur « Point » : 2 fois par an, jusqu’à la fin, déclenche « Noter »');
  const s = drawing.suspension(def);
  assert.deepEqual([s.suspend, s.resume, s.allowed].map((l) => l.map((e) => e.type)), [['geler'], [], ['expirer']]);
  assert.equal(drawing.suspension({ ...def, events: def.events.slice(0, 3) }), null);
  // A move all of whose events a timer fires is a timer move.
  const timerOnly = drawing.phaseMoves({ ...def, events: [def.events[0]] });
  assert.equal(timerOnly[0].timer, true);
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

// A children route's answer as GET /v1/projects/{id}/children gives it
// (engine/api/project_routes.cc), for projet_insertion's participants.
const CHILDREN_BODY = {
  kinds: [{ id: 'participants', labels: { fr: 'Participants', en: 'Participants' }, workflow: 'parcours_participant', visibility: 'parent' }],
  counts: { participants: { total: 3, open: 1, phases: { identifie: 1, preselectionne: 0, recrute: 1, non_retenu: 1 } } },
  children: [
    { id: 'p1', title: 'Léa M.', children: 'participants', workflow: 'parcours_participant', phase: 'recrute',
      phase_labels: { fr: 'Recrutée', en: 'Recruited' }, terminal: true },
    { id: 'p2', title: 'Yanis B.', children: 'participants', workflow: 'parcours_participant', phase: 'identifie',
      phase_labels: { fr: 'Identifiée', en: 'Identified' }, terminal: false },
  ],
  milestones: [],
};
const PARCOURS = {
  name: 'parcours_participant', labels: { fr: 'Parcours', en: 'Path' },
  phases: [
    { id: 'identifie', labels: { fr: 'Identifiée', en: 'Identified' }, terminal: false },
    { id: 'preselectionne', labels: { fr: 'Présélectionnée', en: 'Pre-selected' }, terminal: false },
    { id: 'recrute', labels: { fr: 'Recrutée', en: 'Recruited' }, terminal: true },
    { id: 'non_retenu', labels: { fr: 'Non retenue', en: 'Not retained' }, terminal: true },
  ],
  events: [{ type: 'recrutement', labels: { fr: 'Recrutement', en: 'Recruitment' } }],
  created_by: ['coordinator', 'partner'],
};

test('children: counts per phase in the child method’s order with its labels, the visible children, the hidden ones counted', async () => {
  const { childrenModel } = await import(join(WWW, 'views', 'children.js'));
  const [kind] = childrenModel(CHILDREN_BODY, new Map([['participants', PARCOURS]]));
  assert.equal(kind.label, 'Participants');
  assert.deepEqual(kind.phases.map((p) => [p.id, p.label, p.n, p.terminal]), [
    ['identifie', 'Identifiée', 1, false], ['preselectionne', 'Présélectionnée', 0, false],
    ['recrute', 'Recrutée', 1, true], ['non_retenu', 'Non retenue', 1, true]]);
  assert.deepEqual(kind.items.map((c) => [c.id, c.title, c.phaseLabel, c.terminal]),
    [['p1', 'Léa M.', 'Recrutée', true], ['p2', 'Yanis B.', 'Identifiée', false]]);
  assert.equal(kind.hidden, 1, 'three counted, two visible');
  assert.deepEqual([kind.total, kind.open], [3, 1]);
  // Without the child's definition: the counts' phases, named by the children's labels or readably.
  const [bare] = childrenModel(CHILDREN_BODY, new Map());
  assert.deepEqual(bare.phases.map((p) => [p.id, p.label]), [
    ['identifie', 'Identifiée'], ['preselectionne', 'preselectionne'], ['recrute', 'Recrutée'], ['non_retenu', 'non retenu']]);
  // A kind nobody created yet: zeros, no items.
  const [empty] = childrenModel({ kinds: CHILDREN_BODY.kinds, counts: {}, children: [] }, new Map());
  assert.deepEqual([empty.total, empty.open, empty.hidden, empty.items.length, empty.phases.length], [0, 0, 0, 0, 0]);
  setLang('en');
  try {
    const [english] = childrenModel(CHILDREN_BODY, new Map([['participants', PARCOURS]]));
    assert.equal(english.phases[2].label, 'Recruited');
    assert.equal(t('children_counts_line', { total: english.total, open: english.open }), '3 in all, 1 still open');
  } finally {
    setLang('fr');
  }
});

test('children: who may add one follows the child workflow’s created_by', async () => {
  const { mayCreate } = await import(join(WWW, 'views', 'children.js'));
  assert.equal(mayCreate(PARCOURS, ['partner']), true);
  assert.equal(mayCreate(PARCOURS, ['elu']), false);
  assert.equal(mayCreate({ ...PARCOURS, created_by: undefined }, ['coordinator']), true, 'default: coordinators and admins');
  assert.equal(mayCreate({ ...PARCOURS, created_by: undefined }, ['partner']), false);
  assert.equal(mayCreate(PARCOURS, ['observer', 'coordinator']), false, 'observers only read');
  assert.equal(mayCreate(null, ['coordinator']), false, 'an unknown workflow');
});

test('children: the add form asks for the fields the child method requires at creation, with their labels', async () => {
  const { requiredStateSchema } = await import(join(WWW, 'views', 'children.js'));
  const def = {
    state: {
      type: 'object',
      properties: {
        reference: { type: 'string', labels: { fr: 'Référence de la personne', en: 'Participant’s reference' } },
        prescripteur: { type: 'string' },
        issue: { enum: ['emploi_durable', 'rupture'] },
      },
      required: ['reference', 'absent_from_properties'],
    },
  };
  const schema = requiredStateSchema(def);
  assert.deepEqual(Object.keys(schema.properties), ['reference'], 'required and declared fields only');
  assert.deepEqual(schema.required, ['reference']);
  assert.equal(schema.properties.reference.labels.fr, 'Référence de la personne');
  assert.equal(requiredStateSchema({ state: { type: 'object', properties: { a: {} } } }), null, 'nothing required');
  assert.equal(requiredStateSchema(null), null, 'an unknown workflow');
});

test('the history merges the children’s milestones in time order, newest first, the parent first on a tie', async () => {
  const { mergeHistory } = await import(join(WWW, 'views', 'children.js'));
  const event = (version, at) => ({ version, type: `e${version}`, metadata: { recorded_at: at } });
  const events = [event(1, '2026-03-01T09:00:00Z'), event(2, '2026-03-03T09:00:00Z'), event(3, '2026-03-03T09:00:00Z')];
  const milestones = [
    { child: 'p1', to: 'identifie', at: '2026-03-02T10:00:00Z' },
    { child: 'p1', from: 'identifie', to: 'recrute', at: '2026-03-03T09:00:00Z' },
    { child: 'p2', to: 'identifie', at: '2026-03-04T08:00:00.123456Z' },
  ];
  const merged = mergeHistory(events, milestones);
  assert.deepEqual(merged.map((x) => (x.source === 'self' ? `v${x.event.version}` : `${x.milestone.child}:${x.milestone.to}`)),
    ['p2:identifie', 'p1:recrute', 'v3', 'v2', 'p1:identifie', 'v1']);
  assert.deepEqual(mergeHistory(events, []).map((x) => x.event.version), [3, 2, 1]);
  assert.deepEqual(mergeHistory([], milestones).map((x) => x.milestone.to), ['identifie', 'recrute', 'identifie']);
});

test('links: parent, origin and spawned projects read from a project', async () => {
  const { linksOf, linkedIds, SPAWNED_TITLES_READ } = await import(join(WWW, 'views', 'project_links.js'));
  const spawnedCopy = {
    info: { id: 'copie', origin: { project: 'insertion-orly', link: 'essaimage', event: 'ev-1' } },
    state: { phase: 'recrutement' },
  };
  const origin = {
    info: { id: 'insertion-orly' },
    state: { spawned: [{ project: 'copie', workflow: 'projet_insertion', link: 'essaimage' }] },
  };
  const child = { info: { id: 'p1', parent: { project: 'insertion-orly', link: 'participants' } }, state: {} };
  assert.deepEqual(linksOf(spawnedCopy), {
    parent: null, origin: { project: 'insertion-orly', link: 'essaimage', event: 'ev-1' }, spawned: [] });
  assert.deepEqual(linksOf(origin).spawned, [{ project: 'copie', workflow: 'projet_insertion', link: 'essaimage' }]);
  assert.deepEqual(linksOf(child).parent, { project: 'insertion-orly', kind: 'participants' });
  assert.deepEqual(linkedIds(linksOf(child)), ['insertion-orly']);
  const many = { info: {}, state: { spawned: Array.from({ length: SPAWNED_TITLES_READ + 5 }, (_, i) => ({ project: `s${i}` })) } };
  assert.equal(linkedIds(linksOf(many)).length, SPAWNED_TITLES_READ, 'titles are read for a bounded number');
  assert.deepEqual(linksOf({ info: {}, state: {} }), { parent: null, origin: null, spawned: [] });
});

test('partners: the list now, who joined when (event or coordinator), who left', async () => {
  const { partnerRoster } = await import(join(WWW, 'views', 'project_links.js'));
  const at = (day) => `2026-04-0${day}T09:00:00Z`;
  const events = [
    { type: 'project_registered', data: { partners: ['afpa'] }, metadata: { recorded_at: at(1), actor: 'person:c' } },
    { type: 'project_created', data: { data: {}, effects: {} }, metadata: { recorded_at: at(1) } },
    { type: 'partenaire_associe', data: { data: {}, effects: { partners: { joined: ['ccas'] } } }, metadata: { recorded_at: at(2), actor: 'person:c' } },
    { type: 'partenaire_associe', data: { data: {}, effects: { partners: { joined: ['ccas'] } } }, metadata: { recorded_at: at(3) } },
    { type: 'project_partners_changed', data: { partners: ['ccas', 'mission-locale'] }, metadata: { recorded_at: at(4), actor: 'person:d' } },
  ];
  const roster = partnerRoster({ partners: ['ccas', 'mission-locale'] }, events);
  assert.deepEqual(roster.now, [
    { id: 'ccas', joined: { at: at(2), by: 'person:c' } },  // joining again changes nothing
    { id: 'mission-locale', joined: { at: at(4), by: 'person:d' } },
  ]);
  assert.deepEqual(roster.left, [{ id: 'afpa', at: at(4) }]);
  // A partner there from the creation has no join date; a field's partners are added.
  const first = partnerRoster({ partners: ['afpa'] }, events.slice(0, 2), ['afpa', 'pole-emploi']);
  assert.deepEqual(first, { now: [{ id: 'afpa', joined: null }, { id: 'pole-emploi', joined: null }], left: [] });
  // A leave through an event.
  const left = partnerRoster({ partners: [] }, [...events.slice(0, 3),
    { type: 'partenaire_retire', data: { effects: { partners: { left: ['ccas'] } } }, metadata: { recorded_at: at(5) } }]);
  assert.deepEqual(left.left, [{ id: 'ccas', at: at(5) }]);
});

test('people are named by civility and name, never by address; an unknown id stays itself', async () => {
  const { displayName, personName } = await import(join(WWW, 'lib', 'people.js'));
  setLang('fr');
  const nadia = { id: 'nadia.benali@ville.example', civility: 'Mme', first_name: 'Nadia', last_name: 'Benali' };
  assert.equal(displayName(nadia), 'Mme Nadia Benali');
  assert.equal(displayName({ id: 'marc@x.example', civility: 'M.', first_name: 'Marc' }), 'M. Marc');
  assert.equal(displayName({ id: 'claire.vasseur@cbe.example' }), 'claire.vasseur', 'without names: the local part');
  setLang('en');
  assert.equal(displayName(nadia), 'Ms Nadia Benali');
  assert.equal(displayName({ id: 'm@x.example', civility: 'M.', first_name: 'Marc', last_name: 'Lefort' }), 'Mr Marc Lefort');
  setLang('fr');
  assert.equal(personName('unknown@x.example'), 'unknown@x.example');
  assert.equal(personName(undefined), '');
});
