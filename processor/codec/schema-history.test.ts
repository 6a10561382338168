/**
 * Schema evolution: every version a build ever wrote stays readable. The pins below fail the
 * moment a schemas/*.avsc changes; the fix is never to re-pin alone, but to copy the previous
 * version to schemas/history/<stem>@<its fingerprint>.avsc first (schemas/README.md, "Changing a
 * schema"), so records already on a broker keep decoding into the new shape.
 */
import test from 'ava';
import avro from 'avsc';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PAYLOAD_TYPE_OF_KIND, type AuditRecordV1 } from '../core/types.js';
import { makeOperator } from '../testing/harness.js';
import { playScenario } from '../testing/scenario.js';
import { decodeRecord, encodeRecord, FINGERPRINT_HEADER, SCHEMA_HEADER, SCHEMAS, SCHEMAS_DIR, toCurrentVersion, type SchemaRole } from './index.js';
import { fingerprintOf, HISTORY_DIR, SCHEMA_FILES } from './schemas.js';

/** The current version of every schema, as Parsing Canonical Form SHA-256. */
const PINNED: { readonly [R in SchemaRole]: string } = {
  actuator_state: '75d3fc852ce22988061c9b76a43ead2fec53b5eb460d2c3bdb4709de508a4989',
  audit: '34d94749be3a91046b8634cca836dd38cda88104964271af2bf74099a6fc0981',
  checkpoint: '593e3cb06190f393b256f092fee5dedf32e3eee93bfc6bfd8330f245c83c538c',
  config: 'f5253e8cd91459646d9c62afe3fda520103ab7008491b3500e081d36c3f8d45c',
  dlq: '819ffdbda51e5967911a902eeebb0ea9b43cb6139231e7b66b8d9e939cc7429b',
  execute: 'c1ac71ace0c0f7897516d2b5665df3443ac7aab61fa6c08e85ff6adc3f54dd7d',
  operator: 'd6ff40f8a3f440e994f46fefe5015801e5ec0c89478ee324d264ed6908d7236a',
  result: '8c7b25bd4343ee6e6ef010fd2462883c4d28a3c3e0896c4026a0b53ef9c010a0',
  state: 'd0648adba0c8b485b394a0e6474b34889e7d3a2c18151f3efef9fa973b61fc16',
  telemetry: '73ab39f9384a3b8a43256b17164facb36e15c158a2a83682e675f4bcd7cdeed7',
};

test('every current schema is the pinned version; a changed one has its predecessor in schemas/history/', (t) => {
  for (const role of Object.keys(PINNED) as SchemaRole[]) {
    const { fingerprint, history } = SCHEMAS[role];
    t.is(
      fingerprint,
      PINNED[role],
      `schemas/${SCHEMA_FILES[role]} changed: copy the old version to schemas/history/ as ${SCHEMA_FILES[role].replace('.avsc', '')}@${PINNED[role]}.avsc, then re-pin`,
    );
    t.false(history.has(fingerprint), `${role}: the current version is also in history`);
  }
});

const historyFiles = (): string[] => readdirSync(HISTORY_DIR).filter((f) => f.endsWith('.avsc'));

test('every history file is named <current stem>@<its own fingerprint> and resolves into the current version', (t) => {
  const stems = new Map(Object.entries(SCHEMA_FILES).map(([role, file]) => [file.replace('.avsc', ''), role as SchemaRole]));
  t.true(historyFiles().length > 0);
  for (const file of historyFiles()) {
    const match = /^([a-z0-9_]+)@([0-9a-f]{64})\.avsc$/.exec(file);
    t.truthy(match, `${file} is not named <stem>@<sha256 fingerprint>.avsc`);
    const role = stems.get(match![1]!);
    t.truthy(role, `${file} belongs to no file of schemas/`);
    const writer = avro.Type.forSchema(JSON.parse(readFileSync(join(HISTORY_DIR, file), 'utf8')), { wrapUnions: 'auto' });
    t.is(fingerprintOf(writer), match![2]!, `${file}: its name says one fingerprint, its content has another`);
    t.is(writer.name, SCHEMAS[role!].name);
    t.notThrows(() => SCHEMAS[role!].type.createResolver(writer));
    t.true(SCHEMAS[role!].history.has(match![2]!));
  }
  t.is(join(SCHEMAS_DIR, 'history'), HISTORY_DIR);
});

/**
 * Payload fields added after the first audit version, each with a null default: a record read
 * from a writer that lacked one has it null. A field added later goes on this list.
 */
const ADDED_PAYLOAD_FIELDS = ['identifiers', 'ignored_confidence'] as const;

/** A record as an older version carries it: the payload fields that version lacked are null. */
function asWrittenBy(writer: avro.Type, record: AuditRecordV1): AuditRecordV1 {
  const text = JSON.stringify(writer.schema());
  const payload: Record<string, unknown> = { ...record.payload };
  for (const field of ADDED_PAYLOAD_FIELDS) if (field in payload && !text.includes(`"name":"${field}"`)) payload[field] = null;
  return { ...record, payload } as AuditRecordV1;
}

/** The audit records of the full scenario written with one older audit version, as that version's writer would. */
function writtenWith(writer: avro.Type, records: readonly AuditRecordV1[]): { record: AuditRecordV1; bytes: Buffer }[] {
  const kinds = new Set(
    ((writer.schema() as { fields: { name: string; type: { symbols?: string[] } }[] }).fields.find((f) => f.name === 'event_kind')!.type.symbols ?? []) as string[],
  );
  // Operator action kinds are enum symbols too: an older version cannot write a kind added since (keep_contained).
  const text = JSON.stringify(writer.schema());
  const actionKnown = (r: AuditRecordV1): boolean => {
    const action = (r.payload as { action?: unknown }).action;
    return typeof action !== 'string' || text.includes(`"${action}"`);
  };
  return records
    .filter((r) => kinds.has(r.event_kind) && actionKnown(r))
    .map((record) => ({ record, bytes: writer.toBuffer({ ...record, payload: { [PAYLOAD_TYPE_OF_KIND[record.event_kind]]: record.payload } }) }));
}

test('audit records written with an older version decode, by their header, into the records the core made (fields added since: null)', (t) => {
  const records = playScenario(makeOperator('alice'), makeOperator('bob')).audits();
  t.true(SCHEMAS.audit.history.size > 0);
  for (const [fingerprint, writer] of SCHEMAS.audit.history) {
    const written = writtenWith(writer, records);
    t.true(written.length > records.length / 2, `the older version ${fingerprint.slice(0, 16)} writes most kinds`);
    let misreadAsCurrent = 0;
    for (const { record, bytes } of written) {
      const headers = { [SCHEMA_HEADER]: SCHEMAS.audit.name, [FINGERPRINT_HEADER]: fingerprint };
      const expected = asWrittenBy(writer, record);
      t.deepEqual(decodeRecord('audit', bytes, headers), { ok: true, value: expected });
      t.deepEqual(decodeRecord('auto', bytes, headers), { ok: true, value: expected });
      const asCurrent = decodeRecord('audit', bytes);
      if (!asCurrent.ok || JSON.stringify(asCurrent.value) !== JSON.stringify(expected)) misreadAsCurrent++;
    }
    // The control: the same bytes read as the current version come out wrong somewhere, so the
    // resolver (not luck) is what made them equal.
    t.true(misreadAsCurrent > 0, `${fingerprint.slice(0, 16)}: no record differs from the current version, so this history entry proves nothing`);
  }
});

test('a fingerprint that is neither current nor in history is refused, in the words old runs recorded', (t) => {
  const record = playScenario(makeOperator('alice'), makeOperator('bob')).audits()[0]!;
  const encoded = encodeRecord('audit', record);
  const stranger = { [SCHEMA_HEADER]: SCHEMAS.audit.name, [FINGERPRINT_HEADER]: 'ab'.repeat(32) };
  for (const role of ['audit', 'auto'] as const) {
    const decoded = decodeRecord(role, encoded.value, stranger);
    t.false(decoded.ok);
    if (!decoded.ok) {
      t.is(decoded.reason_code, 'unknown_schema');
      t.is(
        decoded.reason,
        `schema "exoarmur.AuditRecordV1" fingerprint ${'ab'.repeat(32)} is not the known ${SCHEMAS.audit.fingerprint}; the writer used another version of the schema`,
      );
    }
  }
  t.deepEqual(decodeRecord('audit', encoded.value), { ok: true, value: record });
  t.deepEqual(decodeRecord('audit', encoded.value, encoded.headers), { ok: true, value: record });
});

test('toCurrentVersion re-encodes older-version bytes as the current version writes them, and leaves current ones as they are', (t) => {
  const records = playScenario(makeOperator('alice'), makeOperator('bob')).audits();
  const [fingerprint, writer] = [...SCHEMAS.audit.history][0]!;
  for (const { record, bytes } of writtenWith(writer, records).slice(0, 50)) {
    const current = toCurrentVersion('audit', bytes, { [FINGERPRINT_HEADER]: fingerprint });
    t.deepEqual(current, { ok: true, value: Buffer.from(encodeRecord('audit', asWrittenBy(writer, record)).value!) });
    const same = encodeRecord('audit', record).value!;
    t.is((toCurrentVersion('audit', same, { [FINGERPRINT_HEADER]: SCHEMAS.audit.fingerprint }) as { value: Buffer }).value, same);
  }
  const unknown = toCurrentVersion('audit', Buffer.from([0]), { [FINGERPRINT_HEADER]: 'cd'.repeat(32) });
  t.like(unknown, { ok: false, reason_code: 'unknown_schema' });
});
