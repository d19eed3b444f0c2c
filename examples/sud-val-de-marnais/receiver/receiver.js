// The sample partner receiver of the Sud Val-de-Marnais example: one HTTP
// server standing for every partner's webhook endpoint (the path names the
// partner: /ccas-fresnes, /anpe...). It checks each request's Standard
// Webhooks signature with the secrets of ../webhooks.json (HMAC-SHA256 over
// "<webhook-id>.<webhook-timestamp>.<body>", Node's crypto: no npm package),
// prints one line per delivery and answers 204 (401 to a bad signature).
// The backlog waiting at its start (the import's deliveries, hundreds) is
// told in one summary line once deliveries pause for --quiet-ms; then one
// line per delivery, so that what a click causes is seen.
// Usage: node receiver.js [--port 8090] [--quiet-ms 1500] [--start-wait-ms 15000]   (--port 0: any free port, printed)
'use strict';
const http = require('http');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const port = Number(args.port || process.env.RELAIS_RECEIVER_PORT || 8090);
const quietMs = Number(args['quiet-ms'] || 1500);
// How long the start waits for the backlog's first delivery (relais starts after it).
const startWaitMs = Number(args['start-wait-ms'] || 15000);
// A backlog this small is printed line by line anyway.
const SUMMARY_MIN = 6;
const exampleDir = path.join(__dirname, '..');
const hooks = JSON.parse(fs.readFileSync(path.join(exampleDir, 'webhooks.json'), 'utf8'));
const partners = JSON.parse(fs.readFileSync(path.join(exampleDir, 'partners.json'), 'utf8')).partners;
const names = new Map(partners.map((p) => [p.id, p.name]));

// The secrets that may sign a request to each path (an endpoint's own, else the file's).
const secretsByPath = new Map();
for (const e of hooks.endpoints) secretsByPath.set(e.path, [e.secret || hooks.secret].filter(Boolean));

function signatureOk(pathname, headers, body) {
  const secrets = secretsByPath.get(pathname) || [];
  const id = headers['webhook-id'], timestamp = headers['webhook-timestamp'];
  const given = String(headers['webhook-signature'] || '').split(' ').map((s) => s.replace(/^v1,/, ''));
  if (!id || !timestamp) return false;
  return secrets.some((secret) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    const expected = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
    return given.some((g) => g.length === expected.length && crypto.timingSafeEqual(Buffer.from(g), Buffer.from(expected)));
  });
}

const seen = new Set();  // webhook-ids: a retried delivery is printed as such
let count = 0;

// The start's backlog: counted, its first lines kept, told when it pauses.
const backlog = { open: true, lines: [], byType: new Map(), partners: new Set(), timer: null };

function closeBacklog() {
  backlog.open = false;
  if (count < SUMMARY_MIN) {
    for (const line of backlog.lines) console.log(line);
  } else {
    const types = [...backlog.byType].sort((a, b) => b[1] - a[1]).map(([t, k]) => `${t} ×${k}`).join(', ');
    console.log(`[receiver] ${count} deliveries waiting at the start (the import's backlog) to ` +
                `${backlog.partners.size} partners: ${types}; from now on one line per delivery`);
  }
  backlog.lines = [];
}

function report(line, partner, type) {
  if (!backlog.open) { console.log(line); return; }
  if (backlog.lines.length < SUMMARY_MIN) backlog.lines.push(line);
  backlog.byType.set(type, (backlog.byType.get(type) || 0) + 1);
  backlog.partners.add(partner);
  clearTimeout(backlog.timer);
  backlog.timer = setTimeout(closeBacklog, quietMs);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const pathname = new URL(req.url, 'http://receiver').pathname;
    const partner = pathname.replace(/^\//, '');
    if (req.method !== 'POST' || !signatureOk(pathname, req.headers, body)) {
      console.log(`[receiver] REJECTED ${req.method} ${pathname}: bad or missing signature`);
      res.writeHead(401).end();
      return;
    }
    let event = {};
    try { event = JSON.parse(body); } catch (e) { /* printed as unknown below */ }
    const project = (event.data && event.data.project) || {};
    const version = event.data && event.data.event ? ` v${event.data.event.version}` : '';
    const again = seen.has(req.headers['webhook-id']) ? ' (again)' : '';
    seen.add(req.headers['webhook-id']);
    count += 1;
    report(`[receiver] #${count} ${partner.padEnd(28)} ${String(event.type || '?').padEnd(22)} ` +
           `${project.id || '-'}${version}${again}  (${names.get(partner) || 'unknown partner'})`,
           partner, String(event.type || '?'));
    res.writeHead(204).end();
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`[receiver] listening on http://127.0.0.1:${server.address().port}/ for ${secretsByPath.size} partner endpoints`);
  // Nothing waiting: the first delivery is printed at once.
  backlog.timer = setTimeout(closeBacklog, startWaitMs);
});
