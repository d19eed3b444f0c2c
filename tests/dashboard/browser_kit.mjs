// What the browser tests share: waiting for a condition, a page that keeps
// the errors it met, and a partners' webhook receiver on loopback.
import { createServer } from 'node:http';

// The longest any page or server change may take, unless a test says.
export const WAIT_MS = 15_000;

// Resolves once check() holds (errors count as "not yet"); throws after timeout.
export async function until(check, what, timeout = WAIT_MS) {
  const end = Date.now() + timeout;
  for (;;) {
    try { if (await check()) return; } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// A page in a context of its own (French, Paris time), its errors in
// page.errors: uncaught errors and console errors, except the failed loads
// of the statuses a test provokes on purpose (refusals, 401s).
export async function openPage(browser, { width = 1360, height = 900, expectedStatuses = [401, 422] } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const errors = [];
  const expected = new RegExp(`^Failed to load resource: the server responded with a status of (${expectedStatuses.join('|')})`);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !expected.test(m.text())) errors.push(m.text()); });
  page.errors = errors;
  return page;
}

// Partners' webhook receiver: /ok accepts, any other path fails (500).
// received: {path, eventId} of every request, in order.
export function startReceiver() {
  const received = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      let eventId = null;
      try { eventId = JSON.parse(body).data.event.id; } catch { /* not a Relais payload */ }
      received.push({ path: req.url, eventId });
      res.writeHead(req.url === '/ok' ? 204 : 500).end();
    });
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({
    base: `http://127.0.0.1:${srv.address().port}`, received, close: () => srv.close(),
  })));
}
