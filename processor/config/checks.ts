/** The checks config validation is made of: each names the bad key, what is wrong and the fix. */
import { UsageError } from '../errors.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function bad(key: string, problem: string, fix: string): never {
  throw new UsageError('CONFIG_INVALID', `config key "${key}" ${problem}; ${fix}`, { context: { key } });
}

export function onlyKeys(obj: Obj, allowed: readonly string[], at: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) bad(at === '' ? k : `${at}.${k}`, 'is not a known setting', `remove it (known here: ${allowed.join(', ')})`);
  }
}

export function obj(v: unknown, key: string): Obj {
  if (!isObj(v)) bad(key, `must be an object, got ${JSON.stringify(v)}`, 'give a JSON object');
  return v;
}

export function nonEmpty(v: unknown, key: string): string {
  if (typeof v !== 'string' || v.length === 0) bad(key, `must be a non-empty string, got ${JSON.stringify(v)}`, 'give a string');
  return v;
}

export function nullableString(v: unknown, key: string): string | null {
  return v === null ? null : nonEmpty(v, key);
}

export function fraction(v: unknown, key: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) bad(key, `must be a number in [0, 1], got ${JSON.stringify(v)}`, 'give e.g. 0.5');
  return v;
}

export function positiveInt(v: unknown, key: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) bad(key, `must be a positive integer, got ${JSON.stringify(v)}`, 'give e.g. 3');
  return v;
}

export function oneOf<T extends string>(v: unknown, allowed: readonly T[], key: string): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) bad(key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`, `pick one of ${allowed.join(', ')}`);
  return v as T;
}

export function mapOf<T>(v: unknown, key: string, each: (x: unknown, k: string) => T): Record<string, T> {
  const o = obj(v, key);
  const out: Record<string, T> = {};
  for (const [k, x] of Object.entries(o)) out[k] = each(x, `${key}.${k}`);
  return out;
}
