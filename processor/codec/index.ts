/** The codec: JSON telemetry validation, Avro records with schema headers, Kafka message → CoreInput. */
export { decodeTelemetry, MAX_FIELD_CHARS, MAX_TELEMETRY_BYTES } from './telemetry.js';
export { firstJsonFlaw, MAX_JSON_DEPTH } from './json-scan.js';
export { decodeOperatorAction, encodeOperatorAction } from './operator.js';
export { decodeExecutionResult } from './result.js';
export { decodeRecord, encodeRecord, headerString, isIdempotencyMark, schemaFromHeaders, toCurrentVersion, type Encoded, type InputHeaders, type RecordRole } from './avro.js';
export { toCoreInput, type ConsumedMessage } from './input.js';
export { SCHEMAS, SCHEMAS_DIR, SCHEMA_HEADER, FINGERPRINT_HEADER, schemaByName, type LoadedSchema, type SchemaRole } from './schemas.js';
export {
  decodeTelemetryInput,
  decodeSensor,
  isNotAnAlert,
  FORMAT_HEADER,
  TENANT_HEADER,
  CELL_HEADER,
  INPUT_FORMATS,
  SENSOR_FORMATS,
  NOT_AN_ALERT,
  type InputFormat,
  type SensorFormat,
} from './adapters/index.js';
