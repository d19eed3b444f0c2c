// People by name: the people directory (GET /v1/people, every page) loaded
// into a map the views read synchronously. A page names a person by civility,
// first and last name ("Mme Nadia Benali"; "Ms"/"Mr" in English); someone
// registered without names by their id's local part; an id the directory
// does not know as the id itself. An address is never shown as a name
// (docs/programmes.md "People").
import * as api from './api.js';
import { lang } from './i18n.js';

const people = new Map();

// The name of a directory entry in the page's language.
export function displayName(p) {
  const name = [p.first_name, p.last_name].filter(Boolean).join(' ');
  if (!name) return (p.id ?? '').split('@')[0] || p.id || '';
  const civility = lang() === 'en' ? ({ Mme: 'Ms', 'M.': 'Mr' }[p.civility] ?? p.civility) : p.civility;
  return civility ? `${civility} ${name}` : name;
}

// Loads the directory (at most maxPages pages); a failure leaves the map as
// it was (names fall back to ids). Resolves when done.
export async function loadPeople({ pageSize = 100, maxPages = 20 } = {}) {
  try {
    let after = '';
    for (let page = 0; page < maxPages; page += 1) {
      const body = await api.get(`/v1/people?limit=${pageSize}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      for (const p of body.people ?? []) people.set(p.id, p);
      if (!body.next_after) break;
      after = body.next_after;
    }
  } catch {
    // Names are a comfort: the ids still identify everyone.
  }
}

// The name of id for a page (its id when the directory does not know it).
export function personName(id) {
  if (!id) return '';
  const p = people.get(id);
  return p ? displayName(p) : id;
}

// Every directory entry loaded, by name (for pickers).
export function allPeople() {
  return [...people.values()].sort((a, b) => displayName(a).localeCompare(displayName(b)));
}
