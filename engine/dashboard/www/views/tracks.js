// The tracks of an action: each fixed track of its phase with its step, and
// each keyed track (one per funder asked...) with one line per key and its
// step's label; kept keyed tracks of phases already left are shown too
// (docs/workflow-language.md, "Tracks keyed by data").
import { t, label } from '../lib/i18n.js';
import { h } from '../lib/dom.js';

// [{id, label, keyed, kept, lines: [{key, step, stepLabel}]}] from the
// definition (its phases' tracks) and the project's state.tracks, in the
// definition's order. Pure: no DOM.
export function trackRows(def, state) {
  const shown = state?.tracks ?? {};
  const rows = [];
  for (const phase of def.phases ?? []) {
    for (const track of phase.tracks ?? []) {
      if (!(track.id in shown) || rows.some((r) => r.id === track.id)) continue;
      const stepLabel = (step) => label(track.step_labels?.[step], step);
      const value = shown[track.id];
      const keyed = Array.isArray(value);
      const lines = keyed
        ? value.map((entry) => ({ key: entry.key, step: entry.step, stepLabel: stepLabel(entry.step) }))
        : [{ key: null, step: value, stepLabel: stepLabel(value) }];
      rows.push({ id: track.id, label: label(track.labels, track.id), keyed, kept: phase.id !== state.phase, lines });
    }
  }
  return rows;
}

// The card, or null when the action has no track.
export function tracksCard(def, state) {
  const rows = trackRows(def, state);
  if (!rows.length) return null;
  return h('section', { class: 'card tracks', 'aria-labelledby': 'tracks-title' },
    h('h2', { id: 'tracks-title' }, t('tracks_title')),
    ...rows.map((row) => h('div', { class: 'track', 'data-track': row.id },
      h('h3', {}, row.label, row.kept ? h('span', { class: 'muted' }, ` — ${t('track_kept')}`) : null),
      row.keyed && !row.lines.length ? h('p', { class: 'muted' }, t('track_no_key'))
        : h('ul', {}, ...row.lines.map((line) => h('li', { 'data-key': line.key ?? '', 'data-step': line.step },
          line.key !== null ? h('span', { class: 'track-key' }, `${line.key} : `) : null,
          h('span', { class: 'badge step' }, line.stepLabel)))))));
}

// The keyed moves an event recorded (not the keys that merely appeared or
// started), as "Funders: region → Granted" texts, for the history.
export function keyedMoves(def, effects) {
  const out = [];
  for (const [id, change] of Object.entries(effects?.keyed_tracks ?? {})) {
    if (change.starts || change.ends) continue;
    const track = (def.phases ?? []).flatMap((p) => p.tracks ?? []).find((tr) => tr.id === id);
    if (!track) continue;
    for (const [key, step] of Object.entries(change.steps ?? {})) {
      if (step === track.steps?.[0]) continue;  // a key that appeared
      out.push(`${label(track.labels, id)} : ${key} → ${label(track.step_labels?.[step], step)}`);
    }
  }
  return out;
}
