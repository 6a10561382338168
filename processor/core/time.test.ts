/**
 * time.ts by table: every calendar, clock and offset field at its last valid value and one past it, on both
 * the general RFC 3339 path and the contract-form fast path (whose every check must refuse what the general
 * path refuses, or give the same time). Expected times are written out, not computed by time.ts.
 */
import test from 'ava';
import { formatIsoMs, msOf, normalizeRfc3339, parseRfc3339Ms } from './time.js';

// [RFC 3339 text, its contract form, or null when it is not a valid time]
const general: [string, string | null][] = [
  ['2026-01-31T00:00:00Z', '2026-01-31T00:00:00.000Z'],
  ['2026-01-32T00:00:00Z', null],
  ['2026-01-00T00:00:00Z', null],
  ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z'],
  ['2026-00-10T00:00:00Z', null],
  ['2026-12-10T00:00:00Z', '2026-12-10T00:00:00.000Z'],
  ['2026-13-10T00:00:00Z', null],
  ['2025-02-28T00:00:00Z', '2025-02-28T00:00:00.000Z'],
  ['2025-02-29T00:00:00Z', null],
  ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ['2024-02-30T00:00:00Z', null],
  ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
  ['2100-02-28T00:00:00Z', '2100-02-28T00:00:00.000Z'],
  ['2100-02-29T00:00:00Z', null],
  ['1900-02-29T00:00:00Z', null],
  ['2026-04-30T00:00:00Z', '2026-04-30T00:00:00.000Z'],
  ['2026-04-31T00:00:00Z', null],
  ['2026-06-31T00:00:00Z', null],
  ['2026-09-31T00:00:00Z', null],
  ['2026-11-31T00:00:00Z', null],
  ['2026-08-31T00:00:00Z', '2026-08-31T00:00:00.000Z'],
  ['2026-12-31T00:00:00Z', '2026-12-31T00:00:00.000Z'],
  ['2026-03-01T23:59:59Z', '2026-03-01T23:59:59.000Z'],
  ['2026-03-01T24:00:00Z', null],
  ['2026-03-01T00:60:00Z', null],
  ['2026-03-01T00:00:60Z', null],
  ['2026-03-01t00:00:00z', '2026-03-01T00:00:00.000Z'],
  ['2026-03-01 00:00:00Z', null],
  ['2026-03-01T00:00:00', null],
  ['x2026-03-01T00:00:00Z', null],
  ['2026-03-01T00:00:00Zx', null],
  ['2026-03-01T00:00:00+23:59', '2026-02-28T00:01:00.000Z'],
  ['2026-03-01T00:00:00+24:00', null],
  ['2026-03-01T00:00:00-00:59', '2026-03-01T00:59:00.000Z'],
  ['2026-03-01T00:00:00-00:60', null],
  ['2026-03-01T00:00:00-01:30', '2026-03-01T01:30:00.000Z'],
  ['2026-03-01T00:00:00+01:30', '2026-02-28T22:30:00.000Z'],
  ['2026-03-01T00:00:00.5Z', '2026-03-01T00:00:00.500Z'],
  ['2026-03-01T00:00:00.12Z', '2026-03-01T00:00:00.120Z'],
  ['2026-03-01T00:00:00.285Z', '2026-03-01T00:00:00.285Z'],
  ['2026-03-01T00:00:00.2859Z', '2026-03-01T00:00:00.285Z'],
  ['2026-03-01T00:00:00.999999Z', '2026-03-01T00:00:00.999Z'],
  ['2026-03-01T00:00:00.Z', null],
  ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
  ['9000-01-01T00:59:59+01:00', '8999-12-31T23:59:59.000Z'],
];

for (const [text, normal] of general) {
  test(`general path: ${text} -> ${String(normal)}`, (t) => {
    t.is(normalizeRfc3339(text), normal);
    t.is(parseRfc3339Ms(text), normal === null ? null : Date.parse(normal));
    if (normal === null) t.throws(() => msOf(text), { instanceOf: RangeError, message: `not an RFC 3339 time: ${text}` });
    else t.is(msOf(text), Date.parse(normal));
  });
}

// Valid RFC 3339 just outside the accepted range (1970 to the start of 9000): parsed, but not normalised.
const outOfRange: [string, string][] = [
  ['1970-01-01T00:59:59.999+01:00', '1969-12-31T23:59:59.999Z'],
  ['8999-12-31T23:00:00-01:00', '9000-01-01T00:00:00.000Z'],
  // years 0 to 99 are those years, not 1900 to 1999 (Date.UTC's reading); year 0 is a leap year, 1900 is not
  ['0070-06-01T00:00:00Z', '0070-06-01T00:00:00.000Z'],
  ['0070-06-01T00:00:00.000Z', '0070-06-01T00:00:00.000Z'],
  ['0099-12-31T23:59:59.999Z', '0099-12-31T23:59:59.999Z'],
  ['0000-02-29T00:00:00Z', '0000-02-29T00:00:00.000Z'],
  ['1900-02-28T00:00:00Z', '1900-02-28T00:00:00.000Z'],
];

for (const [text, utc] of outOfRange) {
  test(`out of range: ${text} is ${utc}, not normalised`, (t) => {
    t.is(parseRfc3339Ms(text), Date.parse(utc));
    t.is(msOf(text), Date.parse(utc));
    t.is(normalizeRfc3339(text), null);
  });
}

// The contract form, 24 characters: kept as it is when valid; otherwise the general path decides.
const contract: [string, string | null][] = [
  ['2026-03-01T12:34:56.789Z', '2026-03-01T12:34:56.789Z'],
  ['2026/03-01T12:34:56.789Z', null],
  ['2026-03/01T12:34:56.789Z', null],
  ['2026-03-01 12:34:56.789Z', null],
  ['2026-03-01T12.34:56.789Z', null],
  ['2026-03-01T12:34.56.789Z', null],
  ['2026-03-01T12:34:56,789Z', null],
  ['2026-03-01T12:34:56.789+', null],
  ['2026-03-01t12:34:56.789Z', '2026-03-01T12:34:56.789Z'],
  ['2026-03-01T12:34:56.789z', '2026-03-01T12:34:56.789Z'],
  ['2026-03-01T12:34:56.7890Z', '2026-03-01T12:34:56.789Z'],
  ['2026-03-01T12:34:56.789Zx', null],
  // a character just below '0' ('/') and just above '9' (':') in each field
  ['202/-03-01T12:34:56.789Z', null],
  ['202:-03-01T12:34:56.789Z', null],
  ['2026-0/-01T12:34:56.789Z', null],
  ['2026-03-0:T12:34:56.789Z', null],
  ['2026-03-01T1/:34:56.789Z', null],
  ['2026-03-01T12:3::56.789Z', null],
  ['2026-03-01T12:34:5/.789Z', null],
  ['2026-03-01T12:34:56.78:Z', null],
  ['2026-03-01T12:34:56./89Z', null],
  // each field at its last valid value and one past it
  ['2026-00-01T00:00:00.000Z', null],
  ['2026-12-31T23:59:59.999Z', '2026-12-31T23:59:59.999Z'],
  ['2026-13-01T00:00:00.000Z', null],
  ['2026-03-00T00:00:00.000Z', null],
  ['2026-03-32T00:00:00.000Z', null],
  ['2025-02-29T00:00:00.000Z', null],
  ['2024-02-29T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
  ['2026-04-31T00:00:00.000Z', null],
  ['2026-03-01T24:00:00.000Z', null],
  ['2026-03-01T00:60:00.000Z', null],
  ['2026-03-01T00:00:60.000Z', null],
  ['1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z'],
  ['1969-12-31T23:59:59.999Z', null],
  ['8999-12-31T23:59:59.999Z', '8999-12-31T23:59:59.999Z'],
  ['9000-01-01T00:00:00.000Z', null],
];

for (const [text, normal] of contract) {
  test(`contract form: ${text} -> ${String(normal)}`, (t) => {
    t.is(normalizeRfc3339(text), normal);
    if (normal !== null) t.is(msOf(text), Date.parse(normal));
  });
}

test('msOf refuses a contract-length text that is no time, whichever field is wrong', (t) => {
  for (const text of [
    '20a6-03-01T12:34:56.789Z',
    '2026-0a-01T12:34:56.789Z',
    '2026-03-0aT12:34:56.789Z',
    '2026-03-01Ta2:34:56.789Z',
    '2026-03-01T12:a4:56.789Z',
    '2026-03-01T12:34:a6.789Z',
    '2026-03-01T12:34:56.a89Z',
  ]) {
    t.throws(() => msOf(text), { instanceOf: RangeError, message: `not an RFC 3339 time: ${text}` }, text);
  }
});

// What the fast-path survivors' equivalence rests on (docs/mutation.md): on every contract-form text the fast path
// accepts, the general path gives the same milliseconds and, formatted, the same characters; so a fast path that
// refuses more changes nothing. Every day of one Gregorian cycle (the calendar repeats every 400 years), every second
// of a day and every millisecond of a second; the texts and times come from Date, not from time.ts.
test('the contract-form fast path and the general path agree on every day of 2000-2399, second and millisecond', (t) => {
  const day = 86_400_000;
  const times = [
    ...Array.from({ length: 146_097 }, (_, i) => Date.UTC(2000, 0, 1, 23, 59, 59, 999) + i * day),
    ...Array.from({ length: 86_400 }, (_, i) => Date.UTC(2026, 2, 1) + i * 1000 + 999),
    ...Array.from({ length: 1000 }, (_, i) => Date.UTC(2026, 2, 1, 12, 34, 56) + i),
  ];
  const disagreeing = times
    .map((ms) => new Date(ms).toISOString())
    .filter((text) => {
      const ms = Date.parse(text);
      return msOf(text) !== ms || parseRfc3339Ms(text) !== ms || normalizeRfc3339(text) !== text || formatIsoMs(ms) !== text;
    });
  t.deepEqual(disagreeing, []);
});

test('formatIsoMs writes the contract form, milliseconds and Z always', (t) => {
  t.is(formatIsoMs(0), '1970-01-01T00:00:00.000Z');
  t.is(formatIsoMs(Date.parse('2026-03-01T12:34:56.789Z')), '2026-03-01T12:34:56.789Z');
});
