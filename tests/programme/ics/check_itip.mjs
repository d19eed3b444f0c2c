// Parses a Relais iTIP invitation (RFC 5546) with ical.js and checks it
// against the expectations the C++ side wrote beside it:
//   node check_itip.mjs invitation.ics expected.json
// expected.json: {"method": "REQUEST"|"CANCEL", "status", "uid", "sequence",
//   "tzid", "start_utc", "end_utc", "dtstamp_utc" (unix seconds), "summary",
//   "organizer": {"cn", "email"}, "attendees": [{"cn", "email", "role"}]}
// Exits non-zero on a failed check; prints "N passed, N failed".
import fs from 'node:fs';
import ICAL from 'ical.js';

const [path, expectedPath] = process.argv.slice(2);
const text = fs.readFileSync(path).toString('utf8');
const want = JSON.parse(fs.readFileSync(expectedPath, 'utf8'));
let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) { passed++; return; }
  failed++;
  console.error(`FAIL (${path}): ${what}`);
}

const lines = text.split('\r\n');
check(lines[lines.length - 1] === '', 'ends with CRLF');
check(!/[^\r]\n/.test(text), 'no bare LF');
for (const line of lines) check(Buffer.byteLength(line, 'utf8') <= 75, 'line of ' + Buffer.byteLength(line) + ' octets: ' + line);

let root;
try {
  root = new ICAL.Component(ICAL.parse(text));
} catch (e) {
  check(false, 'ical.js parses it: ' + e.message);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(1);
}
check(root.name === 'vcalendar', 'VCALENDAR');
check(root.getFirstPropertyValue('version') === '2.0', 'VERSION:2.0');
check(!!root.getFirstPropertyValue('prodid'), 'PRODID');
check(root.getFirstPropertyValue('method') === want.method, `METHOD ${root.getFirstPropertyValue('method')}, expected ${want.method}`);

const zones = root.getAllSubcomponents('vtimezone');
check(zones.length === 1, `one VTIMEZONE, got ${zones.length}`);
check(zones[0] && zones[0].getFirstPropertyValue('tzid') === want.tzid, `VTIMEZONE TZID ${want.tzid}`);
if (zones[0]) ICAL.TimezoneService.register(new ICAL.Timezone(zones[0]));

const events = root.getAllSubcomponents('vevent');
check(events.length === 1, `one VEVENT, got ${events.length}`);
const vevent = events[0];
const event = new ICAL.Event(vevent);
check(event.uid === want.uid, `UID ${event.uid}, expected ${want.uid}`);
check(Number(vevent.getFirstPropertyValue('sequence')) === want.sequence, `SEQUENCE ${vevent.getFirstPropertyValue('sequence')}, expected ${want.sequence}`);
check(vevent.getFirstPropertyValue('status') === want.status, `STATUS ${vevent.getFirstPropertyValue('status')}, expected ${want.status}`);
check(event.summary === want.summary, `SUMMARY "${event.summary}"`);
const stamp = vevent.getFirstPropertyValue('dtstamp');
check(stamp && stamp.zone === ICAL.Timezone.utcTimezone && stamp.toUnixTime() === want.dtstamp_utc, `DTSTAMP ${stamp}, expected ${want.dtstamp_utc} UTC`);
for (const name of ['dtstart', 'dtend']) {
  check(vevent.getFirstProperty(name).getParameter('tzid') === want.tzid, `${name.toUpperCase()};TZID=${want.tzid}`);
}
check(event.startDate.zone && event.startDate.zone.tzid === want.tzid, 'DTSTART resolved with the VTIMEZONE');
check(event.startDate.toUnixTime() === want.start_utc, `starts at ${event.startDate.toUnixTime()}, expected ${want.start_utc}`);
check(event.endDate.toUnixTime() === want.end_utc, `ends at ${event.endDate.toUnixTime()}, expected ${want.end_utc}`);

const organizer = vevent.getFirstProperty('organizer');
check(!!organizer, 'ORGANIZER');
if (organizer) {
  check(organizer.getFirstValue().toLowerCase() === 'mailto:' + want.organizer.email, `ORGANIZER ${organizer.getFirstValue()}`);
  check(organizer.getParameter('cn') === want.organizer.cn, `ORGANIZER CN "${organizer.getParameter('cn')}"`);
}
const attendees = vevent.getAllProperties('attendee');
check(attendees.length === want.attendees.length, `${attendees.length} ATTENDEEs, expected ${want.attendees.length}`);
want.attendees.forEach((a, i) => {
  const p = attendees[i];
  if (!p) return;
  check(p.getFirstValue().toLowerCase() === 'mailto:' + a.email, `ATTENDEE ${p.getFirstValue()}, expected mailto:${a.email}`);
  check(p.getParameter('cn') === a.cn, `ATTENDEE CN "${p.getParameter('cn')}", expected "${a.cn}"`);
  check(p.getParameter('role') === a.role, `ATTENDEE ROLE ${p.getParameter('role')}, expected ${a.role}`);
  check(p.getParameter('partstat') === 'NEEDS-ACTION', 'ATTENDEE PARTSTAT=NEEDS-ACTION');
  check(p.getParameter('rsvp') === 'TRUE', 'ATTENDEE RSVP=TRUE');
});
console.log(`${path}: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
