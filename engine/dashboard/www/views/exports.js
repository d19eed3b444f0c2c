// The "Exporter" card of the programme and network pages: each table as
// CSV (for French spreadsheets) or XLSX, and all of them as one workbook
// (GET /v1/programmes/{id}/exports/{table}.{format} or
// /v1/network/exports/..., docs/api.md).
import { h } from '../lib/dom.js';
import { wt } from '../lib/workbench_i18n.js';
import { download } from '../lib/download.js';

const TABLES = ['actions', 'indicators', 'milestones', 'history'];

// base: the exports' folder ("/v1/network/exports/"); name: the files'
// name before the server gives one.
export function exportsCard(base, name, toast) {
  const button = (file, text, label) => h('button', {
    type: 'button', class: 'small', 'data-export': file, 'aria-label': label,
    onclick: async (e) => {
      const b = e.currentTarget;
      b.disabled = true;
      try {
        await download(base + file, `${name}-${file}`);
      } catch (error) {
        toast(wt('export_failed', { reason: error?.message ?? '' }));
      } finally {
        b.disabled = false;
      }
    },
  }, text);
  return h('section', { class: 'card exports', 'aria-labelledby': 'exports-title' },
    h('h2', { id: 'exports-title' }, wt('exports_title')),
    h('p', { class: 'hint' }, wt('exports_intro')),
    h('ul', { class: 'export-list' },
      TABLES.map((table) => h('li', {},
        h('span', { class: 'export-name' }, wt(`export_${table}`)), ' ',
        button(`${table}.csv`, 'CSV', `${wt(`export_${table}`)} CSV`), ' ',
        button(`${table}.xlsx`, 'Excel', `${wt(`export_${table}`)} Excel`))),
      h('li', {}, button('all.xlsx', wt('export_all'), wt('export_all')))));
}
