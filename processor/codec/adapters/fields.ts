/**
 * Reading fields out of sensors' JSON: dotted paths over nested objects and flat dotted keys (ECS
 * documents mix both), the time forms sensors really write, and non-empty strings. Pure.
 */
import { formatIsoMs, MAX_EVENT_MS, MIN_EVENT_MS } from '../../core/time.js';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The value at a dotted path. Each step first tries the longest flat key that matches
 * (`"event.severity": 2` beside `"event": {...}`), so `a.b.c` finds `{a: {b: {c}}}`,
 * `{"a.b": {c}}` and `{"a.b.c": x}` alike. A numeric step indexes an array (`resources.0.uid`).
 */
export function at(obj: unknown, path: string): unknown {
  return walk(obj, path.split('.'));
}

function walk(node: unknown, parts: string[]): unknown {
  if (parts.length === 0) return node;
  if (Array.isArray(node)) return /^\d+$/.test(parts[0]!) ? walk(node[Number(parts[0])], parts.slice(1)) : undefined;
  if (!isObject(node)) return undefined;
  for (let n = parts.length; n >= 1; n--) {
    const key = parts.slice(0, n).join('.');
    if (Object.prototype.hasOwnProperty.call(node, key)) {
      const found = walk(node[key], parts.slice(n));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Placeholders sensors write for "no value" (Falco writes `<NA>`). */
const EMPTY_MARKERS = new Set(['', '<NA>', 'N/A', '-']);

/** A usable string at `path`: non-empty, not a placeholder; numbers are written in decimal. */
export function text(obj: unknown, path: string): string | null {
  const v = at(obj, path);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const trimmed = v.trim();
  return EMPTY_MARKERS.has(trimmed) ? null : trimmed;
}

/** The first usable string among `paths`. */
export function firstText(obj: unknown, paths: readonly string[]): string | null {
  for (const p of paths) {
    const v = text(obj, p);
    if (v !== null) return v;
  }
  return null;
}

/** The first element of an array at `path` as a string, or the value itself when it is a string. */
export function firstOf(obj: unknown, path: string): string | null {
  const v = at(obj, path);
  if (Array.isArray(v)) {
    for (const item of v) if (typeof item === 'string' && !EMPTY_MARKERS.has(item.trim())) return item.trim();
    return null;
  }
  return text(obj, path);
}

export function numberAt(obj: unknown, path: string): number | null {
  const v = at(obj, path);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return null;
}

/**
 * RFC 3339 and the ISO 8601 variants sensors write: a `+0000` / `-0400` offset without colon
 * (Suricata, Wazuh), a space instead of `T`, any number of fraction digits (Falco writes
 * nanoseconds). A time without an offset is refused: its zone is unknowable.
 */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

export type TimeResult = { ok: true; iso: string; ms: number } | { ok: false; problem: string };

/**
 * An event time from a string or an epoch number. Epoch numbers carry no unit, so the unit is
 * read from the magnitude: ≥ 1e17 nanoseconds, ≥ 1e14 microseconds, ≥ 1e11 milliseconds, else
 * seconds (every time from 1973 to 5138 has exactly one reading).
 */
export function eventTime(v: unknown): TimeResult {
  if (typeof v === 'number') return fromEpoch(v);
  if (typeof v !== 'string') return { ok: false, problem: v === undefined ? 'is missing' : `${JSON.stringify(v)} is not a time` };
  const m = ISO_TIME.exec(v.trim());
  if (m === null) return /^\d+$/.test(v.trim()) ? fromEpoch(Number(v.trim())) : { ok: false, problem: `${JSON.stringify(v)} is not an ISO 8601 / RFC 3339 time` };
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offH, offM] = m;
  if (zulu === undefined && sign === undefined) return { ok: false, problem: `${JSON.stringify(v)} has no UTC offset, so its instant is unknown` };
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const base = Date.UTC(y, mo - 1, d, h, mi, s, millis);
  const check = new Date(base);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return { ok: false, problem: `${JSON.stringify(v)} is not a calendar time` };
  }
  const offsetMin = sign === undefined ? 0 : (Number(offH) * 60 + Number(offM)) * (sign === '-' ? -1 : 1);
  if (Number(offH) > 23 || Number(offM) > 59) return { ok: false, problem: `${JSON.stringify(v)} has an impossible UTC offset` };
  return inRange(base - offsetMin * 60_000, v);
}

function fromEpoch(n: number): TimeResult {
  if (!Number.isFinite(n) || n < 0) return { ok: false, problem: `${n} is not an epoch time` };
  const ms = n >= 1e17 ? n / 1e6 : n >= 1e14 ? n / 1e3 : n >= 1e11 ? n : n * 1000;
  return inRange(Math.floor(ms), n);
}

function inRange(ms: number, original: unknown): TimeResult {
  if (ms < MIN_EVENT_MS || ms >= MAX_EVENT_MS) return { ok: false, problem: `${JSON.stringify(original)} is outside 1970..9000` };
  return { ok: true, iso: formatIsoMs(ms), ms };
}

/** The first of `paths` holding a time; a present but unreadable time is an error, not skipped. */
export function firstTime(obj: unknown, paths: readonly string[]): { path: string; time: TimeResult } | null {
  for (const path of paths) {
    const v = at(obj, path);
    if (v === undefined || v === null) continue;
    return { path, time: eventTime(v) };
  }
  return null;
}
