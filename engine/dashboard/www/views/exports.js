// The "Exporter" card of the programme page: each table of the programme as
// CSV (for French spreadsheets) or XLSX, and the whole programme as one
// workbook (GET /v1/programmes/{id}/exports/{table}.{format}, docs/api.md).
import { h } from '../lib/dom.js';
import { wt } from '../lib/workbench_i18n.js';
import { download } from '../lib/download.js';
import * as api from '../lib/api.js';

const TABLES = ['actions', 'indicators', 'milestones', 'history'];

export function exportsCard(programmeId, toast) {
  const base = `/v1/programmes/${api.enc(programmeId)}/exports/`;
  const button = (file, text, label) => h('button', {
    type: 'button', class: 'small', 'data-export': file, 'aria-label': label,
    onclick: async (e) => {
      const b = e.currentTarget;
      b.disabled = true;
      try {
        await download(base + file, `${programmeId}-${file}`);
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
