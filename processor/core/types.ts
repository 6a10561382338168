/**
 * TypeScript forms of the records in schemas/*.avsc, split by job: the input and output records
 * (record-types.ts), the audit record and its payloads (audit-types.ts), the state changelog
 * (state-types.ts). The .avsc files are the source of truth; the codec tests encode every record
 * the core emits with those schemas, so a drift between these types and the schemas fails a test.
 */
export * from './record-types.js';
export * from './audit-types.js';
export * from './state-types.js';
