/**
 * `process --metrics-port` on the real broker (KAFKA_BROKERS): a processor child serves /metrics,
 * /healthz and /readyz; after a run of valid, duplicate and invalid telemetry is committed, every
 * counter is checked against the audit trail, dead letters and state read back read_committed.
 */
import test from 'ava';
import { ulid } from 'ulid';
import type { AuditRecordV1 } from '../core/types.js';
import { readTopic } from '../io/read.js';
import { pollUntil } from '../../tools/lib/poll.js';
import { testBrokers } from '../../tools/testing/broker.js';
import { injectViaCli, processorFixture, readFixtureAudit, startProcessorChild, stopCleanly, track, waitAllCommitted } from '../../tools/testing/processor.js';

function telemetry(host: string, cell: string, confidence: number): string {
  const observed = Date.now();
  const event_id = ulid(observed);
  return JSON.stringify({
    schema_version: '1',
    event_id,
    tenant_id: 'acme',
    cell_id: cell,
    observed_at: new Date(observed).toISOString(),
    received_at: new Date(observed).toISOString(),
    source: { kind: 'edr', name: 'metrics-test' },
    event_type: 'malware_detected',
    severity: 'high',
    attributes: { confidence },
    entity_refs: { host },
    correlation_id: `corr-${host}`,
    trace_id: `trace-${event_id}`,
  });
}

/** `name{labels} value` lines of one metric family, as labels-string -> value. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  // Sorted by labels, so two families compare whatever order each was written in.
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(\\{[^}]*\\})? ([0-9.e+-]+)$`).exec(line);
    if (m) out.set(m[1] ?? '', Number(m[2]));
  }
  return sorted(out);
}

function sorted(map: Map<string, number>): Map<string, number> {
  return new Map([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
}

test('metrics scraped during a real run agree with the audit trail; healthz and readyz answer', async (t) => {
  const fixture = await processorFixture('metrics', testBrokers().join(','), { policy: { trust: { 'cell-low': 0.2 } } });
  const processor = track(t, startProcessorChild(fixture, 'p', ['--metrics-port', '0']));
  const port = (await processor.waitForEvent('metrics_serving'))[0]!['port'] as number;
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, text: await response.text() };
  };
  t.deepEqual(await get('/healthz'), { status: 200, text: 'ok\n' });
  await pollUntil(async () => (await get('/readyz')).status === 200, { timeoutMs: 60_000, what: '/readyz' });

  const released = telemetry('h1', 'cell-a', 0.95);
  const lines = [released, released, telemetry('h2', 'cell-low', 0.95), telemetry('h3', 'cell-a', 0.6), '{"not":"telemetry"}', telemetry('h4', 'cell-a', 0.1)];
  await injectViaCli(fixture, lines);
  await waitAllCommitted(fixture);
  const audit: AuditRecordV1[] = await readFixtureAudit(fixture);
  let deadLetters = 0;
  await readTopic(fixture.kafka, { topic: fixture.topics.dlq, onRecord: () => (deadLetters += 1) });
  const { text } = await get('/metrics');

  t.deepEqual(
    samples(text, 'exoarmur_inputs_total'),
    sorted(
      new Map(
        [
          ...countBy(
            audit.filter((r) => r.event_kind.startsWith('telemetry_')),
            (r) => r.event_kind,
          ),
        ].map(([kind, n]) => [`{receipt_kind="${kind}"}`, n]),
      ),
    ),
  );
  t.deepEqual(
    samples(text, 'exoarmur_verdicts_total'),
    sorted(
      countBy(
        audit.filter((r): r is AuditRecordV1<'safety_evaluated'> => r.event_kind === 'safety_evaluated'),
        (r) => `{rule="${r.payload.rule}",verdict="${r.payload.verdict}"}`,
      ),
    ),
  );
  t.deepEqual(samples(text, 'exoarmur_dead_letters_total'), new Map([['', deadLetters]]));
  t.is(samples(text, 'exoarmur_outputs_total').get(`{topic="${fixture.topics.audit}"}`), audit.length);
  const requested = audit.filter((r) => r.event_kind === 'approval_requested').length;
  t.deepEqual(samples(text, 'exoarmur_approvals_requested_total'), new Map([['', requested]]));
  t.deepEqual(samples(text, 'exoarmur_approvals_expired_total'), new Map([['', 0]]));
  t.is(
    [...samples(text, 'exoarmur_pending_approvals').values()].reduce((a, b) => a + b, 0),
    requested,
  );
  t.deepEqual(
    [...samples(text, 'exoarmur_consumer_lag').values()].filter((lag) => lag !== 0),
    [],
  );
  t.deepEqual(samples(text, 'exoarmur_halts_total'), new Map([['', 0]]));
  t.deepEqual(samples(text, 'exoarmur_ready'), new Map([['', 1]]));
  t.true((samples(text, 'exoarmur_transaction_duration_seconds_count').get('') ?? 0) >= 1);
  t.true(samples(text, 'exoarmur_restore_duration_seconds').size >= 1);
  await stopCleanly(t, processor);
});
