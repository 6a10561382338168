/**
 * Event-time arithmetic on RFC 3339 strings. Pure: only parses and formats the times it is
 * given; never reads the clock.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch of an RFC 3339 timestamp, or null if it is not a valid one. */
export function parseRfc3339Ms(text: string): number | null {
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000 + 1e-7);
  let offsetMin = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMin = (oh * 60 + om) * (m[9] === '-' ? -1 : 1);
  }
  return utcMs(year, month, day, hour, minute, second, millis) - offsetMin * 60_000;
}

/**
 * Date.UTC, but for every year: Date.UTC reads years 0–99 as 1900–1999 (so "0070-…" would pass for 1970),
 * and the Gregorian calendar repeats exactly every 400 years (146 097 days), so the time 400 years on, less
 * those days, is the time itself.
 */
function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  return Date.UTC(year + 400, month - 1, day, hour, minute, second, millis) - GREGORIAN_CYCLE_MS;
}

const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The contract's time form: `2026-01-02T03:04:05.678Z`. */
export function formatIsoMs(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Event times the pipeline accepts: from the epoch (ULID time parts cannot go earlier) to the
 * start of year 9000, so that adding any ttl still gives a four-digit-year time whose string
 * order is its time order.
 */
export const MIN_EVENT_MS = 0;
export const MAX_EVENT_MS = Date.UTC(9000, 0, 1);

/** Normalises a valid RFC 3339 time within the accepted range to the contract form, or null. */
export function normalizeRfc3339(text: string): string | null {
  // Sensors mostly send the contract form already: then the text is its own normal form (formatting
  // its ms gives the same characters), and the general regex and a Date are not needed.
  const fast = contractFormMs(text);
  if (fast !== null && fast >= MIN_EVENT_MS && fast < MAX_EVENT_MS) return text;
  const ms = parseRfc3339Ms(text);
  return ms === null || ms < MIN_EVENT_MS || ms >= MAX_EVENT_MS ? null : formatIsoMs(ms);
}

const ZERO = 48;

function digits(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The contract form `YYYY-MM-DDTHH:MM:SS.mmmZ` read without the general regex; null when the text
 * is not in exactly that form (the general parser then decides).
 */
function contractFormMs(iso: string): number | null {
  if (iso.length !== 24 || iso.charCodeAt(23) !== 90 /* Z */ || iso[4] !== '-' || iso[7] !== '-' || iso[10] !== 'T' || iso[13] !== ':' || iso[16] !== ':' || iso[19] !== '.')
    return null;
  const year = digits(iso, 0, 4);
  const month = digits(iso, 5, 2);
  const day = digits(iso, 8, 2);
  const hour = digits(iso, 11, 2);
  const minute = digits(iso, 14, 2);
  const second = digits(iso, 17, 2);
  const millis = digits(iso, 20, 3);
  if (
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    millis < 0
  )
    return null;
  return utcMs(year, month, day, hour, minute, second, millis);
}

/**
 * Milliseconds of a time the core itself produced or the codec normalised (always valid, almost
 * always in the contract form, which is read directly; a step converts the same few times many times).
 */
export function msOf(iso: string): number {
  const fast = contractFormMs(iso);
  if (fast !== null) return fast;
  const ms = parseRfc3339Ms(iso);
  if (ms === null) throw new RangeError(`not an RFC 3339 time: ${iso}`);
  return ms;
}
