// "Modifier le programme" (#/edit/programme/{id}, coordinators and admins):
// what describes it (title, region, communes, axes and sub-axes), changed in
// one PATCH /v1/programmes/{id} (programme_details_changed, with its author).
// Its plan years and review rules place its calendar and stay as defined:
// the page says so.
import { h, replace } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { wt } from '../lib/workbench_i18n.js';
import { describeFailure } from '../lib/refusal.js';
import * as api from '../lib/api.js';
import { parseAxes } from './programme_form.js';

const lines = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);

export async function render(ctx) {
  const id = ctx.params[0];
  const page = h('section', { class: 'workbench', 'aria-labelledby': 'edit-programme-heading' });
  replace(ctx.main, page);
  if (!ctx.canManage) {
    replace(page, h('h1', { id: 'edit-programme-heading' }, wt('programme_edit_title', { title: id })),
      h('p', { class: 'error', role: 'alert' }, t('forbidden')));
    return null;
  }
  let def;
  try {
    def = (await api.get(`/v1/programmes/${api.enc(id)}`)).definition;
  } catch (failure) {
    replace(page, h('p', { class: 'error', role: 'alert' }, t('load_failed', { detail: describeFailure(failure).sentence })));
    return null;
  }
  const title = h('input', { id: 'edit-programme-title', value: def.title ?? '', required: true });
  const region = h('input', { id: 'edit-programme-region', value: def.region ?? '' });
  const territory = h('textarea', { id: 'edit-programme-territory', rows: 4 });
  territory.value = (def.territory ?? []).join('\n');
  const axes = h('textarea', { id: 'edit-programme-axes', rows: 8 });
  axes.value = (def.axes ?? []).map((a) => [a.id, a.title ?? '', a.parent ?? ''].filter((x, i) => i < 2 || x).join(' ; ')).join('\n');
  const error = h('div', { class: 'error', role: 'alert', id: 'edit-programme-error' });
  const form = h('form', { novalidate: true, class: 'card', id: 'edit-programme' },
    h('label', { for: 'edit-programme-title' }, wt('programme_edit_name')), title,
    h('label', { for: 'edit-programme-region' }, wt('programme_edit_region')), region,
    h('label', { for: 'edit-programme-territory' }, wt('programme_edit_territory')), territory,
    h('label', { for: 'edit-programme-axes' }, wt('programme_edit_axes')), axes,
    h('p', { class: 'hint' }, wt('programme_edit_frozen', { years: (def.plan_years ?? []).join('-') })),
    h('button', { type: 'submit', class: 'primary' }, wt('programme_edit_save')), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const parsed = parseAxes(lines(axes.value));
    const mistakes = parsed.mistakes.map((m) => m.text);
    if (!title.value.trim()) mistakes.unshift(wt('programme_edit_need_title'));
    if (mistakes.length) {
      replace(error, mistakes.map((m) => h('p', {}, m)));
      (title.value.trim() ? axes : title).focus();
      return;
    }
    replace(error);
    try {
      await api.patch(`/v1/programmes/${api.enc(id)}`, {
        title: title.value.trim(), region: region.value.trim(), territory: lines(territory.value), axes: parsed.axes,
      });
      ctx.toast(wt('programme_edit_saved'));
      location.hash = `#/programme/${api.enc(id)}`;
    } catch (failure) {
      replace(error, h('p', {}, describeFailure(failure).sentence));
    }
  });
  replace(page,
    h('p', {}, h('a', { href: `#/programme/${api.enc(id)}` }, wt('form_back'))),
    h('h1', { id: 'edit-programme-heading' }, wt('programme_edit_title', { title: def.title || id })),
    form);
  return null;
}
