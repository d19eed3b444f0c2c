// A new action of a programme (#/new/action/{programme}): its title, axis,
// method (the deployed workflows the caller may create), starting phase,
// the partners concerned, the planned year of each phase, an élu référent;
// POST /v1/projects, which the server records as the project's first event
// with its author. Coordinators and admins only.
import { t, label } from '../lib/i18n.js';
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { describeFailure } from '../lib/refusal.js';
import { loadPeople, personName, allPeople } from '../lib/people.js';
import { wt } from '../lib/workbench_i18n.js';
import { schemaForm, words, idMistake, checkboxGroup, checkedValues } from './form_kit.js';
import { mayCreate } from './children.js';

const FIRST_YEAR = 1900;
const LAST_YEAR = 9999;

export async function render(ctx) {
  const programmeId = ctx.params[0];
  const page = h('section', { class: 'workbench', 'aria-labelledby': 'new-action-heading' });
  replace(ctx.main, page);
  if (!ctx.canManage) {
    replace(page, h('h1', { id: 'new-action-heading' }, wt('tool_new_action')), h('p', { class: 'error', role: 'alert' }, t('forbidden')));
    return null;
  }
  try {
    const [programme, workflows, partners, people] = await Promise.all([
      api.get(`/v1/programmes/${api.enc(programmeId)}`),
      api.get('/v1/workflows'),
      api.partnerNames(),
      loadPeople().then(allPeople),
    ]);
    const defs = (await Promise.all((workflows.workflows ?? []).map(async (w) => ({
      name: w.name, def: await ctx.workflowOf(w.name, w.hash).catch(() => null),
    })))).filter((w) => w.def && mayCreate(w.def, ctx.me.roles));
    draw(programme.definition, defs, partners, people);
  } catch (failure) {
    replace(page, h('p', { class: 'error', role: 'alert' }, t('load_failed', { detail: describeFailure(failure).sentence })));
  }
  return null;

  function draw(programme, defs, partners, people) {
    const axes = programme.axes ?? [];
    const schema = {
      type: 'object',
      required: ['title', 'axis', 'workflow'],
      properties: {
        title: { type: 'string', maxLength: 200, labels: words('action_title_field') },
        id: { type: 'string', maxLength: 128, labels: words('action_id') },
        axis: {
          type: 'string', enum: axes.map((a) => a.id), labels: words('action_axis'),
          enum_labels: Object.fromEntries(axes.map((a) => [a.id, { fr: `${a.id} · ${a.title}`, en: `${a.id} · ${a.title}` }])),
        },
        workflow: {
          type: 'string', enum: defs.map((d) => d.name), labels: words('action_workflow'),
          enum_labels: Object.fromEntries(defs.map((d) => [d.name, d.def.labels ?? { fr: d.name, en: d.name }])),
        },
        elu: {
          type: 'string', enum: people.filter((p) => p.active !== false).map((p) => p.id), labels: words('action_elu'),
          enum_labels: Object.fromEntries(people.map((p) => [p.id, { fr: personName(p.id), en: personName(p.id) }])),
        },
      },
    };
    const partnerBox = [...partners.entries()].length
      ? checkboxGroup('new-action-partners', wt('action_partners'), [...partners.entries()].sort((a, b) => a[1].localeCompare(b[1])))
      : h('p', { class: 'muted' }, wt('action_no_partner'));
    const phasesBox = h('div', { class: 'planned' });
    const { element, form } = schemaForm({
      id: 'new-action', title: wt('action_new_title', { programme: programme.title || programme.id }), headingLevel: 'h1',
      schema, submitLabel: wt('action_submit'),
      values: { workflow: defs.length === 1 ? defs[0].name : (defs.find((d) => d.name === 'cbe_action')?.name) },
      extra: [partnerBox, phasesBox],
      readExtra: () => readPhases(),
      check: (data) => idMistake(schema, data, 'id').concat(plannedMistakes()),
      send: (data) => api.post('/v1/projects', projectOf(data)),
      onDone: (result, data) => {
        ctx.toast(wt('action_created', { title: data.title }));
        location.hash = `#/action/${api.enc(result?.project_id ?? data.id)}`;
      },
    });
    const workflowSelect = form.querySelector('[name="workflow"]');
    workflowSelect.addEventListener('change', () => drawPhases(workflowSelect.value));
    drawPhases(workflowSelect.value);
    replace(page, h('p', {}, h('a', { href: `#/programme/${api.enc(programmeId)}` }, wt('form_back'))), element);

    function drawPhases(name) {
      const def = defs.find((d) => d.name === name)?.def;
      if (!def) { replace(phasesBox); return; }
      const open = def.phases.filter((p) => !p.terminal);
      // The phases the plan dates (their planned_year key), else every open one.
      const keyed = open.filter((p) => p.planned_year_key);
      const dated = (keyed.length ? keyed : open).map((p) => ({ key: p.planned_year_key ?? p.id, phase: p }));
      const initials = def.initial_phases?.length ? def.phases.filter((p) => def.initial_phases.includes(p.id)) : open;
      replace(phasesBox,
        h('div', { class: 'field', 'data-field': 'initial_phase' },
          h('label', { for: 'new-action-initial-phase' }, wt('action_initial_phase')),
          h('select', { id: 'new-action-initial-phase', name: 'initial_phase' },
            h('option', { value: '' }, t('record_choose')),
            initials.map((p) => h('option', { value: p.id }, label(p.labels, p.id))))),
        h('fieldset', { class: 'years', 'data-field': 'planned_years' },
          h('legend', {}, wt('action_planned')),
          dated.map(({ key, phase }) => h('div', { class: 'field', 'data-field': `planned-${key}` },
            h('label', { for: `new-action-planned-${key}` }, wt('action_planned_year', { phase: label(phase.labels, phase.id) })),
            h('input', {
              id: `new-action-planned-${key}`, type: 'number', step: 1, min: FIRST_YEAR, max: LAST_YEAR,
              'data-phase': key, inputmode: 'numeric',
            })))));
    }

    function readPhases() {
      const planned = {};
      for (const input of phasesBox.querySelectorAll('input[data-phase]')) {
        if (input.value.trim() !== '') planned[input.dataset.phase] = Number(input.value.trim());
      }
      const initial = phasesBox.querySelector('[name="initial_phase"]')?.value;
      return { planned_years: planned, initial_phase: initial || undefined };
    }

    function plannedMistakes() {
      const found = [];
      for (const input of phasesBox.querySelectorAll('input[data-phase]')) {
        const text = input.value.trim();
        if (text === '') continue;
        const n = Number(text);
        const name = input.labels?.[0]?.textContent ?? input.dataset.phase;
        if (!Number.isInteger(n)) found.push({ field: `planned-${input.dataset.phase}`, text: t('check_type', { label: name, expected: t('type_integer'), found: `« ${text} »` }) });
        else if (n < FIRST_YEAR) found.push({ field: `planned-${input.dataset.phase}`, text: t('check_minimum', { label: name, value: n, limit: FIRST_YEAR }) });
        else if (n > LAST_YEAR) found.push({ field: `planned-${input.dataset.phase}`, text: t('check_maximum', { label: name, value: n, limit: LAST_YEAR }) });
      }
      return found;
    }

    function projectOf(data) {
      const project = {
        workflow: data.workflow, title: data.title, programme: programmeId, axis: data.axis,
        partners: partnerBox.tagName === 'FIELDSET' ? checkedValues(partnerBox) : [],
        planned_years: data.planned_years,
        members: data.elu ? [{ subject: data.elu, role: 'elu_referent' }] : [],
      };
      if (data.id) project.id = data.id;
      if (data.initial_phase) project.initial_phase = data.initial_phase;
      return project;
    }
  }
}
