// A real SMTP server for the browser test: tests/testing/smtp_sink.py
// (Debian's python3-aiosmtpd) on 127.0.0.1, a free port read from its first
// line, each message it accepts written to a folder; messages() reads them
// back with Python's own `email` package (tests/testing/mail_to_json.py),
// a parser independent of Relais.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// How long the sink may take to say it listens, and to stop.
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

// Debian's python3-aiosmtpd is installed for the system's Python, not a pyenv shim.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export function startSmtpSink(sourceDir, dir) {
  const script = (name) => join(sourceDir, 'tests', 'testing', name);
  const child = spawn(PYTHON, [script('smtp_sink.py'), '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d) => { output += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the smtp sink did not start:\n${output}`)); },
      START_TIMEOUT_MS);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the smtp sink exited (${code}):\n${output}`)); });
    child.stdout.on('data', (d) => {
      output += d;
      const m = output.match(/smtp sink listening on port (\d+)/);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        url: `smtp://127.0.0.1:${m[1]}`,
        dir,
        // Every message written so far, parsed, in arrival order.
        messages() {
          const files = readdirSync(dir).filter((n) => n.endsWith('.eml')).sort();
          if (files.length === 0) return [];
          const json = execFileSync(PYTHON, [script('mail_to_json.py'), ...files.map((n) => join(dir, n))],
            { encoding: 'utf8' });
          return JSON.parse(json);
        },
        stop: () => new Promise((done) => {
          if (child.exitCode !== null) { done(); return; }
          const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          child.on('exit', () => { clearTimeout(kill); done(); });
          child.kill('SIGTERM');
        }),
      });
    });
  });
}
