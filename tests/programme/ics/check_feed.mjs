// Parses a Relais calendar feed with ical.js (an independent RFC 5545 parser)
// and checks it against the expectations the C++ side wrote beside it:
//   node check_feed.mjs feed.ics expected.json
// expected.json: {"calendar_name": "...", "events": {"<uid>": {"start_utc": unix seconds,
//   "sequence": n, "status": "CONFIRMED"|"CANCELLED", "summary_contains": "..."}}}
// Exits non-zero on the first failed check; prints "N passed, N failed".
import fs from 'node:fs';
import ICAL from 'ical.js';

const [feedPath, expectedPath] = process.argv.slice(2);
const raw = fs.readFileSync(feedPath);
const text = raw.toString('utf8');
const expected = JSON.parse(fs.readFileSync(expectedPath, 'utf8'));
let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) { passed++; return; }
  failed++;
  console.error('FAIL: ' + what);
}

// Raw form: CRLF everywhere, lines of at most 75 octets.
const lines = text.split('\r\n');
check(lines[lines.length - 1] === '', 'the feed ends with CRLF');
check(!/[^\r]\n/.test(text) && !text.startsWith('\n'), 'no bare LF');
for (const line of lines) check(Buffer.byteLength(line, 'utf8') <= 75, 'line of ' + Buffer.byteLength(line) + ' octets: ' + line);

let root;
try {
  root = new ICAL.Component(ICAL.parse(text));
} catch (e) {
  check(false, 'ical.js parses the feed: ' + e.message);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(1);
}
check(root.name === 'vcalendar', 'top component is VCALENDAR');
check(root.getFirstPropertyValue('version') === '2.0', 'VERSION:2.0');
check(!!root.getFirstPropertyValue('prodid'), 'PRODID present');
const vtz = root.getFirstSubcomponent('vtimezone');
check(vtz && vtz.getFirstPropertyValue('tzid') === 'Europe/Paris', 'VTIMEZONE Europe/Paris');
const zone = new ICAL.Timezone(vtz);
ICAL.TimezoneService.register(zone);
if (expected.calendar_name) check(root.getFirstPropertyValue('x-wr-calname') === expected.calendar_name, 'calendar name');

const events = root.getAllSubcomponents('vevent');
const seen = new Set();
for (const vevent of events) {
  const event = new ICAL.Event(vevent);
  const uid = event.uid;
  check(!!uid && !seen.has(uid), 'unique UID ' + uid);
  seen.add(uid);
  check(!!vevent.getFirstPropertyValue('dtstamp'), uid + ': DTSTAMP');
  check(vevent.getFirstProperty('dtstart').getParameter('tzid') === 'Europe/Paris', uid + ': DTSTART;TZID=Europe/Paris');
  check(event.startDate.zone && event.startDate.zone.tzid === 'Europe/Paris', uid + ': DTSTART resolved with the feed VTIMEZONE');
  check(!!vevent.getFirstPropertyValue('url'), uid + ': URL back to its axis or programme');
  const want = expected.events[uid];
  if (!want) continue;
  const start = event.startDate.toUnixTime();
  check(start === want.start_utc, `${uid}: starts at ${start}, expected ${want.start_utc}`);
  check(Number(vevent.getFirstPropertyValue('sequence')) === want.sequence, `${uid}: SEQUENCE ${vevent.getFirstPropertyValue('sequence')}, expected ${want.sequence}`);
  check(vevent.getFirstPropertyValue('status') === want.status, `${uid}: STATUS ${vevent.getFirstPropertyValue('status')}, expected ${want.status}`);
  if (want.summary_contains) check(event.summary.includes(want.summary_contains), `${uid}: summary "${event.summary}" lacks "${want.summary_contains}"`);
}
for (const uid of Object.keys(expected.events)) check(seen.has(uid), 'event present: ' + uid);
check(events.length === expected.count, `${events.length} events, expected ${expected.count}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
