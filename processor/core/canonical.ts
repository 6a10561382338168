/**
 * Canonical JSON (docs/contracts.md): object keys sorted by UTF-16 code units, no whitespace,
 * scalars exactly as JSON.stringify writes them, arrays in order. `undefined` is a programming
 * error here (optional fields are explicit null), so it throws rather than silently vanishing, as
 * do byte arrays, functions, bigints, non-finite numbers and values with a toJSON (a Date).
 *
 * This runs for every audit record on the hot path, so it avoids re-sorting key lists that are
 * already sorted and re-quoting the same field names.
 */
const quotedKeys = new Map<string, string>();

function quoteKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quotedKeys.size < 10_000) quotedKeys.set(k, q);
  }
  return q;
}

function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) return keys.sort();
  }
  return keys;
}

/**
 * True when JSON.stringify(value) already is the canonical form: every object's own keys are in
 * sorted order, no value is undefined, every number is finite, no byte arrays. Checking is much
 * cheaper than building the string by hand, and the core builds its records with sorted keys.
 */
function stringifiesCanonically(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!stringifiesCanonically(value[i])) return false;
        return true;
      }
      if (value instanceof Uint8Array || (value as { toJSON?: unknown }).toJSON !== undefined) return false;
      const obj = value as Record<string, unknown>;
      let prev: string | undefined;
      for (const k in obj) {
        if (!Object.prototype.hasOwnProperty.call(obj, k)) return false;
        if (prev !== undefined && prev > k) return false;
        if (!stringifiesCanonically(obj[k])) return false;
        prev = k;
      }
      return true;
    }
    default:
      return false;
  }
}

export function canonicalJson(value: unknown): string {
  if (typeof value === 'object' && value !== null && stringifiesCanonically(value)) return JSON.stringify(value);
  return canonicalSlow(value);
}

function canonicalSlow(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${String(value)}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
        return out + ']';
      }
      if (value instanceof Uint8Array) throw new TypeError('canonicalJson: byte arrays have no canonical JSON form');
      // A Date or a class with toJSON would otherwise be written as its own enumerable keys ("{}" for a Date), silently.
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
        throw new TypeError('canonicalJson: a value with toJSON (a Date, a class instance) has no canonical JSON form');
      const obj = value as Record<string, unknown>;
      let out = '{';
      let first = true;
      for (const k of sortedKeys(obj)) {
        const v = obj[k];
        if (v === undefined) throw new TypeError(`canonicalJson: field "${k}" is undefined (use null)`);
        out += (first ? '' : ',') + quoteKey(k) + ':' + canonicalJson(v);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`canonicalJson: unsupported ${typeof value}`);
  }
}
