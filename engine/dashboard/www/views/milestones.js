// Milestone tables (the élus' reviews, yearly milestones) and the "review
// held" form (POST /v1/programmes/{id}/milestones/{m}/held), shared by the
// programme and élu views.
import { t, lang, formatDate, formatDateTime } from '../lib/i18n.js';
import { h } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { describeFailure } from '../lib/refusal.js';
import { personName } from '../lib/people.js';
import { moveButton, moveWord } from '../lib/move_dialog.js';

export function milestoneStatus(m) {
  if (m.status === 'held') return 'held';
  if (m.status === 'cancelled') return 'cancelled';
  if (m.overdue) return 'overdue';
  if (Date.parse(m.due) <= Date.now()) return 'due';
  return 'scheduled';
}

// The server's title in the language the list was asked in (every list is
// read with ?lang= of the switch: a review is named with its élu), else the
// stored title of the page's language.
export function milestoneTitle(m) {
  return m.title || (lang() === 'en' ? m.title_en : m.title_fr) || m.kind;
}

// A short name for narrow places: "Point avec l'élu" for reviews.
function shortTitle(m) {
  return m.kind === 'review' ? t('milestone_kind_review') : milestoneTitle(m);
}

// A table of milestones; canHold adds a "review held" button to those not
// held yet, which opens the form. onHeld() runs after a success. compact
// (for a side column) drops the person and shortens the titles.
export function milestoneTable(programmeId, milestones, { caption, canHold, onHeld, toast, compact = false }) {
  const rows = milestones.map((m) => {
    const status = milestoneStatus(m);
    const cells = [
      h('time', { datetime: m.due }, compact ? formatDate(m.due) : formatDateTime(m.due)),
      compact ? shortTitle(m) : milestoneTitle(m),
      compact ? null : personName(m.person),
      h('span', { class: `badge status-${status}` }, t(`milestone_status_${status}`)),
    ].filter((c) => c !== null);
    if (canHold) {
      cells.push(status === 'held' || status === 'cancelled' ? '' : h('button', {
        type: 'button', class: 'small', 'data-milestone': m.id,
        'aria-label': `${t('record_held')} — ${milestoneTitle(m)}`,
        onclick: (e) => openHeldForm(programmeId, m, e.currentTarget, { onHeld, toast }),
      }, t('record_held')));
      cells.push(status === 'held' || status === 'cancelled' ? '' :
        moveButton(programmeId, m, { label: milestoneTitle(m), onMoved: onHeld, toast }));
    }
    return h('tr', { class: status === 'overdue' ? 'row-overdue' : '' }, cells.map((c) => h('td', {}, c)));
  });
  const headers = [t('milestone_col_date'), t('milestone_col_what'), compact ? null : t('milestone_col_who'),
    t('milestone_col_status')].filter((x) => x !== null);
  if (canHold) headers.push(h('span', { class: 'visually-hidden' }, t('record_held')));
  if (canHold) headers.push(h('span', { class: 'visually-hidden' }, moveWord('move')));
  return h('table', { class: compact ? 'milestones compact' : 'milestones' },
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows));
}

// A modal form (native <dialog>: focus kept inside, Escape closes).
function openHeldForm(programmeId, milestone, opener, { onHeld, toast }) {
  const error = h('p', { class: 'error', role: 'alert' });
  const notes = h('textarea', { id: 'held-notes', name: 'notes', rows: 3 });
  const decisions = h('textarea', { id: 'held-decisions', name: 'decisions', rows: 3 });
  const dialog = h('dialog', { class: 'card', 'aria-labelledby': 'held-title' });
  const close = () => { dialog.close(); dialog.remove(); opener?.focus(); };
  const form = h('form', { method: 'dialog' },
    h('h2', { id: 'held-title' }, t('held_title', { title: milestoneTitle(milestone) })),
    h('label', { for: 'held-notes' }, t('held_notes')), notes,
    h('label', { for: 'held-decisions' }, t('held_decisions')), decisions,
    h('div', { class: 'buttons' },
      h('button', { type: 'submit', class: 'primary' }, t('held_submit')),
      h('button', { type: 'button', onclick: close }, t('cancel'))),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { decisions: decisions.value.split('\n').map((d) => d.trim()).filter(Boolean) };
    if (notes.value.trim()) body.notes = notes.value.trim();
    try {
      await api.post(`/v1/programmes/${api.enc(programmeId)}/milestones/${api.enc(milestone.id)}/held`, body);
      close();
      toast(t('held_done'));
      onHeld?.();
    } catch (failure) {
      error.textContent = describeFailure(failure).sentence;
    }
  });
  dialog.append(form);
  dialog.addEventListener('cancel', (e) => { e.preventDefault(); close(); });
  document.body.append(dialog);
  dialog.showModal();
  notes.focus();
}
