// An élu's page: my next reviews, those overdue, my calendar link (a feed
// token: POST /v1/people/{person}/feed-tokens) and the live ones, each
// revocable, my actions. A coordinator (not an élu) sees their own agenda:
// the reviews with every élu référent, and may narrow it to one élu, whose
// page is then said in the third person.
import { t, lang, formatDateTime } from '../lib/i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { describeFailure } from '../lib/refusal.js';
import { milestoneTable } from './milestones.js';
import { loadPeople, personName } from '../lib/people.js';
import { wt } from '../lib/workbench_i18n.js';

// state.person for "every élu" (a coordinator's agenda).
const EVERYONE = '';

export async function render(ctx) {
  const page = h('section', { class: 'elu', 'aria-labelledby': 'elu-title' });
  replace(ctx.main, page);
  const state = { person: null, owner: null, calendar: null };

  async function load() {
    try {
      const programmes = (await api.get('/v1/programmes')).programmes ?? [];
      await loadPeople();
      const details = await Promise.all(programmes.map((p) => api.get(`/v1/programmes/${api.enc(p.id)}`)));
      const elus = [...new Set(details.flatMap((d) => (d.assignments ?? [])
        .filter((a) => a.role === 'elu_referent' && a.active).map((a) => a.person)))];
      if (state.person === null) state.person = ctx.canManage && !elus.includes(ctx.me.subject) ? EVERYONE : ctx.me.subject;
      const person = state.person;
      // The agenda's calendar and actions are the coordinator's own.
      const owner = person === EVERYONE ? ctx.me.subject : person;
      state.owner = owner;
      const lists = await Promise.all(programmes.map(async (p) => {
        const base = `/v1/programmes/${api.enc(p.id)}/milestones?lang=${lang()}${person === EVERYONE ? '&kind=review' : `&person=${api.enc(person)}`}`;
        const [next, overdue] = await Promise.all([api.get(`${base}&status=scheduled`), api.get(`${base}&overdue=true`)]);
        return { programme: p, next: (next.milestones ?? []).filter((m) => !m.overdue), overdue: overdue.milestones ?? [] };
      }));
      const projects = (await api.getAllProjects()).filter((p) => (p.info.members ?? []).some((m) => m.subject === owner));
      // Only those who may issue a link list them; others see no list.
      const links = await api.get(`/v1/people/${api.enc(owner)}/feed-tokens`).then((b) => b.feed_tokens ?? [], () => null);
      draw(elus, lists, projects, links);
    } catch (failure) {
      replace(page, h('p', { class: 'error', role: 'alert' }, describeFailure(failure).sentence));
    }
  }

  function draw(elus, lists, projects, links) {
    const mine = state.person === ctx.me.subject;
    const agenda = state.person === EVERYONE;
    const picker = ctx.canManage && elus.length ? (() => {
      const select = h('select', { id: 'elu-select' },
        elus.includes(ctx.me.subject) ? null : h('option', { value: EVERYONE, selected: agenda }, wt('agenda_everyone')),
        elus.map((p) => h('option', { value: p, selected: p === state.person }, personName(p))));
      select.addEventListener('change', () => { state.person = select.value; state.calendar = null; load(); });
      return h('p', {}, h('label', { for: 'elu-select' }, t('elu_choose')), ' ', select);
    })() : null;
    const overdue = lists.flatMap((l) => l.overdue.map((m) => ({ ...m, programme: l.programme.id })));
    replace(page,
      h('h1', { id: 'elu-title' }, mine ? t('elu_title') : agenda ? wt('agenda_title') : wt('agenda_person', { person: personName(state.person) })),
      picker,
      h('p', { class: 'subtitle' }, agenda ? wt('agenda_intro') : t('elu_person', { person: personName(state.person) })),
      h('section', { class: 'card', 'aria-labelledby': 'elu-overdue-title' },
        h('h2', { id: 'elu-overdue-title' }, t('elu_overdue')),
        overdue.length ? lists.filter((l) => l.overdue.length).map((l) => milestoneTable(l.programme.id, l.overdue,
          { caption: l.programme.title, canHold: ctx.canManage, onHeld: load, toast: ctx.toast }))
          : h('p', {}, t('overdue_none'))),
      h('section', { class: 'card', 'aria-labelledby': 'elu-next-title' },
        h('h2', { id: 'elu-next-title' }, mine || agenda ? t('elu_next') : wt('agenda_next')),
        lists.some((l) => l.next.length) ? lists.filter((l) => l.next.length).map((l) => milestoneTable(l.programme.id, l.next,
          { caption: l.programme.title, canHold: ctx.canManage, onHeld: load, toast: ctx.toast }))
          : h('p', {}, t('elu_no_reviews'))),
      calendarSection(links),
      h('section', { class: 'card', 'aria-labelledby': 'elu-actions-title' },
        h('h2', { id: 'elu-actions-title' }, mine || agenda ? t('elu_actions') : wt('agenda_actions')),
        projects.length ? h('ul', {}, projects.map((p) => h('li', {}, h('a', { href: `#/action/${api.enc(p.info.id)}` }, p.info.title || p.info.id))))
          : h('p', {}, t('none'))));
  }

  // The live links: when each was made, what it is limited to, and a button revoking it.
  function linksList(links) {
    if (!links?.length) return null;
    return h('div', { class: 'calendar-links' },
      h('h3', {}, t('elu_calendar_links')),
      h('ul', { 'aria-label': t('elu_calendar_links') }, links.map((link) => h('li', { 'data-link': link.id },
        t('elu_calendar_link_made', { when: formatDateTime(link.created_at) }),
        link.programmes.length ? ` (${t('elu_calendar_link_only', { programmes: link.programmes.join(', ') })})` : '',
        ' ',
        h('button', {
          type: 'button',
          onclick: async () => {
            try {
              await api.del(`/v1/people/${api.enc(state.owner)}/feed-tokens/${api.enc(link.id)}`);
              ctx.toast(t('elu_calendar_revoked'));
              state.calendar = null;
              await load();
            } catch (failure) {
              ctx.toast(describeFailure(failure).sentence);
            }
          },
        }, t('elu_calendar_revoke'))))));
  }

  function calendarSection(links) {
    const output = h('div', { class: 'calendar-link' });
    const error = h('p', { class: 'error', role: 'alert' });
    const show = (url) => {
      const input = h('input', { id: 'calendar-url', type: 'text', readonly: true, value: url });
      replace(output, h('label', { for: 'calendar-url' }, t('elu_calendar_link')), input,
        h('button', {
          type: 'button',
          onclick: async () => {
            input.select();
            try { await navigator.clipboard.writeText(url); } catch { document.execCommand?.('copy'); }
            ctx.toast(t('elu_calendar_copied'));
          },
        }, t('elu_calendar_copy')));
    };
    const make = h('button', {
      type: 'button', class: 'primary', id: 'calendar-make',
      onclick: async () => {
        try {
          const made = await api.post(`/v1/people/${api.enc(state.owner)}/feed-tokens`, {});
          state.calendar = new URL(made.url, location.origin).href;
          await load();  // the list shows the new link; the page keeps its address to copy
        } catch (failure) {
          error.textContent = describeFailure(failure).sentence;
        }
      },
    }, t('elu_calendar_make'));
    if (state.calendar) show(state.calendar);
    return h('section', { class: 'card', 'aria-labelledby': 'elu-calendar-title' },
      h('h2', { id: 'elu-calendar-title' }, t('elu_calendar')),
      h('p', {}, t('elu_calendar_intro')), state.calendar ? null : make, output, error, linksList(links));
  }

  await load();
  return {
    relevant: (event) => (event.data?.stream ?? '').startsWith('programme-') || (event.data?.stream ?? '').startsWith('project-'),
    refresh: load,
  };
}
