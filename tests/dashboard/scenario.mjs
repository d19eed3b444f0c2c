// The data the browser test works on, made through the API as a coordinator
// would: partners and their webhook endpoints, a programme with axes and
// actions, an élu référent of axis 2A, and the actions as projects, some
// moved along. People and places are invented.

export const PROGRAMME = 'plateforme-essai';
export const ELU = 'person:eric.leclerc';
// The people directory names them on the pages (never by address).
export const ELU_NAME = 'M. Éric Leclerc';
export const COORDINATOR_NAME = 'Mme Claire Martin';

const planned = (mobilisation, faisabilite, montage, portage) => ({ mobilisation, faisabilite, montage, portage });

export const ACTIONS = [
  { id: 'conciergerie', axis: '1', title: 'Conciergerie d’entreprises', planned_years: planned(2025, 2025, 2026, 2027), partners: ['ccas-essai'] },
  { id: 'aide-domicile', axis: '2A', title: 'Aide à domicile mutualisée', planned_years: planned(2025, 2026, 2026, 2027), partners: ['ccas-essai', 'emploi-essai'], elu: true },
  { id: 'relais-assistantes', axis: '2A', title: 'Relais des assistantes de vie', planned_years: planned(2025, 2026, 2027, 2027), partners: ['emploi-essai'], elu: true },
  { id: 'garde-horaires', axis: '2B', title: 'Garde d’enfants en horaires atypiques', planned_years: planned(2026, 2027, 2027, 2028), partners: ['ccas-essai'] },
  { id: 'transport-demande', axis: '3', title: 'Transport à la demande vers les zones d’activité', planned_years: planned(2024, 2024, 2025, 2026), partners: ['emploi-essai'], initial_phase: 'montage' },
];

// call: apiClient(base, coordinatorToken); receiver: base URL of the test's webhook receiver.
export async function makeScenario(call, receiver, { today }) {
  await call('POST', '/v1/partners', { id: 'ccas-essai', name: 'CCAS de Saint-Essai', kind: 'ccas' });
  await call('POST', '/v1/partners', { id: 'emploi-essai', name: 'Agence pour l’emploi de Bourg-sur-Marne', kind: 'emploi' });
  await call('POST', '/v1/webhooks/endpoints', { partner: 'ccas-essai', url: `${receiver}/ok`, description: 'CCAS' });
  await call('POST', '/v1/people', { id: ELU, email: 'eric.leclerc@bourg-sur-marne.example', civility: 'M.', first_name: 'Éric',
    last_name: 'Leclerc', organisation: 'Ville de Bourg-sur-Marne', function: 'Adjoint au maire chargé de l’emploi' });
  await call('POST', '/v1/people', { id: 'person:claire.martin', email: 'claire.martin@cbe-essai.example', civility: 'Mme',
    first_name: 'Claire', last_name: 'Martin', organisation: 'CBE du Val-des-Essais', function: 'Coordinatrice' });
  await call('POST', '/v1/webhooks/endpoints', { partner: 'emploi-essai', url: `${receiver}/down`, description: 'Agence' });

  await call('POST', '/v1/programmes', {
    id: PROGRAMME,
    title: 'Plate-forme d’appui du Val-des-Essais',
    territory: ['Bourg-sur-Marne', 'Saint-Essai', 'Villeneuve-les-Prés'],
    plan_years: [2025, 2026, 2027],
    axes: [
      { id: '1', title: 'Services aux salariés' },
      { id: '2', title: 'Services aux particuliers' },
      { id: '2A', title: 'Personnes âgées et dépendantes', parent: '2' },
      { id: '2B', title: 'Jeunes enfants', parent: '2' },
      { id: '3', title: 'Mobilité' },
    ],
    actions: ACTIONS.map((a) => ({ id: a.id, axis: a.axis, title: a.title, planned_years: a.planned_years })),
    reviews: { per_year: 3, time: '10:00' },
    yearly: [{ kind: 'annual_event', title_fr: 'Prix de l’innovation', title_en: 'Innovation prize', month: 11, day: 20 }],
    public_holidays: true,
  });
  await call('POST', `/v1/programmes/${PROGRAMME}/assignments`,
    { person: ELU, role: 'elu_referent', axis: '2A', start: today, end: '2027-12-31' });

  for (const a of ACTIONS) {
    await call('POST', '/v1/projects', {
      id: a.id, workflow: 'cbe_action', title: a.title, programme: PROGRAMME, axis: a.axis,
      partners: a.partners, planned_years: a.planned_years,
      members: a.elu ? [{ subject: ELU, role: 'elu_referent' }] : [],
      ...(a.initial_phase ? { initial_phase: a.initial_phase } : {}),
    });
  }
  const record = (id, type, data = {}) => call('POST', `/v1/projects/${id}/events`, { type, data });
  // conciergerie: partners mobilised, study started in 2025 (late now: its study was planned for 2025).
  await record('conciergerie', 'mobilisation_avancee', { volet: 'partenaires', etape: 'mobilises' });
  await record('conciergerie', 'etude_lancee');
  // aide-domicile: partners mobilised; the test starts its study from the page.
  await record('aide-domicile', 'mobilisation_avancee', { volet: 'partenaires', etape: 'mobilises' });
  await record('aide-domicile', 'role_attribue', { role: 'elu_referent', personne: ELU });
  await record('aide-domicile', 'indicateur_enregistre', { indicateur: 'personnes_placees', valeur: 4, periode: '2025' });
  // relais-assistantes: in study with a positive verdict but no porteur yet.
  await record('relais-assistantes', 'mobilisation_avancee', { volet: 'partenaires', etape: 'mobilises' });
  await record('relais-assistantes', 'etude_lancee');
  await record('relais-assistantes', 'verdict_faisabilite', { verdict: 'positif', motif: 'Besoin confirmé par les CCAS' });
  // transport-demande: set up with a porteur and a convention.
  await record('transport-demande', 'porteur_identifie', { nom: 'Association Mobil’Essai', nature: 'association' });
  await record('transport-demande', 'convention_signee', { intitule: 'Convention de financement', signataires: ['Département'] });
}
