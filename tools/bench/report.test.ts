import test from 'ava';
import type { CatchUpPair } from './jobs/catch-up.js';
import { targets } from './report.js';

const summary = (eventsPerS: number, busyCores: number | null) => ({
  events: 1000,
  instances: 1,
  elapsed_ms: 1000,
  events_per_s: eventsPerS,
  steady_events_per_s: eventsPerS,
  startup_ms: 10,
  output_records: 10_000,
  output_records_per_s: 10 * eventsPerS,
  transactions_or_batches: 5,
  peak_rss_mb: 100,
  processor_cpu_ms_per_1k_events: 600,
  vm_hwm_mb: 100,
  machine_cpu: busyCores === null ? null : { cores: 2, busy_cores: busyCores, busy_share: busyCores / 2 },
});

test('targets judge each figure and say how busy the machine was while it was measured', (t) => {
  const pair = { size: 1000, eos: {}, results: { at_least_once: summary(2000, 1.2), exactly_once: summary(1800, 1.33) } } as unknown as CatchUpPair;
  const judged = targets({ catch_up: [pair], ceiling: [{ events: 1000, inputs_per_s: 2000 }], latency: undefined, recovery: [], replay: undefined }, 3);
  t.deepEqual(judged.slice(0, 3), [
    { target: 'exactly_once catch-up ≥ 5,000 events/s (3 partitions, N=1000)', measured: 1800, met: false, machine: '1.33 of 2 cores busy' },
    { target: 'exactly_once catch-up ≥ 80% of the ceiling loop (N=1000)', measured: 0.9, met: true, machine: '1.33 of 2 cores busy' },
    { target: 'exactly_once ≥ 60% of at_least_once (N=1000)', measured: 0.9, met: true },
  ]);
  // Not measured: no verdict and no machine figure.
  t.deepEqual(judged[3], { target: 'p99 inject → final audit record visible ≤ 150 ms at 500 events/s', measured: null, met: null });
  // Off Linux (no /proc/stat) the figure is judged without a machine line.
  const bare = { ...pair, results: { ...pair.results, exactly_once: summary(1800, null) } } as CatchUpPair;
  t.false('machine' in targets({ catch_up: [bare], latency: undefined, recovery: [], replay: undefined }, 3)[0]!);
});
