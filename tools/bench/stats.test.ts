import test from 'ava';
import { percentile, ratePerSecond, ratio, summarizeLatencies } from './stats.js';

test('nearest-rank percentiles of 1..100 and of a small unsorted sample', (t) => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
  t.is(percentile(hundred, 50), 50);
  t.is(percentile(hundred, 95), 95);
  t.is(percentile(hundred, 99), 99);
  t.is(percentile(hundred, 100), 100);
  t.is(percentile([30, 10, 20], 50), 20);
  t.is(percentile([30, 10, 20], 99), 30);
  t.is(percentile([7], 1), 7);
  t.is(percentile([], 50), undefined);
  t.throws(() => percentile([1], 0), { instanceOf: RangeError });
});

test('latency summary rounds to 0.1 ms and reports the sample size', (t) => {
  t.deepEqual(summarizeLatencies([1.26, 2, 3, 4, 100.04]), { n: 5, p50_ms: 3, p95_ms: 100, p99_ms: 100, max_ms: 100 });
  t.deepEqual(summarizeLatencies([]), { n: 0, p50_ms: null, p95_ms: null, p99_ms: null, max_ms: null });
});

test('rates and ratios', (t) => {
  t.is(ratePerSecond(5000, 2000), 2500);
  t.is(ratePerSecond(10, 0), null);
  t.is(ratio(3, 4), 0.75);
  t.is(ratio(3, 0), null);
  t.is(ratio(null, 4), null);
});
