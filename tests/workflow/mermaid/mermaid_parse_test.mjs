// `relais render` (Mermaid) checked by Mermaid itself: every shipped
// workflow, in French and in English, is parsed and drawn by Mermaid's
// browser bundle (pinned in package-lock.json) in Debian's chromium, and the
// drawing holds the phases, the tracks and the suspended state by their labels.
//
// Usage: node --test mermaid_parse_test.mjs (env RELAIS_BINARY, RELAIS_SOURCE_DIR; ctest sets them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const BINARY = process.env.RELAIS_BINARY;
const SOURCE = process.env.RELAIS_SOURCE_DIR;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let browser;
let page;

before(async () => {
  assert.ok(BINARY && SOURCE, 'RELAIS_BINARY and RELAIS_SOURCE_DIR must be set');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ path: join(HERE, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js') });
  await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false }));
});

after(async () => {
  await browser?.close();
});

// Parses, then draws; returns the SVG text or throws with Mermaid's message.
async function mermaidSvg(text, id) {
  const result = await page.evaluate(async ({ text, id }) => {
    try {
      await window.mermaid.parse(text);
      const { svg } = await window.mermaid.render(id, text);
      return { svg };
    } catch (e) {
      return { error: String(e?.message ?? e) };
    }
  }, { text, id });
  if (result.error) throw new Error(result.error);
  return result.svg;
}

// Mermaid's entity codes, as relais render writes them, back to text.
function decode(s) {
  return s.replaceAll('#quot;', '"').replaceAll('#58;', ':').replaceAll('#59;', ';')
    .replaceAll('#lt;', '<').replaceAll('#gt;', '>').replaceAll('#35;', '#');
}

// The text is in the SVG, as text or XML-escaped.
function drawn(svg, text) {
  const escaped = text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return [text, escaped, escaped.replaceAll("'", '&#39;'), escaped.replaceAll('"', '&quot;')].some((v) => svg.includes(v));
}

const workflows = readdirSync(join(SOURCE ?? '.', 'workflows')).filter((f) => f.endsWith('.yaml')).sort();
// Test workflows that use children, spawn, keyed tracks and timers (every:, at:, on_suspend:).
const testWorkflows = [
  'tests/workflow/testdata/links/projet_insertion.yaml',
  'tests/workflow/testdata/links/parcours_participant.yaml',
  'tests/workflow/testdata/tour_financement.yaml',
  'tests/workflow/testdata/timers_revue.yaml',
];

test('there are workflows to check', () => {
  assert.ok(workflows.includes('cbe.yaml') && workflows.includes('comite-propositions.yaml'), workflows.join(', '));
});

for (const file of [...workflows.map((f) => join('workflows', f)), ...testWorkflows]) {
  for (const lang of ['fr', 'en']) {
    test(`${file} (${lang}) is valid Mermaid and draws its phases`, async () => {
      const text = execFileSync(BINARY, ['render', '--lang', lang, join(SOURCE, file)], { encoding: 'utf8' });
      const svg = await mermaidSvg(text, `d_${file.replace(/\W/g, '_')}_${lang}`);
      assert.match(svg, /<svg/);
      assert.ok(drawn(svg, JSON.parse(text.match(/^title: (".*")$/m)[1])), 'the title is drawn');
      // Every state named in the text is drawn with its label.
      const states = [...text.matchAll(/^\s*state "([^"]*)" as \w+/gm)].map((m) => decode(m[1]));
      assert.ok(states.length >= 3, `only ${states.length} states`);
      for (const label of states) assert.ok(drawn(svg, label), `state "${label}" is drawn`);
    });
  }
}
