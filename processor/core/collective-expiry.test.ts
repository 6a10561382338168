import test from 'ava';
import { at, configWith, payloadOf, Run, telemetry } from '../testing/harness.js';
import { stateKeys } from './state.js';
import type { CollectiveExpiryNode, OutputRecord } from './index.js';

const ttl = 100;
const config = () => configWith({ policy: { belief_ttl_s: ttl } });
const key = (correlation: string) => stateKeys.collective('acme', 'malware_detected', correlation);
const nodeKey = (correlation: string) => stateKeys.collectiveExpiry(key(correlation));

/** Moves the partition's stream time with an event on a correlation nobody else uses. */
function tick(run: Run, seconds: number): OutputRecord[] {
  return run.telemetry(telemetry({ cell_id: 'clock', correlation_id: `tick-${seconds}`, observed_at: at(seconds) }));
}

function stateWrites(records: readonly OutputRecord[]): Array<[string, 'value' | 'tombstone']> {
  return records.filter((r) => r.role === 'state' && !r.key!.startsWith('meta/') && !r.key!.startsWith('idem/')).map((r) => [r.key!, r.value === null ? 'tombstone' : 'value']);
}

/** Walks the list from its head: links agree both ways, order is (check_at, key), one node per collective. */
function listOf(run: Run): CollectiveExpiryNode[] {
  const meta = run.cache.get('meta/0')!.meta!;
  const nodes: CollectiveExpiryNode[] = [];
  let prev: string | null = null;
  for (let k = meta.collective_head; k !== null;) {
    const n: CollectiveExpiryNode = run.cache.get(stateKeys.collectiveExpiry(k))!.collective_expiry!;
    if (n.prev !== prev) throw new Error(`node ${k} points back to ${n.prev}, not ${prev}`);
    nodes.push(n);
    prev = k;
    k = n.next;
  }
  if (meta.collective_tail !== prev) throw new Error(`tail ${meta.collective_tail} is not the last node ${prev}`);
  return nodes;
}

test('a collective is deleted exactly when stream time passes its latest belief + 2 x ttl, with its list node', (t) => {
  const run = new Run(config());
  run.telemetry(telemetry({ cell_id: 'a', correlation_id: 'x', observed_at: at(0) }));
  t.like(run.cache.get(nodeKey('x'))!.collective_expiry, { collective_key: key('x'), check_at: at(2 * ttl) });
  const xKeys = [key('x'), nodeKey('x')];
  // At exactly 2 x ttl the belief still lives: its node only gains a successor.
  t.deepEqual(
    stateWrites(tick(run, 2 * ttl)).filter(([k]) => xKeys.includes(k)),
    [[nodeKey('x'), 'value']],
  );
  t.true(run.cache.has(key('x')));
  const passed = tick(run, 2 * ttl + 0.001);
  t.deepEqual(
    stateWrites(passed).filter(([k]) => xKeys.includes(k)),
    [
      [nodeKey('x'), 'tombstone'],
      [key('x'), 'tombstone'],
    ],
  );
  t.false(run.cache.has(key('x')));
  t.false(run.cache.has(nodeKey('x')));
  t.deepEqual(
    listOf(run).map((n) => n.collective_key),
    [key('tick-200'), key('tick-200.001')],
  );
});

test('a collective refreshed by a later belief is pruned and re-scheduled at its real expiry, not deleted', (t) => {
  const run = new Run(config());
  run.telemetry(telemetry({ cell_id: 'a', correlation_id: 'x', observed_at: at(0), attributes: { confidence: 0.6 } }));
  run.telemetry(telemetry({ cell_id: 'b', correlation_id: 'x', observed_at: at(150), attributes: { confidence: 0.7 } }));
  t.is(run.cache.get(nodeKey('x'))!.collective_expiry!.check_at, at(200), 'the node keeps its first check time (a lower bound)');
  tick(run, 200.001);
  t.deepEqual(run.cache.get(key('x'))!.collective!.beliefs, [{ confidence: 0.7, emitter: 'b', observed_at: at(150) }]);
  t.is(run.cache.get(nodeKey('x'))!.collective_expiry!.check_at, at(350));
  tick(run, 350);
  t.true(run.cache.has(key('x')));
  tick(run, 350.001);
  t.false(run.cache.has(key('x')));
  t.false(run.cache.has(nodeKey('x')));
});

test('an event up to ttl late sees every belief within ttl of it; an expired belief counts for no one', (t) => {
  const table: Array<{ name: string; streamTo: number; lateAt: number; members: string[] }> = [
    { name: 'late by exactly ttl: a (ttl before it) counts', streamTo: 150, lateAt: 50, members: ['a', 'late'] },
    { name: 'late by ttl, a at the horizon: counts', streamTo: 200, lateAt: 100, members: ['a', 'late'] },
    { name: 'a 1 ms past the horizon: expired', streamTo: 200.001, lateAt: 100, members: ['late'] },
    { name: 'the late belief itself expired: counts for no one', streamTo: 400, lateAt: 150, members: [] },
  ];
  for (const row of table) {
    const run = new Run(config());
    run.telemetry(telemetry({ cell_id: 'a', correlation_id: 'x', observed_at: at(0), attributes: { confidence: 0.6 } }));
    tick(run, row.streamTo);
    const late = run.telemetry(telemetry({ cell_id: 'late', correlation_id: 'x', observed_at: at(row.lateAt), attributes: { confidence: 0.9 } }));
    const collective = payloadOf(late, 'collective_updated');
    t.deepEqual(
      collective.members.map((m) => m.emitter),
      row.members,
      row.name,
    );
    t.is(collective.quorum_count, row.members.length, row.name);
    t.is(run.cache.has(key('x')), row.members.length > 0, row.name);
  }
});

test('with a correlation id per event, collective state holds only the last 2 x ttl of stream time', (t) => {
  const run = new Run(config());
  for (let s = 0; s < 1000; s += 1) run.telemetry(telemetry({ cell_id: 'a', correlation_id: `once-${s}`, observed_at: at(s) }));
  const collectives = [...run.cache.keys()].filter((k) => k.startsWith('collective/'));
  // Stream time 999 s: beliefs observed at 799 s or later live.
  t.deepEqual(collectives.sort(), Array.from({ length: 201 }, (_, i) => key(`once-${799 + i}`)).sort());
  t.deepEqual(
    listOf(run)
      .map((n) => n.collective_key)
      .sort(),
    collectives.sort(),
  );
});

test('out-of-order events keep the list sorted and one node per collective, and the outputs are those of a fresh replay', (t) => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const events = Array.from({ length: 600 }, (_, i) =>
    telemetry({
      cell_id: `cell-${i % 3}`,
      correlation_id: `c-${Math.floor(random() * 40)}`,
      // Mostly in order, some up to 2.5 x ttl late.
      observed_at: at(i - (random() < 0.2 ? Math.floor(random() * 250) : 0)),
      attributes: { confidence: Math.round(random() * 100) / 100 },
    }),
  );
  const first = new Run(config());
  const second = new Run(config());
  for (const e of events) first.telemetry(e);
  for (const e of events) second.telemetry(e);
  const nodes = listOf(first);
  for (let i = 1; i < nodes.length; i += 1) {
    const [a, b] = [nodes[i - 1]!, nodes[i]!];
    t.true(a.check_at < b.check_at || (a.check_at === b.check_at && a.collective_key < b.collective_key), `sorted at ${i}`);
  }
  t.deepEqual(nodes.map((n) => n.collective_key).sort(), [...first.cache.keys()].filter((k) => k.startsWith('collective/')).sort());
  t.deepEqual(second.all, first.all);

  // Dropping changes no output: every collective equals one over all beliefs ever seen (latest per
  // emitter, nothing deleted) with the expired ones left out.
  const seen = new Map<string, Map<string, { confidence: number; emitter: string; observed_at: string }>>();
  let stream = -Infinity;
  const collectives = first.audits().filter((r) => r.event_kind === 'collective_updated');
  events.forEach((e, i) => {
    const ms = Date.parse(e['observed_at'] as string);
    stream = Math.max(stream, ms);
    const byEmitter = seen.get(e['correlation_id'] as string) ?? new Map();
    seen.set(e['correlation_id'] as string, byEmitter);
    const belief = { confidence: (e['attributes'] as { confidence: number }).confidence, emitter: e['cell_id'] as string, observed_at: e['observed_at'] as string };
    const held = byEmitter.get(belief.emitter);
    if (held === undefined || ms >= Date.parse(held.observed_at)) byEmitter.set(belief.emitter, belief);
    const expected = [...byEmitter.values()]
      .filter((b) => Math.abs(Date.parse(b.observed_at) - ms) <= ttl * 1000 && Date.parse(b.observed_at) >= stream - 2 * ttl * 1000)
      .sort((a, b) => (a.emitter < b.emitter ? -1 : 1));
    t.deepEqual((collectives[i]!.payload as { members: unknown }).members, expected, `event ${i}`);
  });
});

// When stream time passes a collective's check time: a belief exactly at the horizon (stream time - 2 x ttl) stays and
// one 1 ms before it goes (the collective is then re-scheduled at c's own expiry, the stream time itself); a collective
// nothing was pruned from is not written again, only re-scheduled.
// [name, beliefs (emitter, observed_at s), stream time s, beliefs left (emitters), the collective's writes, the node's check_at after]
const pruning: [string, [string, number][], number, string[], Array<[string, 'value' | 'tombstone']>, string | null][] = [
  [
    'c exactly at the horizon stays, a before it goes',
    [
      ['a', 0],
      ['c', 0.001],
    ],
    200.001,
    ['c'],
    [[key('x'), 'value']],
    at(200.001),
  ],
  [
    'one ms later c is past the horizon too: deleted',
    [
      ['a', 0],
      ['c', 0.001],
    ],
    200.002,
    [],
    [[key('x'), 'tombstone']],
    null,
  ],
  [
    'a replaced by its own later belief: nothing pruned, not written',
    [
      ['a', 0],
      ['a', 150],
    ],
    200.001,
    ['a'],
    [],
    at(350),
  ],
  [
    'a outlived by b: a pruned, written',
    [
      ['a', 0],
      ['b', 150],
    ],
    200.001,
    ['b'],
    [[key('x'), 'value']],
    at(350),
  ],
];

for (const [name, beliefs, streamTo, left, writes, checkAt] of pruning) {
  test(`pruning at the check time: ${name}`, (t) => {
    const run = new Run(config());
    for (const [cell, s] of beliefs) run.telemetry(telemetry({ cell_id: cell, correlation_id: 'x', observed_at: at(s) }));
    t.is(run.cache.get(nodeKey('x'))!.collective_expiry!.check_at, at(200), 'the node is at the first belief + 2 x ttl');
    const out = tick(run, streamTo);
    t.deepEqual(
      stateWrites(out).filter(([k]) => k === key('x')),
      writes,
    );
    t.deepEqual(
      (run.cache.get(key('x'))?.collective?.beliefs ?? []).map((b) => b.emitter),
      left,
    );
    t.is(run.cache.get(nodeKey('x'))?.collective_expiry?.check_at ?? null, checkAt);
  });
}

// A late event whose own belief is past the horizon leaves nothing to store: no collective record, not even a
// tombstone for one that was never there; exactly at the horizon it is stored. [name, observed_at s, writes, node]
const lateAlone: [string, number, Array<[string, 'value' | 'tombstone']>, string | null][] = [
  ['1 ms before the horizon: nothing written', 199.999, [], null],
  ['exactly at the horizon: stored, due at stream time', 200, [[key('x'), 'value']], at(400)],
];

for (const [name, lateAt, writes, checkAt] of lateAlone) {
  test(`a late event on a new collective at stream time 400 (ttl 100), ${name}`, (t) => {
    const run = new Run(config());
    tick(run, 400);
    const out = run.telemetry(telemetry({ cell_id: 'late', correlation_id: 'x', observed_at: at(lateAt) }));
    t.deepEqual(
      stateWrites(out).filter(([k]) => k === key('x')),
      writes,
    );
    t.is(run.cache.get(nodeKey('x'))?.collective_expiry?.check_at ?? null, checkAt);
  });
}

// belief_ttl_s shortened between runs: a collective scheduled under the old ttl is not due yet, but its beliefs are
// past the new horizon; the next event on it deletes it (tombstone and node) unless that event's own belief is live.
// [name, observed_at s of the event at stream time 30 (new ttl 10, horizon 10), beliefs left]
const shortened: [string, number, string[]][] = [
  ['the event 1 ms before the new horizon: deleted', 9.999, []],
  ['the event exactly at the new horizon: only it stays', 10, ['b']],
];

for (const [name, lateAt, left] of shortened) {
  test(`belief_ttl_s shortened from 100 to 10 s, ${name}`, (t) => {
    const run = new Run(config());
    run.telemetry(telemetry({ cell_id: 'a', correlation_id: 'x', observed_at: at(0) }));
    run.config = configWith({ policy: { belief_ttl_s: 10 } });
    tick(run, 30);
    t.deepEqual(
      run.cache.get(key('x'))!.collective!.beliefs.map((b) => b.emitter),
      ['a'],
      'scheduled at 200 under the old ttl: not due',
    );
    const out = run.telemetry(telemetry({ cell_id: 'b', correlation_id: 'x', observed_at: at(lateAt) }));
    t.deepEqual(
      stateWrites(out).filter(([k]) => k === key('x') || k === nodeKey('x')),
      left.length === 0
        ? [
            [key('x'), 'tombstone'],
            [nodeKey('x'), 'tombstone'],
          ]
        : [[key('x'), 'value']],
    );
    t.deepEqual(
      (run.cache.get(key('x'))?.collective?.beliefs ?? []).map((b) => b.emitter),
      left,
    );
  });
}
