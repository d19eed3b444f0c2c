// Parses a Relais calendar feed with ical.js (an independent RFC 5545 parser)
// and checks it against the expectations the C++ side wrote beside it:
//   node check_feed.mjs feed.ics expected.json
// expected.json: {"calendar_name": "...", "zones": ["Europe/Paris", ...],
//   "events": {"<uid>": {"start_utc": unix seconds, "tzid": "Europe/Paris",
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
// One VTIMEZONE per zone in use, under its IANA name, each with at least one
// observance; registered so that events resolve their TZID with it.
const zones = root.getAllSubcomponents('vtimezone');
const tzids = zones.map((z) => z.getFirstPropertyValue('tzid')).sort();
check(JSON.stringify(tzids) === JSON.stringify([...(expected.zones || ['Europe/Paris'])].sort()),
      'VTIMEZONEs ' + JSON.stringify(tzids) + ', expected ' + JSON.stringify(expected.zones));
for (const vtz of zones) {
  const observances = vtz.getAllSubcomponents('standard').length + vtz.getAllSubcomponents('daylight').length;
  check(observances > 0, vtz.getFirstPropertyValue('tzid') + ': has observances');
  ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
}
if (expected.calendar_name) {
  check(root.getFirstPropertyValue('x-wr-calname') === expected.calendar_name, 'calendar name (X-WR-CALNAME)');
  check(root.getFirstPropertyValue('name') === expected.calendar_name, 'calendar name (NAME)');
}

const events = root.getAllSubcomponents('vevent');
const seen = new Set();
for (const vevent of events) {
  const event = new ICAL.Event(vevent);
  const uid = event.uid;
  check(!!uid && !seen.has(uid), 'unique UID ' + uid);
  seen.add(uid);
  check(!!vevent.getFirstPropertyValue('dtstamp'), uid + ': DTSTAMP');
  const tzid = vevent.getFirstProperty('dtstart').getParameter('tzid');
  check(tzids.includes(tzid), uid + ': DTSTART;TZID=' + tzid + ' names a VTIMEZONE of the feed');
  check(vevent.getFirstProperty('dtend').getParameter('tzid') === tzid, uid + ': DTEND in the same zone');
  check(event.startDate.zone && event.startDate.zone.tzid === tzid, uid + ': DTSTART resolved with the feed VTIMEZONE');
  check(event.endDate.toUnixTime() - event.startDate.toUnixTime() === 3600, uid + ': lasts an hour');
  check(!!vevent.getFirstPropertyValue('url'), uid + ': URL back to its axis or programme');
  const want = expected.events[uid];
  if (!want) continue;
  if (want.tzid) check(tzid === want.tzid, `${uid}: TZID ${tzid}, expected ${want.tzid}`);
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
