// Validates every recorded HTTP response of the API tests against
// docs/openapi.yaml: the status is documented for the operation, the media
// type is one the response declares, a JSON body conforms to its schema
// (Ajv, JSON Schema 2020-12, with formats), and the declared headers are
// present (when required) and conform.
//
// usage: node validate_exchanges.mjs OPENAPI.yaml EXCHANGES.jsonl KNOWN_DEVIATIONS.json
//
// EXCHANGES.jsonl is written by tests/testing/exchange_recorder.h, one
// exchange a line. A path matches the document's templates as the server's
// router matches its routes (literal segments before parameters). A
// request to a known path with a method it does not serve is checked
// against components.responses.MethodNotAllowed; one to no known path
// against components.responses.NotFound. An operation, a status or both may
// be "*" in KNOWN_DEVIATIONS.json.
//
// KNOWN_DEVIATIONS.json lists the server's known departures from the
// document, each with its reason; a failure they match is reported as
// known, and an entry that matches nothing fails (remove it). Exit status:
// 0 when every response conforms or is a known deviation, 1 otherwise.
import fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const [docPath, exchangesPath, knownPath] = process.argv.slice(2);
if (!docPath || !exchangesPath || !knownPath) {
  console.error('usage: node validate_exchanges.mjs OPENAPI.yaml EXCHANGES.jsonl KNOWN_DEVIATIONS.json');
  process.exit(2);
}
if (!fs.existsSync(exchangesPath)) {
  console.error(`${exchangesPath}: no exchange was recorded (the tests marked RECORD_EXCHANGES did not run, ` +
                'or RELAIS_RECORD_EXCHANGES was not passed to them)');
  process.exit(1);
}

const doc = YAML.parse(fs.readFileSync(docPath, 'utf8'));
const known = JSON.parse(fs.readFileSync(knownPath, 'utf8')).response_deviations ?? [];
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

// ---- the document's schemas, for Ajv ----------------------------------
// components.schemas become the $defs of one schema "relais", and every
// reference to them points there.
const SCHEMA_ID = 'https://relais.dev/openapi-schemas';
function rewriteRefs(value) {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
        ? `${SCHEMA_ID}#/$defs/${v.slice('#/components/schemas/'.length)}`
        : rewriteRefs(v);
    }
    return out;
  }
  return value;
}
const ajv = new Ajv2020({allErrors: true, strict: true, allowUnionTypes: true});
addFormats(ajv);
ajv.addSchema({$id: SCHEMA_ID, $defs: rewriteRefs(doc.components?.schemas ?? {})});

function resolve(node) {
  // Local references of the document (#/components/...), followed to the end.
  let seen = 0;
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    if (++seen > 16) throw new Error(`reference loop at ${node.$ref}`);
    node = node.$ref.slice(2).split('/').map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((n, part) => n?.[part], doc);
  }
  return node;
}

const compiled = new Map();
function validatorFor(key, schema) {
  if (!compiled.has(key)) compiled.set(key, ajv.compile(rewriteRefs(schema)));
  return compiled.get(key);
}

// ---- paths --------------------------------------------------------------
const templates = Object.keys(doc.paths).map(template => {
  const segments = template === '/' ? [] : template.slice(1).split('/');
  return {template, segments, rank: segments.map(s => !/^\{.*\}$/.test(s))};
});
function segmentsOf(path) { return path === '/' ? [] : path.slice(1).split('/'); }
function rankGreater(a, b) {
  for (let i = 0; i < a.length; ++i) if (a[i] !== b[i]) return a[i];
  return false;
}
function matchPath(path) {
  const parts = segmentsOf(path);
  let best = null;
  for (const t of templates) {
    if (t.segments.length !== parts.length) continue;
    const ok = t.segments.every((s, i) => (/^\{.*\}$/.test(s) ? parts[i] !== '' : s === parts[i]));
    if (ok && (!best || rankGreater(t.rank, best.rank))) best = t;
  }
  return best;
}

// ---- one exchange -------------------------------------------------------
function mediaTypeOf(contentType) { return (contentType ?? '').split(';')[0].trim().toLowerCase(); }
function isJsonMedia(media) { return media === 'application/json' || media.endsWith('+json'); }
function ajvErrors(validate) {
  return validate.errors.map(e => `${e.instancePath || '(body)'} ${e.message}` +
    (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '')).join('; ');
}

// What the document expects: {operation, response} or a failure text.
function expectationOf(x) {
  const path = x.target.split('?')[0];
  const template = matchPath(path);
  if (!template) {
    return {operation: '(no documented path)', key: 'NotFound', response: resolve(doc.components.responses.NotFound),
            expectStatus: 404};
  }
  const item = doc.paths[template.template];
  let method = x.method.toLowerCase();
  if (method === 'head' && !item.head) method = 'get';
  const op = METHODS.includes(method) ? item[method] : undefined;
  if (!op) {
    return {operation: `(${x.method} not served at ${template.template})`, key: 'MethodNotAllowed',
            response: resolve(doc.components.responses.MethodNotAllowed), expectStatus: 405};
  }
  const status = String(x.status);
  const responses = op.responses ?? {};
  const chosen = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
  return {operation: op.operationId ?? `${x.method} ${template.template}`, key: `${op.operationId}/${status}`,
          response: resolve(chosen), template: template.template};
}

function failuresOf(x, expected) {
  const out = [];
  if (expected.expectStatus !== undefined && x.status !== expected.expectStatus) {
    out.push(`status ${x.status} where the document only allows ${expected.expectStatus}`);
    return out;
  }
  const response = expected.response;
  if (!response) {
    out.push(`status ${x.status} is not documented for this operation`);
    return out;
  }
  // Headers.
  const headers = new Map();
  for (const [name, value] of x.headers ?? []) headers.set(name.toLowerCase(), value);
  for (const [name, declared] of Object.entries(response.headers ?? {})) {
    const header = resolve(declared);
    const value = headers.get(name.toLowerCase());
    if (value === undefined) {
      // An in-process exchange (the Router, without the HTTP session) lacks
      // the session's own headers; X-Request-Id is one of them.
      if (header.required && !(x.source === 'router' && name.toLowerCase() === 'x-request-id'))
        out.push(`header ${name} is required but absent`);
      continue;
    }
    const schema = header.schema ?? {};
    const typed = schema.type === 'integer' && /^-?[0-9]+$/.test(value) ? Number(value) : value;
    const validate = validatorFor(`header:${JSON.stringify(schema)}`, schema);
    if (!validate(typed)) out.push(`header ${name}: '${value}' ${ajvErrors(validate)}`);
  }
  // Body.
  const media = mediaTypeOf(x.content_type);
  const content = response.content;
  if (!content) {
    if (x.body !== '') out.push(`a body (${media || 'no Content-Type'}) where the document declares none`);
    return out;
  }
  if (x.body === '' && media === '') return out;  // no content at all (HEAD)
  const entry = Object.entries(content).find(([m]) => m.toLowerCase() === media);
  if (!entry) {
    out.push(`Content-Type '${x.content_type}' is not one of ${Object.keys(content).join(', ')}`);
    return out;
  }
  const [declaredMedia, mediaObject] = entry;
  if (x.method === 'HEAD' || !isJsonMedia(media) || !mediaObject.schema) return out;
  let body;
  try {
    body = JSON.parse(x.body);
  } catch (e) {
    out.push(`the body is not JSON: ${e.message}`);
    return out;
  }
  const validate = validatorFor(`${expected.key}/${declaredMedia}`, mediaObject.schema);
  if (!validate(body)) out.push(`body: ${ajvErrors(validate)}`);
  return out;
}

// ---- all exchanges ------------------------------------------------------
const lines = fs.readFileSync(exchangesPath, 'utf8').split('\n').filter(l => l.trim() !== '');
const failures = new Map();  // "operation status: failure" -> {count, example}
const knownHits = new Map(); // index in known -> count
let checked = 0;
const answered = new Set();  // operations seen answering 1xx-3xx
for (const [n, line] of lines.entries()) {
  let x;
  try {
    x = JSON.parse(line);
  } catch (e) {
    console.error(`${exchangesPath}:${n + 1}: not a JSON line: ${e.message}`);
    process.exitCode = 1;
    continue;
  }
  ++checked;
  const expected = expectationOf(x);
  if (x.status < 400) answered.add(expected.operation);
  for (const failure of failuresOf(x, expected)) {
    const index = known.findIndex(k => (k.operation === '*' || k.operation === expected.operation) &&
                                       (k.status === '*' || Number(k.status) === x.status) &&
                                       failure.includes(k.error));
    if (index >= 0) {
      knownHits.set(index, (knownHits.get(index) ?? 0) + 1);
      continue;
    }
    const key = `${expected.operation} ${x.status}: ${failure}`;
    const seen = failures.get(key);
    if (seen) ++seen.count;
    else failures.set(key, {count: 1, example: `${x.method} ${x.target} (${x.test || 'no test'}, ${x.source})`});
  }
}

for (const [index, count] of knownHits) {
  const k = known[index];
  console.log(`known deviation (${count}x): ${k.operation} ${k.status}: ${k.error} -- ${k.reason}`);
}
for (const [index, k] of known.entries()) {
  if (!knownHits.has(index)) {
    failures.set(`${k.operation} ${k.status}: known deviation '${k.error}' no longer occurs; remove it from ${knownPath}`,
                 {count: 1, example: k.reason});
  }
}
for (const [key, {count, example}] of failures) {
  console.log(`FAIL ${key}\n     ${count}x, e.g. ${example}`);
}
const unseen = Object.values(doc.paths).flatMap(item => METHODS.filter(m => item[m]).map(m => item[m].operationId))
  .filter(id => !answered.has(id));
if (unseen.length) console.log(`operations never answered below 400 in the recording (their success responses are unchecked): ${unseen.join(', ')}`);
console.log(`${checked} responses checked against ${docPath}: ${failures.size} distinct failure(s), ` +
            `${knownHits.size} known deviation(s)`);
if (failures.size > 0) process.exitCode = 1;
