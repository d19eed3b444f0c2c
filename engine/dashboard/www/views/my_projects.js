// The projects a caller takes part in when they see no programme (a
// partner's token, a person named on some actions): each with its phase,
// linking to its page. What is listed is what GET /v1/projects lets the
// caller see, so a partner who joins a project finds it here from then on.
import { t, label } from '../lib/i18n.js';
import { h } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { lateBadge } from '../lib/lateness.js';

// The card for projects (GET /v1/projects items); defs: Map
// "workflow@hash" -> definition, to name the phases.
export function myProjectsCard(projects, defs) {
  const phaseLabel = (p) => {
    const def = defs.get(`${p.info.workflow}@${p.info.workflow_hash}`);
    return label(def?.phases?.find((ph) => ph.id === p.state.phase)?.labels, p.state.phase);
  };
  const sorted = [...projects].sort((a, b) => (a.info.title || a.info.id).localeCompare(b.info.title || b.info.id));
  return h('section', { class: 'card', 'aria-labelledby': 'my-projects-title', id: 'my-projects' },
    h('h1', { id: 'my-projects-title' }, t('my_projects_title')),
    h('p', { class: 'subtitle' }, t('my_projects_intro')),
    sorted.length === 0 ? h('p', {}, t('my_projects_none'))
      : h('table', { class: 'actions' },
        h('thead', {}, h('tr', {}, [t('action_col_title'), t('action_col_phase'), t('action_col_status')]
          .map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, sorted.map((p) => h('tr', { 'data-project': p.info.id },
          h('td', {}, h('a', { href: `#/action/${api.enc(p.info.id)}` }, p.info.title || p.info.id)),
          h('td', { class: 'phase' }, phaseLabel(p)),
          h('td', {}, lateBadge(p) ?? h('span', { class: 'badge ok' }, t('on_time')),
            p.state.suspended ? h('span', { class: 'badge suspended' }, t('suspended')) : null))))));
}

// Every project the caller sees and the definitions naming their phases.
export async function loadMyProjects(ctx) {
  const projects = await api.getAllProjects('');
  const defs = new Map();
  const keys = [...new Set(projects.map((p) => `${p.info.workflow}@${p.info.workflow_hash}`))];
  await Promise.all(keys.map(async (key) => {
    const [name, hash] = key.split('@');
    defs.set(key, await ctx.workflowOf(name, hash).catch(() => null));
  }));
  return { projects, defs };
}
