/**
 * The Avro types of schemas/*.avsc (the single source of truth), loaded once at module load,
 * with their names and Parsing Canonical Form SHA-256 fingerprints for the Kafka headers, and the
 * older versions under schemas/history/ that records on a broker may still have been written
 * with (read by Avro schema resolution into the current version; schemas/README.md says when a
 * version goes there).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { ExoArmurError } from '../errors.js';

export const SCHEMA_HEADER = 'exoarmur-schema';
export const FINGERPRINT_HEADER = 'exoarmur-schema-fingerprint';

export const SCHEMA_FILES = {
  telemetry: 'telemetry_event_v1.avsc',
  audit: 'audit_record_v1.avsc',
  execute: 'execution_intent_v1.avsc',
  dlq: 'dead_letter_v1.avsc',
  state: 'state_record_v1.avsc',
  operator: 'operator_action_v1.avsc',
  config: 'config_snapshot_v1.avsc',
  result: 'execution_result_v1.avsc',
  actuator_state: 'actuator_state_v1.avsc',
  checkpoint: 'checkpoint_v1.avsc',
} as const;

export type SchemaRole = keyof typeof SCHEMA_FILES;

export interface LoadedSchema {
  role: SchemaRole;
  /** Full name, e.g. exoarmur.AuditRecordV1: the value of the exoarmur-schema header. */
  name: string;
  /** Lower-case hex SHA-256 of the Parsing Canonical Form. */
  fingerprint: string;
  type: avro.Type;
  /** The parsed .avsc JSON (with docs), for field lists. */
  json: { fields: { name: string; type: unknown }[] };
  /** Older versions still readable, by fingerprint: the writer types of schemas/history/. */
  history: ReadonlyMap<string, avro.Type>;
}

/** schemas/ at the repository root, found from this module whether run from source or dist/. */
function findSchemasDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(candidate, SCHEMA_FILES.audit))) return candidate;
    dir = dirname(dir);
  }
  throw new ExoArmurError('SCHEMAS_NOT_FOUND', `schemas/${SCHEMA_FILES.audit} not found above ${fileURLToPath(import.meta.url)}; run from a checkout that has schemas/`);
}

export const SCHEMAS_DIR = findSchemasDir();

export const HISTORY_DIR = join(SCHEMAS_DIR, 'history');

const typeOf = (json: unknown): avro.Type => avro.Type.forSchema(json as avro.Schema, { wrapUnions: 'auto' });
export const fingerprintOf = (type: avro.Type): string => (type.fingerprint('sha256') as Buffer).toString('hex');

/** History files are named `<current file stem>@<fingerprint>.avsc`, e.g. audit_record_v1@8d1d….avsc. */
function historyOf(file: string): Map<string, avro.Type> {
  const stem = file.replace(/\.avsc$/, '');
  const versions = new Map<string, avro.Type>();
  if (!existsSync(HISTORY_DIR)) return versions;
  for (const name of readdirSync(HISTORY_DIR).sort()) {
    if (!name.startsWith(`${stem}@`) || !name.endsWith('.avsc')) continue;
    const type = typeOf(JSON.parse(readFileSync(join(HISTORY_DIR, name), 'utf8')));
    versions.set(fingerprintOf(type), type);
  }
  return versions;
}

function load(role: SchemaRole): LoadedSchema {
  const json = JSON.parse(readFileSync(join(SCHEMAS_DIR, SCHEMA_FILES[role]), 'utf8'));
  const type = typeOf(json);
  return { role, name: type.name!, fingerprint: fingerprintOf(type), type, json, history: historyOf(SCHEMA_FILES[role]) };
}

export const SCHEMAS: { readonly [R in SchemaRole]: LoadedSchema } = {
  telemetry: load('telemetry'),
  audit: load('audit'),
  execute: load('execute'),
  dlq: load('dlq'),
  state: load('state'),
  operator: load('operator'),
  config: load('config'),
  result: load('result'),
  actuator_state: load('actuator_state'),
  checkpoint: load('checkpoint'),
};

export function schemaByName(name: string): LoadedSchema | undefined {
  return Object.values(SCHEMAS).find((s) => s.name === name);
}
