// The recorded changes of a partner or a person, under its edit form:
// when, what, and who (GET /v1/partners/{id}/history,
// GET /v1/people/{person}/history). An entry registered before changes
// were recorded says so.
import { h, replace } from '../lib/dom.js';
import { formatDateTime } from '../lib/i18n.js';
import { wt } from '../lib/workbench_i18n.js';
import * as api from '../lib/api.js';

// Resolves to nothing; fills the returned element when the history arrives.
export function entryHistory(path) {
  const box = h('section', { class: 'entry-history', 'aria-labelledby': 'entry-history-title' },
    h('h3', { id: 'entry-history-title' }, wt('history_entry_title')));
  api.get(path).then((body) => {
    replace(box, h('h3', { id: 'entry-history-title' }, wt('history_entry_title')),
      h('ol', {}, body.changes.map((c) => h('li', { 'data-type': c.type },
        `${formatDateTime(c.at)} — ${wt(`history_${c.type}`)} — ${wt('history_by', { name: c.actor_name || c.actor })}`))));
  }).catch(() => box.append(h('p', {}, wt('history_none'))));
  return box;
}
