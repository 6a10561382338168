import test from 'ava';
import { nodePrimitives } from '../primitives.js';
import { canonicalJson } from './canonical.js';
import { deterministicUlid, encodeUlid, isUlid } from './ids.js';
import { actionSigningString } from './signing.js';
import { formatIsoMs, normalizeRfc3339, parseRfc3339Ms } from './time.js';

test('canonical JSON sorts keys at every depth and writes no whitespace', (t) => {
  t.is(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }, true], é: 0.5, A: -0 }), '{"A":0,"a":[{"c":"x","d":null},true],"b":1,"é":0.5}');
  t.is(canonicalJson('line\n"q"'), '"line\\n\\"q\\""');
  t.throws(() => canonicalJson({ a: undefined }), { message: /field "a" is undefined/ });
  t.throws(() => canonicalJson(Number.NaN), { message: /non-finite/ });
});

test('canonical JSON, table: each form written out by hand, on the fast path (already sorted) and off it', (t) => {
  const rows: Array<[string, unknown, string]> = [
    ['null', null, 'null'],
    ['a string', 'x', '"x"'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['a number', 1.5, '1.5'],
    ['a large number', 1e21, '1e+21'],
    ['an empty array', [], '[]'],
    ['an array of scalars', [1, 'a', null, false], '[1,"a",null,false]'],
    ['nested arrays', [[], [1, [2]]], '[[],[1,[2]]]'],
    ['an array holding an unsorted object', [{ b: 1, a: 2 }], '[{"a":2,"b":1}]'],
    ['an array holding an object, then an unsorted one', [{ a: 1 }, { d: 1, c: 2 }], '[{"a":1},{"c":2,"d":1}]'],
    ['an empty object', {}, '{}'],
    ['one key', { a: 1 }, '{"a":1}'],
    ['sorted keys', { a: 1, b: 'x', c: null }, '{"a":1,"b":"x","c":null}'],
    ['two keys unsorted', { b: 1, a: 1 }, '{"a":1,"b":1}'],
    ['three keys, the last out of order', { a: 1, c: 2, b: 3 }, '{"a":1,"b":3,"c":2}'],
    ['sorted at the top, unsorted below', { a: { d: 1, c: 2 }, b: true }, '{"a":{"c":2,"d":1},"b":true}'],
    ['sorted at the top, an unsorted object in an array below', { a: 1, b: [{ y: 1, x: 2 }] }, '{"a":1,"b":[{"x":2,"y":1}]}'],
    ['keys by UTF-16 code unit', { é: 1, z: 2, A: 3, Z: 4 }, '{"A":3,"Z":4,"z":2,"é":1}'],
    ['keys that need escaping', { 'q"': 1, 'n\\n': 2 }, '{"n\\\\n":2,"q\\"":1}'],
    ['only own keys, inherited ones not written', Object.assign(Object.create({ inherited: 1 }) as object, { b: 2, a: 1 }), '{"a":1,"b":2}'],
  ];
  for (const [name, value, form] of rows) t.is(canonicalJson(value), form, name);
});

test('canonical JSON refuses what has no canonical form, in words, wherever it sits', (t) => {
  const rows: Array<[string, unknown, string]> = [
    ['undefined in a sorted object', { a: 1, b: undefined }, 'canonicalJson: field "b" is undefined (use null)'],
    ['undefined in an unsorted object', { b: 1, a: undefined }, 'canonicalJson: field "a" is undefined (use null)'],
    ['undefined in an array', [1, undefined], 'canonicalJson: unsupported undefined'],
    ['undefined alone', undefined, 'canonicalJson: unsupported undefined'],
    ['NaN in an object', { a: Number.NaN }, 'canonicalJson: non-finite number NaN'],
    ['Infinity in an array', [Number.POSITIVE_INFINITY], 'canonicalJson: non-finite number Infinity'],
    ['-Infinity alone', Number.NEGATIVE_INFINITY, 'canonicalJson: non-finite number -Infinity'],
    ['bytes in an object', { a: new Uint8Array([1]) }, 'canonicalJson: byte arrays have no canonical JSON form'],
    ['bytes alone', new Uint8Array([1]), 'canonicalJson: byte arrays have no canonical JSON form'],
    [
      'a value with its own toJSON (not written through it)',
      { a: { toJSON: () => 'y' } },
      'canonicalJson: a value with toJSON (a Date, a class instance) has no canonical JSON form',
    ],
    ['a Date in an object (toJSON from its prototype)', { a: new Date(0) }, 'canonicalJson: a value with toJSON (a Date, a class instance) has no canonical JSON form'],
    ['a Date alone', new Date(0), 'canonicalJson: a value with toJSON (a Date, a class instance) has no canonical JSON form'],
    ['a function', { a: () => 1 }, 'canonicalJson: unsupported function'],
    ['a bigint', { a: 1n }, 'canonicalJson: unsupported bigint'],
  ];
  for (const [name, value, message] of rows) t.throws(() => canonicalJson(value), { instanceOf: TypeError, message }, name);
});

test('deterministic ULID: time part is the event time, 80 bits from SHA-256 of kind/tenant/key/index', (t) => {
  const ms = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const id = deterministicUlid(nodePrimitives, 'audit', 't', 'k', 0, ms);
  t.true(isUlid(id));
  t.is(id, deterministicUlid(nodePrimitives, 'audit', 't', 'k', 0, ms));
  t.is(id.slice(0, 10), encodeUlid(ms, '0'.repeat(20)).slice(0, 10));
  const hex = nodePrimitives.sha256Hex('audit\nt\nk\n0').slice(0, 20);
  t.is(id, encodeUlid(ms, hex));
  const others = [
    deterministicUlid(nodePrimitives, 'audit', 't', 'k', 1, ms),
    deterministicUlid(nodePrimitives, 'intent', 't', 'k', 0, ms),
    deterministicUlid(nodePrimitives, 'audit', 'u', 'k', 0, ms),
    deterministicUlid(nodePrimitives, 'audit', 't', 'j', 0, ms),
  ];
  t.is(new Set([id, ...others]).size, 5);
  // Known vector: all-ones bits give the maximum ULID.
  t.is(encodeUlid(2 ** 48 - 1, 'f'.repeat(20)), '7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
  t.is(encodeUlid(0, '0'.repeat(19) + '1'), '00000000000000000000000001');
});

test('RFC 3339 parsing validates calendars and offsets; formatting is ms Z', (t) => {
  t.is(normalizeRfc3339('2024-02-29T23:59:59.1234-01:30'), '2024-03-01T01:29:59.123Z');
  t.is(parseRfc3339Ms('2025-02-29T00:00:00Z'), null);
  t.is(parseRfc3339Ms('2026-01-01 00:00:00Z'), null);
  t.is(parseRfc3339Ms('2026-01-01T24:00:00Z'), null);
  t.is(parseRfc3339Ms('2026-01-01T00:00:00'), null);
  t.is(formatIsoMs(0), '1970-01-01T00:00:00.000Z');
  t.is(normalizeRfc3339('1969-12-31T23:59:59.999Z'), null, 'before the epoch');
  t.is(normalizeRfc3339('9000-01-01T00:00:00.000Z'), null, 'year 9000 and later');
  t.is(normalizeRfc3339('8999-12-31T23:59:59.999Z'), '8999-12-31T23:59:59.999Z');
});

test('the signed form is the canonical action without its signature', (t) => {
  const s = actionSigningString({
    schema_version: '1',
    action_id: 'A',
    action: 'approve',
    tenant_id: 't',
    correlation_id: 'c',
    approval_id: null,
    intent_hash: null,
    scope: null,
    actor_id: 'x',
    decided_at: 'd',
    reason: null,
    signature: 'sig',
  });
  t.is(
    s,
    '{"action":"approve","action_id":"A","actor_id":"x","approval_id":null,"correlation_id":"c","decided_at":"d","intent_hash":null,"reason":null,"schema_version":"1","scope":null,"tenant_id":"t"}',
  );
});

test('the fields signed only when set (intent_id, keep_until): absent, null or undefined they are left out; with a value, signed', (t) => {
  const base = {
    schema_version: '1' as const,
    action_id: 'A',
    action: 'keep_contained' as const,
    tenant_id: 't',
    correlation_id: 'c',
    approval_id: null,
    intent_hash: null,
    scope: null,
    actor_id: 'x',
    decided_at: 'd',
    reason: null,
  };
  const without =
    '{"action":"keep_contained","action_id":"A","actor_id":"x","approval_id":null,"correlation_id":"c","decided_at":"d","intent_hash":null,"reason":null,"schema_version":"1","scope":null,"tenant_id":"t"}';
  t.is(actionSigningString(base), without);
  t.is(actionSigningString({ ...base, intent_id: null, keep_until: null }), without);
  t.is(actionSigningString({ ...base, intent_id: undefined, keep_until: undefined }), without);
  t.is(
    actionSigningString({ ...base, intent_id: 'I', keep_until: 'k' }),
    '{"action":"keep_contained","action_id":"A","actor_id":"x","approval_id":null,"correlation_id":"c","decided_at":"d","intent_hash":null,"intent_id":"I","keep_until":"k","reason":null,"schema_version":"1","scope":null,"tenant_id":"t"}',
  );
});
