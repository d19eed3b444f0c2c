// The "Rôles et mandats" card of the programme page: who holds which role in
// the programme and until when (GET /v1/programmes/{id}, `assignments`);
// for coordinators and admins, a form giving a person a role for a term
// (POST /v1/programmes/{id}/assignments: an élu référent or a référent
// technique of an axis replaces the one in office) and a button ending a
// term today (POST .../assignments/{assignment}/end: its future reviews are
// cancelled and the role falls vacant). Each is an event of the programme's
// stream with its author.
import { h, replace } from '../lib/dom.js';
import { formatDate } from '../lib/i18n.js';
import { wt } from '../lib/workbench_i18n.js';
import { allPeople, displayName, personName } from '../lib/people.js';
import { describeFailure } from '../lib/refusal.js';
import * as api from '../lib/api.js';

const ROLES = ['coordinator', 'elu_referent', 'referent_technique', 'partner_contact'];
// Terms as the document says: élus 3 years, référents techniques 1 year.
const TERM_YEARS = { coordinator: 3, elu_referent: 3, referent_technique: 1, partner_contact: 1 };

const roleText = (role) => wt(`term_role_${role}`);

function isoDay(d) { return d.toISOString().slice(0, 10); }

function addYears(day, years) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  d.setUTCDate(d.getUTCDate() - 1);
  return isoDay(d);
}

export function termsCard(programme, { canManage, toast, onChanged }) {
  const def = programme.definition;
  const programmeId = def.id;
  const assignments = [...(programme.assignments ?? [])]
    .sort((a, b) => Number(b.active) - Number(a.active) || (a.axis ?? '').localeCompare(b.axis ?? '') || a.role.localeCompare(b.role));
  const rows = assignments.map((a) => h('tr', { 'data-assignment': a.id, class: a.active ? '' : 'ended' },
    h('td', {}, a.person_name || personName(a.person)),
    h('td', {}, roleText(a.role)),
    h('td', {}, a.axis ?? '—'),
    h('td', {}, `${formatDate(a.start)} → ${formatDate(a.end)}`),
    h('td', {}, a.active ? wt('term_active') : wt('term_ended')),
    h('td', {}, canManage && a.active ? h('button', {
      type: 'button', class: 'small', 'aria-label': `${wt('term_end')} — ${a.person_name || personName(a.person)}, ${roleText(a.role)}`,
      onclick: async (e) => {
        e.currentTarget.disabled = true;
        try {
          await api.post(`/v1/programmes/${api.enc(programmeId)}/assignments/${api.enc(a.id)}/end`, {});
          toast(wt('term_ended_done'));
          onChanged();
        } catch (failure) {
          toast(describeFailure(failure).sentence);
        }
      },
    }, wt('term_end')) : null)));
  return h('section', { class: 'card terms', 'aria-labelledby': 'terms-title', id: 'terms' },
    h('h2', { id: 'terms-title' }, wt('terms_title')),
    h('div', { class: 'table-scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, [wt('term_person'), wt('term_role'), wt('term_axis'), wt('term_term'), wt('term_state'), '']
        .map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows))),
    canManage ? assignForm(def, toast, onChanged) : null);
}

function assignForm(def, toast, onChanged) {
  const today = isoDay(new Date());
  const person = h('select', { id: 'term-person', required: true },
    h('option', { value: '' }, wt('term_pick_person')),
    allPeople().map((p) => h('option', { value: p.id }, displayName(p))));
  const role = h('select', { id: 'term-role' }, ROLES.map((r) => h('option', { value: r }, roleText(r))));
  const axis = h('select', { id: 'term-axis' }, h('option', { value: '' }, wt('term_no_axis')),
    (def.axes ?? []).map((a) => h('option', { value: a.id }, `${a.id} ${a.title ?? ''}`)));
  const start = h('input', { type: 'date', id: 'term-start', value: today, required: true });
  const end = h('input', { type: 'date', id: 'term-end', value: addYears(today, TERM_YEARS.elu_referent), required: true });
  const error = h('p', { class: 'error', role: 'alert', id: 'term-error' });
  role.value = 'elu_referent';
  const proposeEnd = () => { end.value = addYears(start.value || today, TERM_YEARS[role.value] ?? 1); };
  role.addEventListener('change', proposeEnd);
  start.addEventListener('change', proposeEnd);
  const form = h('form', { class: 'term-form', novalidate: true, id: 'term-form' },
    h('h3', {}, wt('term_new')),
    h('label', { for: 'term-person' }, wt('term_who')), person,
    h('label', { for: 'term-role' }, wt('term_role_given')), role,
    h('label', { for: 'term-axis' }, wt('term_axis_of')), axis,
    h('label', { for: 'term-start' }, wt('term_start')), start,
    h('label', { for: 'term-end' }, wt('term_end_day')), end,
    h('button', { type: 'submit', class: 'primary' }, wt('term_assign')), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const mistakes = [];
    if (!person.value) mistakes.push([person, wt('term_need_person')]);
    if ((role.value === 'elu_referent' || role.value === 'referent_technique') && !axis.value) mistakes.push([axis, wt('term_need_axis')]);
    if (!start.value || !end.value || end.value < start.value) mistakes.push([end, wt('term_need_dates')]);
    if (mistakes.length) {
      replace(error, mistakes.map(([, text]) => text).join(' '));
      mistakes[0][0].focus();
      return;
    }
    replace(error);
    try {
      await api.post(`/v1/programmes/${api.enc(def.id)}/assignments`, {
        person: person.value, role: role.value, ...(axis.value ? { axis: axis.value } : {}), start: start.value, end: end.value,
      });
      toast(wt('term_assigned', { person: personName(person.value), role: roleText(role.value) }));
      onChanged();
    } catch (failure) {
      replace(error, describeFailure(failure).sentence);
    }
  });
  return form;
}
