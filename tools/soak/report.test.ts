/** The soak report's arithmetic: percentiles, recovery per fault kind, throughput between samples. */
import test from 'ava';
import { percentile, summarizeFaults, throughputSeries } from './report.js';

test('percentile: nearest rank over a sorted list; empty is 0', (t) => {
  t.is(percentile([], 50), 0);
  t.is(percentile([7], 50), 7);
  t.is(percentile([1, 2, 3, 4], 50), 2);
  t.is(percentile([1, 2, 3, 4, 5], 50), 3);
  t.is(percentile([1, 2, 3, 4, 5], 100), 5);
});

test('faults summarised per kind: count, p50 and max recovery', (t) => {
  const record = (kind: string, recoveryMs: number) => ({ kind, plannedAtMs: 0, atMs: 0, recoveryMs, detail: '' });
  t.deepEqual(summarizeFaults([record('kill_leader', 900), record('join', 300), record('kill_leader', 400), record('kill_leader', 2000)]), {
    join: { count: 1, recovery_ms: { p50: 300, max: 300 } },
    kill_leader: { count: 3, recovery_ms: { p50: 900, max: 2000 } },
  });
});

test('throughput: offered per interval; committed between answered samples, null while the cluster did not answer', (t) => {
  t.deepEqual(
    throughputSeries([
      { atMs: 0, offered: 0, committed: 0 },
      { atMs: 5000, offered: 100, committed: 50 },
      { atMs: 10000, offered: 200, committed: null },
      { atMs: 15000, offered: 300, committed: 250 },
    ]),
    [
      { t_s: 5, offered_per_s: 20, committed_per_s: 10 },
      { t_s: 10, offered_per_s: 20, committed_per_s: null },
      { t_s: 15, offered_per_s: 20, committed_per_s: 20 },
    ],
  );
});
