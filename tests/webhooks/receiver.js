// A webhook receiver for Relais's end-to-end tests: verifies every request's
// Standard Webhooks signature with the `standardwebhooks` package and records
// what it accepted. Usage:
//   node receiver.js --port N --secrets whsec_a,whsec_b [--tls-cert F --tls-key F]
// Prints "receiver listening <port>" once ready. The path decides the answer:
//   /ok       200
//   /gone     410
//   /busy     429 with Retry-After: 1 on a delivery's first attempt, then 200
//   /flaky    500 on a delivery's first two attempts, then 200
//   /slow     no answer for 3 s on a delivery's first attempt, then 200
//   /failing3 500 on a delivery's first three attempts, then 200
// GET /received answers every accepted request (id, path with its query,
// type, project, version, topics, arrival time in ms, which secrets'
// signatures verified).
'use strict';
const http = require('http');
const https = require('https');
const fs = require('fs');
const { Webhook } = require('standardwebhooks');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const secrets = (args.secrets || '').split(',').filter(Boolean);
const verifiers = secrets.map((s) => new Webhook(s.replace(/^whsec_/, '')));

const received = [];
const attemptsById = new Map();
let rejected = 0;

function handle(req, res) {
  if (req.method === 'GET' && req.url === '/received') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ received, rejected }));
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = {
      'webhook-id': req.headers['webhook-id'],
      'webhook-timestamp': req.headers['webhook-timestamp'],
      'webhook-signature': req.headers['webhook-signature'],
    };
    const verifiedWith = [];
    verifiers.forEach((v, i) => {
      try {
        v.verify(body, headers);
        verifiedWith.push(i);
      } catch (e) { /* not signed with this secret */ }
    });
    if (verifiedWith.length === 0) {
      rejected++;
      res.writeHead(401);
      res.end('bad signature');
      return;
    }
    const id = headers['webhook-id'];
    const attempt = (attemptsById.get(id) || 0) + 1;
    attemptsById.set(id, attempt);
    const path = req.url;
    const reply = (status, extra) => {
      res.writeHead(status, Object.assign({ 'content-type': 'text/plain' }, extra || {}));
      res.end(status === 200 ? 'ok' : 'status ' + status);
    };
    if (path === '/gone') return reply(410);
    if (path === '/busy' && attempt === 1) return reply(429, { 'retry-after': '1' });
    if (path === '/flaky' && attempt <= 2) return reply(500);
    if (path === '/failing3' && attempt <= 3) return reply(500);
    if (path === '/slow' && attempt === 1) {
      setTimeout(() => reply(200), 3000);
      return;
    }
    const payload = JSON.parse(body);
    received.push({
      id, path, attempt, at: Date.now(), type: payload.type,
      project: payload.data.project.id, link: payload.data.project.link,
      version: payload.data.event.version, topics: payload.data.event.topics,
      signatures: headers['webhook-signature'].split(' ').length,
      verified_with: verifiedWith,
    });
    reply(200);
  });
}

const server = args['tls-cert']
  ? https.createServer({ cert: fs.readFileSync(args['tls-cert']), key: fs.readFileSync(args['tls-key']) }, handle)
  : http.createServer(handle);
server.keepAliveTimeout = 30000;
server.listen(Number(args.port || 0), '127.0.0.1', () => {
  console.log('receiver listening ' + server.address().port);
});
