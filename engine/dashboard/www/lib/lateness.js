// Lateness with its size: "1 an de retard", "5 ans de retard" (GET
// /v1/projects items and GET /v1/projects/{id} carry `late_by_years`, an
// integer >= 1, next to `late`; where a server does not give it, just "En
// retard"). The badge's colour darkens with the years (classes late-1,
// late-2, late-3 for three years and more; app.css keeps each AA-contrasted).
import { h } from './dom.js';
import { wt } from './workbench_i18n.js';

// Years from which the badge has its darkest colour.
const DARKEST_GRADE = 3;

// The years a project is behind its plan: an integer >= 1, or null when it
// is late by an unknown amount, or 0 when it is on time.
export function lateYears(project) {
  if (!project?.late) return 0;
  const n = project.late_by_years;
  return Number.isInteger(n) && n >= 1 ? n : null;
}

// The words: "2 ans de retard", "En retard" (size unknown), '' on time.
export function lateText(project) {
  const years = lateYears(project);
  if (years === 0) return '';
  if (years === null) return wt('late_unknown');
  return years === 1 ? wt('late_years_one') : wt('late_years_many', { n: years });
}

// The badge (null on time); data-late-years carries the number for tests
// and styles.
export function lateBadge(project) {
  const years = lateYears(project);
  if (years === 0) return null;
  const grade = years === null ? 1 : Math.min(years, DARKEST_GRADE);
  return h('span', { class: `badge late late-${grade}`, 'data-late-years': years ?? '' }, lateText(project));
}
