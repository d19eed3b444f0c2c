// The "Méthodes" page (#/workflows), for coordinators and admins: a new
// version of a workflow file is checked first (diagnostics at their lines,
// POST /v1/workflows/validate), what it changes against the version in
// service is shown (phases and events added, removed, changed), then it is
// deployed (POST /v1/workflows); the actions still on older versions are
// listed, and the chosen ones moved after a dry run
// (POST /v1/workflows/{name}/migrations), removed phases mapped by hand.
import { h, replace } from '../lib/dom.js';
import { label } from '../lib/i18n.js';
import { wt } from '../lib/workbench_i18n.js';
import * as api from '../lib/api.js';

function diagnosticsList(diagnostics) {
  return h('ul', { class: 'diagnostics' }, diagnostics.map((d) => h('li', { class: `diagnostic ${d.severity}` },
    h('span', { class: d.severity === 'error' ? 'badge late' : 'badge info' }, d.severity), ' ',
    h('span', { class: 'where' }, wt('wf_line', { line: d.line, column: d.column })), ' — ', d.message)));
}

function changesCard(changes, name) {
  if (!changes) return h('p', { id: 'wf-changes' }, wt('wf_new_workflow', { name }));
  if (changes.same) return h('p', { id: 'wf-changes' }, wt('wf_same'));
  const part = (title, c) => h('li', {}, h('strong', {}, title), ' : ',
    [c.added.length ? wt('wf_added', { list: c.added.join(', ') }) : null,
      c.removed.length ? wt('wf_removed', { list: c.removed.join(', ') }) : null,
      c.changed.length ? wt('wf_changed', { list: c.changed.join(', ') }) : null].filter(Boolean).join(' ; ') || '—');
  return h('div', { id: 'wf-changes' }, h('h3', {}, wt('wf_changes')),
    h('ul', {}, part(wt('wf_phases'), changes.phases), part(wt('wf_events'), changes.events),
      changes.state_changed ? h('li', {}, wt('wf_state_changed')) : null));
}

function outcomeText(r, phaseLabel) {
  const before = phaseLabel(r.phase_before ?? ''), after = phaseLabel(r.phase_after ?? '');
  if (r.outcome === 'refused') return wt('wf_outcome_refused', { message: r.message ?? '' });
  return wt(`wf_outcome_${r.outcome}`, { before, after });
}

// The migration form for workflow `name` at version `def`: the actions on
// older versions, removed phases mapped, a dry run, then the move.
async function migrationCard(name, def, removedPhases) {
  const phaseLabel = (id) => label(def.phases.find((p) => p.id === id)?.labels, id);
  const projects = await api.getAllProjects(`workflow=${api.enc(name)}`);
  const older = projects.filter((p) => p.info.workflow_hash !== def.hash);
  const boxes = older.map((p) => h('input', { type: 'checkbox', value: p.info.id, id: `mig-${p.info.id}`, checked: true }));
  const mapping = removedPhases.map((phase) => {
    const select = h('select', { id: `map-${phase}`, 'data-from': phase },
      def.phases.map((p) => h('option', { value: p.id }, label(p.labels, p.id))));
    return h('p', {}, h('label', { for: `map-${phase}` }, `${phase} →`), ' ', select);
  });
  const results = h('div', { id: 'wf-results', role: 'status' });
  const run = async (dryRun) => {
    const body = {
      projects: boxes.filter((b) => b.checked).map((b) => b.value),
      phase_mapping: Object.fromEntries(mapping.map((m) => { const s = m.querySelector('select'); return [s.dataset.from, s.value]; })),
      dry_run: dryRun,
    };
    try {
      const answer = await api.post(`/v1/workflows/${api.enc(name)}/migrations`, body);
      const n = dryRun ? answer.would_move : answer.moved;
      replace(results, h('p', {}, wt(dryRun ? 'wf_summary_dry' : 'wf_summary', { n, refused: answer.refused })),
        h('ul', {}, answer.results.map((r) => h('li', { 'data-project': r.project, 'data-outcome': r.outcome },
          h('strong', {}, r.title || r.project), ' — ', outcomeText(r, phaseLabel)))));
    } catch (error) {
      replace(results, h('p', { class: 'error' }, error?.message ?? ''));
    }
  };
  return h('section', { class: 'card', 'aria-labelledby': 'wf-migrate-title' },
    h('h2', { id: 'wf-migrate-title' }, wt('wf_migrate_title')),
    older.length ? h('ul', { class: 'migration-projects' }, older.map((p, i) => h('li', {}, boxes[i], ' ',
      h('label', { for: `mig-${p.info.id}` }, p.info.title || p.info.id, ` (${phaseLabel(p.state.phase)})`)))) :
      h('p', {}, wt('wf_outcome_current')),
    mapping.length ? [h('p', {}, wt('wf_mapping')), ...mapping] : null,
    h('p', {}, h('button', { type: 'button', id: 'wf-dry-run', onclick: () => run(true) }, wt('wf_dry_run')), ' ',
      h('button', { type: 'button', class: 'primary', id: 'wf-migrate', onclick: () => run(false) }, wt('wf_migrate'))),
    results);
}

export async function render(ctx) {
  const file = h('input', { type: 'file', id: 'wf-file', accept: '.yaml,.yml,text/yaml' });
  const source = h('textarea', { id: 'wf-source', rows: 10, spellcheck: false });
  const report = h('div', { id: 'wf-report', role: 'status' });
  const deployButton = h('button', { type: 'button', class: 'primary', id: 'wf-deploy', disabled: true }, wt('wf_deploy'));
  const migration = h('div', { id: 'wf-migration' });
  let checkedText = '', checkedName = '', removedPhases = [];
  file.addEventListener('change', async () => { if (file.files?.[0]) source.value = await file.files[0].text(); });
  const check = async () => {
    deployButton.disabled = true;
    replace(migration);
    if (!source.value.trim()) { replace(report, h('p', { class: 'error' }, wt('wf_pick'))); return; }
    try {
      const v = await api.post('/v1/workflows/validate', { source: source.value, file_name: file.files?.[0]?.name });
      checkedText = source.value;
      checkedName = v.workflow?.name ?? '';
      removedPhases = v.changes?.phases?.removed ?? [];
      replace(report,
        h('p', { class: v.valid ? 'ok' : 'error' }, v.valid ? wt('wf_valid', { warnings: v.warnings }) : wt('wf_invalid', { errors: v.errors })),
        v.diagnostics.length ? diagnosticsList(v.diagnostics) : null,
        v.workflow ? changesCard(v.changes, checkedName) : null);
      deployButton.disabled = !v.valid || Boolean(v.changes?.same);
    } catch (error) {
      replace(report, h('p', { class: 'error' }, error?.message ?? ''));
    }
  };
  deployButton.addEventListener('click', async () => {
    if (source.value !== checkedText) { await check(); return; }
    try {
      const deployed = await api.post('/v1/workflows', { source: checkedText, file_name: file.files?.[0]?.name });
      ctx.toast(wt('wf_deployed', { hash: deployed.hash?.slice(0, 12) ?? '' }));
      deployButton.disabled = true;
      const current = await api.get(`/v1/workflows/${api.enc(checkedName)}`);
      replace(migration, await migrationCard(checkedName, { ...current.definition, hash: current.hash }, removedPhases));
    } catch (error) {
      replace(report, h('p', { class: 'error' }, error?.message ?? ''));
    }
  });
  replace(ctx.main, h('div', { class: 'workflows' },
    h('h1', {}, wt('wf_title')),
    h('p', { class: 'hint' }, wt('wf_intro')),
    h('section', { class: 'card', 'aria-labelledby': 'wf-upload-title' },
      h('h2', { id: 'wf-upload-title' }, wt('wf_file')),
      h('p', {}, h('label', { for: 'wf-file' }, wt('wf_file')), ' ', file),
      h('p', {}, h('label', { for: 'wf-source' }, wt('wf_source'))), source,
      h('p', {}, h('button', { type: 'button', id: 'wf-check', onclick: check }, wt('wf_check')), ' ', deployButton),
      report),
    migration));
  return { relevant: () => false, refresh: () => {} };
}
