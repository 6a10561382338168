/** The soak's seeded plan: fault counts per duration, repeatable fault times inside the load, and load ticks with duplicates and late events. */
import test from 'ava';
import { decodeTelemetry } from '../../processor/codec/index.js';
import { SeededRandom } from '../lib/seeded-random.js';
import { faultCounts, faultPlan, loadTick, SOAK_T0_MS } from './plan.js';

test('fault counts: one of each per five minutes, a cluster restart per ten, at least one; unlisted kinds none', (t) => {
  t.deepEqual(faultCounts(12), { kill_leader: 2, kill_processor: 2, join_leave: 2, cluster_restart: 1 });
  t.deepEqual(faultCounts(1.5), { kill_leader: 1, kill_processor: 1, join_leave: 1, cluster_restart: 1 });
  t.deepEqual(faultCounts(30, ['kill_leader', 'join_leave']), { kill_leader: 6, kill_processor: 0, join_leave: 6, cluster_restart: 0 });
});

test('fault plan: the same seed gives the same plan; every fault once, in time order, in the first 80% of the load', (t) => {
  const counts = faultCounts(12);
  const plan = faultPlan(5, 720_000, counts);
  t.deepEqual(faultPlan(5, 720_000, counts), plan);
  t.notDeepEqual(faultPlan(6, 720_000, counts), plan);
  t.is(plan.length, 7);
  t.deepEqual([...plan.map((f) => f.kind)].sort(), ['cluster_restart', 'join_leave', 'join_leave', 'kill_leader', 'kill_leader', 'kill_processor', 'kill_processor']);
  for (let i = 1; i < plan.length; i += 1) t.true(plan[i]!.atMs > plan[i - 1]!.atMs, JSON.stringify(plan));
  t.true(plan.every((f) => f.atMs >= 0 && f.atMs < 0.8 * 720_000));
});

test('load ticks: valid telemetry, seeded, with duplicates of earlier lines and late events', (t) => {
  const run = (seed: number) => {
    const random = new SeededRandom(seed);
    const recent: string[] = [];
    return Array.from({ length: 30 }, (_, tick) => loadTick(random, tick, 10, recent).lines).flat();
  };
  const lines = run(3);
  t.deepEqual(run(3), lines);
  t.true(lines.every((line) => decodeTelemetry(Buffer.from(line, 'utf8')).ok));
  const ids = lines.map((line) => (JSON.parse(line) as { event_id: string }).event_id);
  const unique = new Set(ids);
  t.is(unique.size, 300, 'ten fresh events per tick');
  t.true(ids.length > unique.size, 'some deliveries repeat an earlier event');
  const times = lines.map((line) => Date.parse((JSON.parse(line) as { observed_at: string }).observed_at));
  t.true(
    times.some((time, i) => i > 0 && time < times[i - 1]!),
    'some events arrive out of order',
  );
  t.true(times.every((time) => time >= SOAK_T0_MS - 61_000 && time < SOAK_T0_MS + 30_000));
});
