// The "Déplacer" dialog: moves a milestone to a new date and time
// (POST /v1/programmes/{id}/milestones/{m}/move {date, time}). A refusal
// (non-working day, outside working hours, someone busy, day full) is shown
// in words, the server's reason in the page's language, with the nearest
// free slots as buttons that fill the form (docs/programmes.md, "Moving a
// review"). Its words live here, beside the dialog, in both languages.
import { lang } from './i18n.js';
import { h } from './dom.js';
import * as api from './api.js';

const WORDS = {
  fr: {
    move: 'Déplacer',
    title: 'Déplacer « {title} »',
    date: 'Nouvelle date',
    time: 'Heure (facultative : sinon le premier créneau libre du jour)',
    submit: 'Déplacer',
    cancel: 'Annuler',
    nearest: 'Créneaux libres les plus proches :',
    done: 'Rendez-vous déplacé au {date} à {time}.',
    failed: 'Le déplacement a échoué : {reason}',
  },
  en: {
    move: 'Move',
    title: 'Move “{title}”',
    date: 'New date',
    time: 'Time (optional: otherwise the first free slot of the day)',
    submit: 'Move',
    cancel: 'Cancel',
    nearest: 'Nearest free slots:',
    done: 'Review moved to {date} at {time}.',
    failed: 'The move failed: {reason}',
  },
};

export function moveWord(key, values = {}) {
  const words = WORDS[lang()] ?? WORDS.fr;
  return (words[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => values[k] ?? '');
}

// The words of a refused move: the server's reason (already in the caller's
// language), else its detail, else the HTTP status.
export function refusalWords(failure) {
  const p = failure?.problem ?? {};
  const reason = p.messages?.[lang()] || p.reason || p.detail || failure?.message || String(failure);
  return { reason, nearest: Array.isArray(p.nearest) ? p.nearest : [] };
}

// The button that opens the dialog for milestone m of programmeId.
export function moveButton(programmeId, m, { label, onMoved, toast }) {
  return h('button', {
    type: 'button', class: 'small', 'data-move': m.id,
    'aria-label': `${moveWord('move')} — ${label}`,
    onclick: (e) => openMoveDialog(programmeId, m, e.currentTarget, { label, onMoved, toast }),
  }, moveWord('move'));
}

export function openMoveDialog(programmeId, milestone, opener, { label, onMoved, toast }) {
  const error = h('div', { class: 'error', role: 'alert', id: 'move-error' });
  const date = h('input', { id: 'move-date', name: 'date', type: 'date', required: true, value: milestone.date ?? '' });
  const time = h('input', { id: 'move-time', name: 'time', type: 'time', step: 300, value: milestone.time ?? '' });
  const dialog = h('dialog', { class: 'card', 'aria-labelledby': 'move-title' });
  const close = () => { dialog.close(); dialog.remove(); opener?.focus(); };
  const form = h('form', { method: 'dialog' },
    h('h2', { id: 'move-title' }, moveWord('title', { title: label ?? milestone.id })),
    h('label', { for: 'move-date' }, moveWord('date')), date,
    h('label', { for: 'move-time' }, moveWord('time')), time,
    h('div', { class: 'buttons' },
      h('button', { type: 'submit', class: 'primary' }, moveWord('submit')),
      h('button', { type: 'button', onclick: close }, moveWord('cancel'))),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.replaceChildren();
    const body = { date: date.value };
    if (time.value) body.time = time.value.slice(0, 5);
    try {
      const moved = await api.post(
        `/v1/programmes/${api.enc(programmeId)}/milestones/${api.enc(milestone.id)}/move`, body);
      close();
      toast?.(moveWord('done', { date: moved.date, time: moved.time }));
      onMoved?.(moved);
    } catch (failure) {
      const { reason, nearest } = refusalWords(failure);
      error.append(h('p', {}, reason));
      if (nearest.length) {
        error.append(h('p', {}, moveWord('nearest')), h('ul', { class: 'nearest-slots' }, nearest.map((slot) =>
          h('li', {}, h('button', {
            type: 'button', class: 'small', 'data-slot': `${slot.date} ${slot.time}`,
            onclick: () => { date.value = slot.date; time.value = slot.time; },
          }, `${slot.date} ${slot.time}`)))));
      }
    }
  });
  dialog.append(form);
  dialog.addEventListener('cancel', (e) => { e.preventDefault(); close(); });
  document.body.append(dialog);
  dialog.showModal();
  date.focus();
}
