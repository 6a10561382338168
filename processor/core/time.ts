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
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMin * 60_000;
}

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
  const ms = parseRfc3339Ms(text);
  return ms === null || ms < MIN_EVENT_MS || ms >= MAX_EVENT_MS ? null : formatIsoMs(ms);
}

let lastIso = '';
let lastMs = 0;

/**
 * Milliseconds of a time the core itself produced or the codec normalised (always valid).
 * One step converts the same event time many times, so the last conversion is remembered.
 */
export function msOf(iso: string): number {
  if (iso === lastIso) return lastMs;
  const ms = parseRfc3339Ms(iso);
  if (ms === null) throw new RangeError(`not an RFC 3339 time: ${iso}`);
  lastIso = iso;
  lastMs = ms;
  return ms;
}
