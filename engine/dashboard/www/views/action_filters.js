// The programme page's search and filters as data: read from the address's
// query (#/programme/ID?q=...&axis=2&late=true), written back to it, and
// applied to GET /v1/projects items. Text matches the title or the id,
// ignoring case and accents; an axis matches its sub-axes' actions too (as
// the grid counts them); a person is any member of the action. Pure
// functions: no DOM, so node tests them alone.

export const FILTER_KEYS = ['q', 'axis', 'phase', 'late', 'partner', 'person'];

// The filters in a URLSearchParams (null: none); unknown keys are ignored
// and `late` is 'true', 'false' or ''.
export function readFilters(query) {
  const f = {};
  for (const key of FILTER_KEYS) f[key] = (query?.get(key) ?? '').trim();
  if (!['true', 'false'].includes(f.late)) f.late = '';
  return f;
}

// The query string for filters, without '?' ('' when none is set).
export function filtersQuery(filters) {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filters[key]) params.set(key, filters[key].trim());
  return params.toString();
}

// Lower case, without accents: "Étude" and "etude" match.
export function folded(text) {
  return String(text ?? '').normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}

// Whether project p passes the filters; ancestryOf(axis) gives the axis and
// those above it (["2A", "2"]).
export function matches(p, filters, ancestryOf = (axis) => [axis]) {
  const f = filters;
  if (f.q) {
    const words = folded(f.q).split(/\s+/).filter(Boolean);
    const hay = `${folded(p.info.title)} ${folded(p.info.id)}`;
    if (!words.every((w) => hay.includes(w))) return false;
  }
  if (f.axis && !ancestryOf(p.info.axis).includes(f.axis)) return false;
  if (f.phase && p.state.phase !== f.phase) return false;
  if (f.late && Boolean(p.late) !== (f.late === 'true')) return false;
  if (f.partner && !(p.info.partners ?? []).includes(f.partner)) return false;
  if (f.person && !(p.info.members ?? []).some((m) => m.subject === f.person)) return false;
  return true;
}
