/**
 * What JSON.parse forgives and a hostile sensor exploits, found in one pass over text that already
 * parsed: a key repeated in one object (JSON.parse keeps the last, so a reviewer reading the first
 * sees another event than the one decided on), nesting deeper than MAX_JSON_DEPTH, a number literal
 * that no double holds (1e309 reads as Infinity, 1e-400 as 0), and an escaped lone UTF-16 surrogate
 * (Avro writes it as U+FFFD, so the stored record would no longer hash to its chain).
 */

export const MAX_JSON_DEPTH = 64;

export interface JsonFlaw {
  code: 'duplicate_key' | 'too_deep' | 'unrepresentable_number' | 'bad_unicode';
  message: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isHigh(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLow(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

/**
 * The first flaw of `text`, which must be JSON that JSON.parse accepted, or null. Never throws on
 * such text; a malformed tail simply ends the scan.
 */
export function firstJsonFlaw(text: string): JsonFlaw | null {
  // One key set per open container; null for an array.
  const keys: (Set<string> | null)[] = [];
  let expectKey = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return null;
      const surrogate = loneSurrogate(text, i + 1, end);
      if (surrogate !== null)
        return { code: 'bad_unicode', message: `a string holds a lone UTF-16 surrogate \\u${surrogate.toString(16).padStart(4, '0')}, which is not Unicode text` };
      const open = keys[keys.length - 1];
      if (expectKey && open) {
        // A key without escapes is its text as is; only an escaped one needs JSON.parse (a parse per key was a tenth of a decode).
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (open.has(key)) return { code: 'duplicate_key', message: `key ${quoted(key)} appears twice in one object; JSON leaves which one counts to the reader` };
        open.add(key);
        expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (keys.length >= MAX_JSON_DEPTH) return { code: 'too_deep', message: `objects and arrays nest deeper than ${MAX_JSON_DEPTH} levels` };
      keys.push(c === 0x7b ? new Set() : null);
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      keys.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = keys[keys.length - 1] !== null && keys.length > 0;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < n && isNumberChar(text.charCodeAt(end))) end++;
      const literal = text.slice(i, end);
      const value = Number(literal);
      if (!Number.isFinite(value) || (value === 0 && /[1-9]/.test(mantissa(literal)))) {
        return {
          code: 'unrepresentable_number',
          message: `the number ${quoted(literal)} is ${value === 0 ? 'too small' : 'too large'} for a 64-bit float and would read as ${value}`,
        };
      }
      i = end;
      continue;
    }
    i++;
  }
  return null;
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

/** The digits before any exponent: a literal whose mantissa has a non-zero digit is not zero. */
function mantissa(literal: string): string {
  const e = literal.search(/[eE]/);
  return e < 0 ? literal : literal.slice(0, e);
}

/** Index of the closing quote of the string opening at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return -1;
}

/** The first escaped surrogate in text[from, to) without its partner, or null. Raw ones cannot occur: the bytes were decoded as strict UTF-8. */
function loneSurrogate(text: string, from: number, to: number): number | null {
  let pendingHigh: number | null = null;
  for (let i = from; i < to; i++) {
    if (text.charCodeAt(i) !== BACKSLASH) {
      if (pendingHigh !== null) return pendingHigh;
      continue;
    }
    const kind = text[i + 1];
    if (kind !== 'u') {
      if (pendingHigh !== null) return pendingHigh;
      i++;
      continue;
    }
    const unit = parseInt(text.slice(i + 2, i + 6), 16);
    i += 5;
    if (pendingHigh !== null) {
      if (!isLow(unit)) return pendingHigh;
      pendingHigh = null;
    } else if (isHigh(unit)) pendingHigh = unit;
    else if (isLow(unit)) return unit;
  }
  return pendingHigh;
}
