// The partner directory (#/partners): every partner with its kind, general
// contact and the people working for it (its contacts: people whose
// `partner` is its id); a form creating one (POST /v1/partners) with an
// optional first contact (POST /v1/people with that partner), and per
// partner a form changing it (PATCH /v1/partners/{id}) listing its contacts
// with a link adding one. Coordinators and admins only.
import { t } from '../lib/i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { entryHistory } from './entry_history.js';
import { describeFailure } from '../lib/refusal.js';
import { loadPeople, displayName } from '../lib/people.js';
import { wt } from '../lib/workbench_i18n.js';
import { schemaForm, words, idMistake, emailMistake } from './form_kit.js';
import { schemaFields, readFields } from './record_form.js';
import { checkFields } from '../lib/field_check.js';
import { directory, personSchema } from './people_directory.js';

function partnerSchema({ withId = true } = {}) {
  const properties = {};
  if (withId) properties.id = { type: 'string', maxLength: 128, labels: words('partner_id') };
  Object.assign(properties, {
    name: { type: 'string', maxLength: 1024, labels: words('partner_name') },
    kind: { type: 'string', maxLength: 1024, labels: words('partner_kind') },
    contact: { type: 'string', maxLength: 1024, labels: words('partner_contact') },
  });
  return { type: 'object', required: withId ? ['id', 'name'] : ['name'], properties };
}

// The first contact's fields: a person without id or partner (both given).
function contactSchema() {
  const schema = personSchema([], { withId: false });
  delete schema.properties.partner;
  delete schema.properties.language;
  schema.required = [];
  return schema;
}

export async function render(ctx) {
  const page = h('section', { class: 'workbench partners-directory', 'aria-labelledby': 'partners-page-title' });
  replace(ctx.main, page);
  const state = { editing: null };

  async function load() {
    if (!ctx.canManage) {
      replace(page, h('h1', { id: 'partners-page-title' }, wt('partners_page_title')), h('p', { class: 'error', role: 'alert' }, t('forbidden')));
      return;
    }
    try {
      const [partners, people] = await Promise.all([directory('/v1/partners', 'partners'), directory('/v1/people', 'people')]);
      await loadPeople();
      draw(partners, people);
    } catch (failure) {
      replace(page, h('p', { class: 'error', role: 'alert' }, t('load_failed', { detail: describeFailure(failure).sentence })));
    }
  }

  function draw(partners, people) {
    const contactsOf = (id) => people.filter((p) => p.partner === id);
    const editing = partners.find((p) => p.id === state.editing);
    const sorted = [...partners].sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id));
    replace(page,
      h('h1', { id: 'partners-page-title' }, wt('partners_page_title')),
      h('p', { class: 'subtitle' }, wt('partners_intro')),
      editing ? editForm(editing, contactsOf(editing.id)) : newForm(),
      h('section', { class: 'card', 'aria-labelledby': 'partners-list-title' },
        h('h2', { id: 'partners-list-title' }, wt('partners_page_title')),
        h('div', { class: 'table-wrap' }, h('table', { class: 'directory', id: 'partners-table' },
          h('thead', {}, h('tr', {}, [wt('partners_col_name'), wt('partners_col_kind'), wt('partners_col_contact'), wt('partners_col_people'),
            wt('partners_col_state'), h('span', { class: 'visually-hidden' }, wt('edit'))].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, sorted.map((p) => h('tr', { 'data-partner': p.id },
            h('td', {}, p.name || p.id),
            h('td', {}, p.kind ?? ''),
            h('td', { class: 'address' }, p.contact ?? ''),
            h('td', {}, contactsOf(p.id).map(displayName).join(', ')),
            h('td', {}, h('span', { class: p.active === false ? 'badge suspended' : 'badge ok' }, wt(p.active === false ? 'partner_inactive' : 'partner_active'))),
            h('td', {}, h('button', {
              type: 'button', class: 'small', 'aria-label': wt('edit_named', { name: p.name || p.id }),
              onclick: () => { state.editing = p.id; draw(partners, people); document.getElementById('edit-partner-heading')?.focus(); },
            }, wt('edit'))))))))));
  }

  function newForm() {
    const schema = partnerSchema();
    const contact = contactSchema();
    const contactBox = h('fieldset', { class: 'contact', id: 'new-partner-contact' },
      h('legend', {}, wt('partner_first_contact')), schemaFields(contact, 'new-partner-contact'));
    const readContact = () => readFields(contactBox, contact);
    return schemaForm({
      id: 'new-partner', title: wt('partner_new_title'), schema, submitLabel: wt('partner_submit'),
      extra: [contactBox],
      check: (data) => {
        const found = idMistake(schema, data, 'id');
        const person = readContact();
        // A contact, once begun, needs the fields a person needs.
        if (Object.keys(person).length) {
          found.push(...checkFields({ ...contact, required: ['email', 'last_name'] }, person), ...emailMistake(contact, person, 'email'));
        }
        return found;
      },
      send: async (data) => {
        const partner = await api.post('/v1/partners', data);
        const person = readContact();
        if (Object.keys(person).length) {
          await api.post('/v1/people', { ...person, id: person.email.toLowerCase(), partner: data.id, organisation: person.organisation || data.name });
        }
        return partner;
      },
      onDone: async (result, data) => {
        ctx.toast(wt('partner_created', { name: data.name }));
        await load();
      },
    }).element;
  }

  function editForm(partner, contacts) {
    const schema = partnerSchema({ withId: false });
    const { element } = schemaForm({
      id: 'edit-partner', title: wt('partner_edit_title', { name: partner.name || partner.id }), schema, submitLabel: wt('partner_save'),
      values: partner,
      send: (data) => api.patch(`/v1/partners/${api.enc(partner.id)}`, { name: data.name, kind: data.kind ?? '', contact: data.contact ?? '' }),
      onDone: async (result, data) => {
        ctx.toast(wt('partner_saved', { name: data.name }));
        state.editing = null;
        await load();
      },
    });
    element.querySelector('h2').setAttribute('tabindex', '-1');
    element.append(
      h('h3', {}, wt('partner_contacts')),
      contacts.length ? h('ul', { class: 'contacts' }, contacts.map((p) => h('li', {}, displayName(p),
        p.function ? ` — ${p.function}` : '', ' ', h('span', { class: 'address' }, p.email || p.id))))
        : h('p', {}, wt('partner_no_contacts')),
      h('p', {}, h('a', { href: `#/people?partner=${api.enc(partner.id)}` }, wt('partner_add_contact'))),
      h('button', { type: 'button', onclick: () => { state.editing = null; load(); } }, wt('cancel_edit')),
      entryHistory(`/v1/partners/${api.enc(partner.id)}/history`));
    return element;
  }

  await load();
  return null;
}
