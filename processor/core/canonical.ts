/**
 * Canonical JSON (docs/contracts.md): object keys sorted by UTF-16 code units, no whitespace,
 * scalars exactly as JSON.stringify writes them, arrays in order. `undefined` is a programming
 * error here (optional fields are explicit null), so it throws rather than silently vanishing.
 */
export function canonicalJson(value: unknown): string {
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
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) throw new TypeError(`canonicalJson: field "${k}" is undefined (use null)`);
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`canonicalJson: unsupported ${typeof value}`);
  }
}
