import test from 'ava';
import { UsageError } from '../../processor/errors.js';
import { checkTelemetryLines, jsonlLines, telemetryKey } from './inject.js';

const event = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({
    schema_version: '1',
    event_id: '01JS0000000000000000000D01',
    tenant_id: 't1',
    cell_id: 'cell-a',
    observed_at: '2026-03-01T10:00:00.000Z',
    received_at: '2026-03-01T10:00:01.000Z',
    source: { kind: 'edr', name: 'sensor' },
    event_type: 'ransomware',
    severity: 'critical',
    attributes: {},
    entity_refs: { host: 'h1' },
    correlation_id: 'd1',
    trace_id: 'tr-1',
    ...over,
  });

test('valid telemetry passes, repeated lines included (a repeat is a true duplicate delivery)', (t) => {
  t.notThrows(() => checkTelemetryLines([event(), event(), event({ event_id: '01JS0000000000000000000D02' })], 'e.jsonl'));
});

test('the first invalid line is named with the decoder reason and the count of the others; nothing is sent', (t) => {
  const error = t.throws(() => checkTelemetryLines([event(), event({ event_id: 'nope' }), '{', event({ severity: 'dire' })], 'e.jsonl'), { instanceOf: UsageError });
  t.is(error?.code, 'INJECT_LINE_INVALID');
  t.is(
    error?.message,
    'e.jsonl line 2 is not a valid TelemetryEventV1 (bad_ulid: event_id "nope" is not a ULID (26 upper-case Crockford base32 characters)) (and 2 more invalid lines); nothing was sent: fix the lines, or pass --raw to send the bytes as they are (the processor dead-letters them)',
  );
});

test('a scenario file is refused as such, with how to play it or extract its telemetry', (t) => {
  const lines = jsonlLines(`{"telemetry":${event()}}\n\n{"wait":"settled"}\n`);
  const error = t.throws(() => checkTelemetryLines(lines, 'scenario.jsonl'), { instanceOf: UsageError });
  t.is(error?.code, 'INJECT_SCENARIO_FORMAT');
  t.is(
    error?.message,
    'scenario.jsonl is a scenario (line 1 is a {"telemetry": …} step), not telemetry: play it with `exoarmur reality --scenario <its directory>`, or inject its events alone: jq -c \'.telemetry // empty\' scenario.jsonl > events.jsonl',
  );
});

test('the key is tenant_id:correlation_id, or null when the line does not carry both', (t) => {
  t.is(telemetryKey(event()), 't1:d1');
  t.is(telemetryKey('{"tenant_id":"t1"}'), null);
  t.is(telemetryKey('not json'), null);
});
