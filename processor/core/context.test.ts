/**
 * A step's context on its own: a partition stepped for the first time and one resumed from its
 * stored meta record, stream time moving only forward (an equal or earlier observed_at does not
 * move it, 1 ms later does), and the meta record `finish` writes last, whole.
 */
import test from 'ava';
import { coreConfigOf } from '../config/index.js';
import { nodePrimitives } from '../primitives.js';
import { configWith } from '../testing/harness.js';
import { freshPartitionMeta } from '../testing/partition-meta.js';
import type { CoreInput } from './api.js';
import { addSeconds, StepContext } from './context.js';
import { stateRecord, type StateValue } from './state.js';

const T1 = '2026-03-01T12:00:00.000Z';

function input(partition: number): CoreInput {
  return {
    source: 'telemetry',
    topic: 'exoarmur.telemetry.v1',
    partition,
    offset: '7',
    key: 'acme:corr',
    value: null,
    kafka_timestamp: T1,
    process_time: T1,
    decoded: { ok: false, reason: 'no value' },
  };
}

const FRESH = freshPartitionMeta(2);

const contextOver = (view: Map<string, StateValue>) => new StepContext(view, input(2), coreConfigOf(configWith()), nodePrimitives, 'acme:ev-1');

test('a partition stepped for the first time: not resumed, no stream time, the fresh meta record written last', (t) => {
  const ctx = contextOver(new Map());
  t.false(ctx.resumed);
  t.is(ctx.streamTime, null);
  t.is(ctx.partition, 2);
  t.deepEqual(ctx.finish(), { records: [{ role: 'state', key: 'meta/2', value: stateRecord('meta', FRESH) }] });
});

test('a resumed partition continues from its stored meta record, which it does not change in place', (t) => {
  const stored = { ...FRESH, next_seq: 5, head_hash: 'a'.repeat(64), stream_time: T1 };
  const view = new Map<string, StateValue>([['meta/2', stateRecord('meta', stored)]]);
  const ctx = contextOver(view);
  t.true(ctx.resumed);
  t.is(ctx.streamTime, T1);
  t.true(ctx.advanceStreamTime('2026-03-01T12:00:00.001Z'));
  t.deepEqual(ctx.finish().records, [{ role: 'state', key: 'meta/2', value: stateRecord('meta', { ...stored, stream_time: '2026-03-01T12:00:00.001Z' }) }]);
  t.is(view.get('meta/2')!.meta!.stream_time, T1);
});

test('stream time moves only forward: the first time, then 1 ms later; not to an equal or earlier time', (t) => {
  const ctx = contextOver(new Map());
  const steps: Array<[string, boolean, string]> = [
    [T1, true, T1],
    [T1, false, T1],
    ['2026-03-01T11:59:59.999Z', false, T1],
    ['2026-03-01T12:00:00.001Z', true, '2026-03-01T12:00:00.001Z'],
  ];
  t.deepEqual(
    steps.map(([at]) => [at, ctx.advanceStreamTime(at), ctx.streamTime]),
    steps,
  );
});

test('addSeconds: forward and back, in the contract form', (t) => {
  t.deepEqual([addSeconds(T1, 90), addSeconds(T1, -0.5), addSeconds(T1, 0)], ['2026-03-01T12:01:30.000Z', '2026-03-01T11:59:59.500Z', T1]);
});

test("the lists of a step: each node under its own key family, each list's ends in its own meta fields, the pending count", (t) => {
  const ctx = contextOver(new Map());
  ctx.pending.insert('appr-1', T1);
  ctx.collectiveExpiry.insert('collective/acme/x/c1', T1);
  ctx.reverts.insert('intent-1', T1);
  ctx.retention.idem.insert('idem/b1', T1, { keys: [] });
  ctx.retention.decided.insert('decided/b2', T1, { keys: [] });
  const ends = { prev: null, next: null };
  t.deepEqual(ctx.finish().records, [
    { role: 'state', key: 'pending/appr-1', value: stateRecord('pending', { approval_id: 'appr-1', expires_at: T1, ...ends }) },
    { role: 'state', key: 'collective-expiry/acme/x/c1', value: stateRecord('collective_expiry', { collective_key: 'collective/acme/x/c1', check_at: T1, ...ends }) },
    { role: 'state', key: 'revert/intent-1', value: stateRecord('revert', { intent_id: 'intent-1', ends_at: T1, ...ends } as never) },
    { role: 'state', key: 'retention/idem/b1', value: stateRecord('retention', { keys: [], bucket_id: 'idem/b1', due_at: T1, ...ends } as never) },
    { role: 'state', key: 'retention/decided/b2', value: stateRecord('retention', { keys: [], bucket_id: 'decided/b2', due_at: T1, ...ends } as never) },
    {
      role: 'state',
      key: 'meta/2',
      value: stateRecord('meta', {
        ...FRESH,
        pending_head: 'appr-1',
        pending_tail: 'appr-1',
        pending_count: 1,
        collective_head: 'collective/acme/x/c1',
        collective_tail: 'collective/acme/x/c1',
        revert_head: 'intent-1',
        revert_tail: 'intent-1',
        idem_retention_head: 'idem/b1',
        idem_retention_tail: 'idem/b1',
        decided_retention_head: 'decided/b2',
        decided_retention_tail: 'decided/b2',
      }),
    },
  ]);
});
