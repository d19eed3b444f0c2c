// A real `relais serve` for the browser test: a temp data dir, a config with
// the test's tokens, port 0 (the port is read from its first line), an
// optional libfaketime start date (to make history in the past).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// How long the server may take to print its address.
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export const sha256 = (text) => createHash('sha256').update(text).digest('hex');

// A workflows folder for the server: every .yaml of the given folders copied
// into dir/workflows (the shipped workflows/ and test-only ones side by side).
export function workflowsFolder(dir, sources) {
  const target = join(dir, 'workflows');
  mkdirSync(target, { recursive: true });
  for (const source of sources) {
    for (const name of readdirSync(source).filter((n) => n.endsWith('.yaml'))) {
      if (existsSync(join(target, name))) throw new Error(`two workflow files named ${name}`);
      copyFileSync(join(source, name), join(target, name));
    }
  }
  return target;
}

// tokens: [{token, subject, roles, partner?}]; sourceDir: the source tree
// whose engine/dashboard/www the server serves; workflowsDir: the folder
// deployed (default: the source tree's workflows/). port: the server's
// (default 0: any free one, read from its first line); publicUrl: the
// address its links name (programmes.public_url, hence invitation and
// sign-in links). email: keys of the configuration's `email:` section
// (smtp_url, from_address, public_base_url, max_sleep_ms...; see
// engine/email/email_config.cc); absent: e-mail off.
export function writeConfig(dir, {
  sourceDir, tokens, workflowsDir = join(sourceDir, 'workflows'), port = 0, publicUrl, email,
}) {
  const lines = [
    'server:', '  listen_address: 127.0.0.1', `  port: ${port}`, '  drain_timeout_ms: 1000',
    `data_dir: ${join(dir, 'data')}`,
    `workflows_dir: ${workflowsDir}`,
    'api:', '  stream_keepalive_ms: 500',
    'programmes:', '  escalation_days: 14', ...(publicUrl ? [`  public_url: ${publicUrl}`] : []),
    'webhooks:', '  retry_schedule_ms: [0, 100]', '  retry_jitter_percent: 0',
    '  connect_timeout_ms: 1000', '  total_timeout_ms: 1000', '  allowed_ranges: [127.0.0.1/32]', '  max_sleep_ms: 50',
    // The pages of the tree under test, not the folder compiled into the binary.
    'dashboard:', `  directory: ${join(sourceDir, 'engine', 'dashboard', 'www')}`,
  ];
  if (email) {
    lines.push('email:');
    for (const [key, value] of Object.entries(email)) lines.push(`  ${key}: ${JSON.stringify(value)}`);
  }
  lines.push('tokens:');
  for (const t of tokens) {
    lines.push(`  - sha256: ${sha256(t.token)}`, `    subject: "${t.subject}"`, `    roles: [${t.roles.join(', ')}]`);
    if (t.partner) lines.push(`    partner: ${t.partner}`);
  }
  const path = join(dir, 'relais.yaml');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

// Starts the server; fakeStart ("2025-01-06 09:00:00") runs it under
// libfaketime from that instant on (monotonic clocks untouched). A sanitized
// build names its runtime in RELAIS_PRELOAD_FIRST (ctest sets it): ASan
// must come first in the initial library list, so it goes before
// libfaketime (whose time functions ASan's interceptors then call on).
export function startServer(binary, configPath, { fakeStart } = {}) {
  const env = { ...process.env };
  if (fakeStart) {
    env.LD_PRELOAD = [env.RELAIS_PRELOAD_FIRST, env.LD_PRELOAD, findFaketime()].filter(Boolean).join(':');
    env.FAKETIME = `@${fakeStart}`;
    env.FAKETIME_DONT_FAKE_MONOTONIC = '1';
    env.FAKETIME_NO_CACHE = '1';
  }
  const child = spawn(binary, ['serve', '--config', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d) => { output += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relais did not start:\n${output}`)), START_TIMEOUT_MS);
    child.stdout.on('data', (d) => {
      output += d;
      const m = output.match(/relais listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({
          child, base: `http://127.0.0.1:${m[1]}`, output: () => output,
          stop: () => stopServer(child),
        });
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`relais exited (${code}):\n${output}`)); });
  });
}

function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) { resolve(child.exitCode); return; }
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.removeAllListeners('exit');
    child.on('exit', (code) => { clearTimeout(timer); resolve(code); });
    child.kill('SIGTERM');
  });
}

// The thread-safe build of libfaketime (relais runs many threads).
const FAKETIME_LIBS = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1',
];

function findFaketime() {
  const lib = FAKETIME_LIBS.find((path) => existsSync(path));
  if (!lib) throw new Error('libfaketime is missing: apt-get install faketime (./scripts/test installs it)');
  return lib;
}

// An API client for the setup, with one token.
export function apiClient(base, token) {
  return async function call(method, path, body, expected = [200, 201, 202]) {
    const response = await fetch(base + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!expected.includes(response.status)) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}
