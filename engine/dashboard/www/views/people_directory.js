// The people directory (#/people, #/people?partner=ID): every person with
// their organisation, function and partner, a form creating one (POST
// /v1/people) and, per person, a form changing them (PATCH
// /v1/people/{id}). ?partner= presets the new person's partner (the
// partner page's "add a contact"). Coordinators and admins only.
import { t } from '../lib/i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { entryHistory } from './entry_history.js';
import { describeFailure } from '../lib/refusal.js';
import { loadPeople, displayName } from '../lib/people.js';
import { wt } from '../lib/workbench_i18n.js';
import { schemaForm, words, emailMistake } from './form_kit.js';

const PAGE_SIZE = 100;
const MAX_PAGES = 20;

// Every entry of a paged directory (GET /v1/partners or /v1/people).
export async function directory(path, member) {
  const all = [];
  let after = '';
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const body = await api.get(`${path}?limit=${PAGE_SIZE}${after ? `&after=${api.enc(after)}` : ''}`);
    all.push(...(body[member] ?? []));
    if (!body.next_after) break;
    after = body.next_after;
  }
  return all;
}

// The fields of a person; partners: [{id, name}] for the partner choice.
export function personSchema(partners, { withId = true } = {}) {
  const properties = {};
  if (withId) properties.id = { type: 'string', maxLength: 256, labels: words('person_id') };
  Object.assign(properties, {
    email: { type: 'string', maxLength: 254, labels: words('person_email') },
    civility: {
      type: 'string', enum: ['Mme', 'M.'], labels: words('person_civility'),
      enum_labels: { Mme: { fr: 'Mme', en: 'Ms' }, 'M.': { fr: 'M.', en: 'Mr' } },
    },
    first_name: { type: 'string', maxLength: 128, labels: words('person_first_name') },
    last_name: { type: 'string', maxLength: 128, labels: words('person_last_name') },
    organisation: { type: 'string', maxLength: 256, labels: words('person_organisation') },
    function: { type: 'string', maxLength: 256, labels: words('person_function') },
    partner: {
      type: 'string', enum: partners.map((p) => p.id), labels: words('person_partner'),
      enum_labels: Object.fromEntries(partners.map((p) => [p.id, { fr: p.name || p.id, en: p.name || p.id }])),
    },
    language: { type: 'string', enum: ['fr', 'en'], labels: words('person_language'), enum_labels: { fr: { fr: 'Français', en: 'French' }, en: { fr: 'Anglais', en: 'English' } } },
  });
  return { type: 'object', required: ['email', 'last_name'], properties };
}

export async function render(ctx) {
  const page = h('section', { class: 'workbench people-directory', 'aria-labelledby': 'people-title' });
  replace(ctx.main, page);
  const state = { editing: null };

  async function load() {
    if (!ctx.canManage) {
      replace(page, h('h1', { id: 'people-title' }, wt('people_page_title')), h('p', { class: 'error', role: 'alert' }, t('forbidden')));
      return;
    }
    try {
      const [people, partners] = await Promise.all([directory('/v1/people', 'people'), directory('/v1/partners', 'partners')]);
      await loadPeople();
      draw(people, partners);
    } catch (failure) {
      replace(page, h('p', { class: 'error', role: 'alert' }, t('load_failed', { detail: describeFailure(failure).sentence })));
    }
  }

  function draw(people, partners) {
    const partnerName = new Map(partners.map((p) => [p.id, p.name || p.id]));
    const editing = people.find((p) => p.id === state.editing);
    const sorted = [...people].sort((a, b) => displayName(a).localeCompare(displayName(b)));
    replace(page,
      h('h1', { id: 'people-title' }, wt('people_page_title')),
      h('p', { class: 'subtitle' }, wt('people_intro')),
      editing ? editForm(editing, partners) : newForm(partners),
      h('section', { class: 'card', 'aria-labelledby': 'people-list-title' },
        h('h2', { id: 'people-list-title' }, wt('people_page_title')),
        h('div', { class: 'table-wrap' }, h('table', { class: 'directory', id: 'people-table' },
          h('thead', {}, h('tr', {}, [wt('people_col_name'), wt('people_col_organisation'), wt('people_col_partner'), wt('people_col_email'),
            h('span', { class: 'visually-hidden' }, wt('edit'))].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, sorted.map((p) => h('tr', { 'data-person': p.id },
            h('td', {}, displayName(p)),
            h('td', {}, [p.organisation, p.function].filter(Boolean).join(' — ')),
            h('td', {}, p.partner ? partnerName.get(p.partner) ?? p.partner : ''),
            h('td', { class: 'address' }, p.email || p.id),
            h('td', {}, h('button', {
              type: 'button', class: 'small', 'aria-label': wt('edit_named', { name: displayName(p) }),
              onclick: () => { state.editing = p.id; draw(people, partners); document.getElementById('edit-person-heading')?.focus(); },
            }, wt('edit'))))))))));
  }

  function newForm(partners) {
    const schema = personSchema(partners);
    return schemaForm({
      id: 'new-person', title: wt('person_new_title'), schema, submitLabel: wt('person_submit'),
      values: { partner: ctx.query?.get('partner') ?? undefined, language: 'fr' },
      check: (data) => emailMistake(schema, data, 'email'),
      send: (data) => api.post('/v1/people', { ...data, id: data.id || data.email.toLowerCase() }),
      onDone: async (result, data) => {
        ctx.toast(wt('person_created', { name: displayName(result ?? data) }));
        await load();
      },
    }).element;
  }

  function editForm(person, partners) {
    const schema = personSchema(partners, { withId: false });
    const { element } = schemaForm({
      id: 'edit-person', title: wt('person_edit_title', { name: displayName(person) }), schema, submitLabel: wt('person_save'),
      values: person,
      check: (data) => emailMistake(schema, data, 'email'),
      // Emptied fields are sent empty, so a change can clear them.
      send: (data) => api.patch(`/v1/people/${api.enc(person.id)}`,
        Object.fromEntries(Object.keys(schema.properties).map((k) => [k, data[k] ?? ''])
          .filter(([k, v]) => k !== 'language' || v !== ''))),
      onDone: async (result) => {
        ctx.toast(wt('person_saved', { name: displayName(result ?? person) }));
        state.editing = null;
        await load();
      },
    });
    element.querySelector('h2').setAttribute('tabindex', '-1');
    element.append(h('button', { type: 'button', onclick: () => { state.editing = null; load(); } }, wt('cancel_edit')),
      entryHistory(`/v1/people/${api.enc(person.id)}/history`));
    return element;
  }

  await load();
  return null;
}
