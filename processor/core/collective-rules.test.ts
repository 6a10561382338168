/**
 * updateCollective (gate.ts) alone: which belief an emitter keeps, the emitter order, the ttl window
 * either side, the expiry horizon, and the aggregate, spread and conflict numbers, each boundary with
 * its twin and each result asserted whole.
 */
import test from 'ava';
import { updateCollective, type CollectiveResult } from './gate.js';
import type { CollectiveMember } from './types.js';

/** observed_at as milliseconds in a string: the test's own clock, so every boundary is one integer. */
const msOf = (iso: string): number => Number(iso);
const m = (emitter: string, confidence: number, ms: number): CollectiveMember => ({ emitter, confidence, observed_at: String(ms) });
const TTL_S = 10;

// [name, stored, new belief, event ms, horizon ms, expected]
const rows: [string, CollectiveMember[], CollectiveMember, number, number, CollectiveResult][] = [
  [
    'the first belief is the collective',
    [],
    m('b', 0.7, 1000),
    1000,
    -Infinity,
    { stored: [m('b', 0.7, 1000)], members: [m('b', 0.7, 1000)], aggregate_score: 0.7, quorum_count: 1, spread: 0, conflict: false },
  ],
  [
    'a later belief replaces its emitter',
    [m('a', 0.2, 1000), m('b', 0.9, 1000)],
    m('a', 0.6, 2000),
    2000,
    -Infinity,
    {
      stored: [m('a', 0.6, 2000), m('b', 0.9, 1000)],
      members: [m('a', 0.6, 2000), m('b', 0.9, 1000)],
      aggregate_score: 0.75,
      quorum_count: 2,
      spread: 0.3,
      conflict: false,
    },
  ],
  [
    'a belief at the same time replaces its emitter (the one processed last wins)',
    [m('a', 0.2, 1000)],
    m('a', 0.6, 1000),
    1000,
    -Infinity,
    { stored: [m('a', 0.6, 1000)], members: [m('a', 0.6, 1000)], aggregate_score: 0.6, quorum_count: 1, spread: 0, conflict: false },
  ],
  [
    'an earlier belief does not replace its emitter',
    [m('a', 0.2, 1000)],
    m('a', 0.6, 999),
    999,
    -Infinity,
    { stored: [m('a', 0.2, 1000)], members: [m('a', 0.2, 1000)], aggregate_score: 0.2, quorum_count: 1, spread: 0, conflict: false },
  ],
  [
    'a new emitter is placed in emitter order (first)',
    [m('b', 0.5, 0), m('c', 0.5, 0)],
    m('a', 0.5, 0),
    0,
    -Infinity,
    {
      stored: [m('a', 0.5, 0), m('b', 0.5, 0), m('c', 0.5, 0)],
      members: [m('a', 0.5, 0), m('b', 0.5, 0), m('c', 0.5, 0)],
      aggregate_score: 0.5,
      quorum_count: 3,
      spread: 0,
      conflict: false,
    },
  ],
  [
    'a new emitter is placed in emitter order (middle)',
    [m('a', 0.5, 0), m('c', 0.5, 0)],
    m('b', 0.5, 0),
    0,
    -Infinity,
    {
      stored: [m('a', 0.5, 0), m('b', 0.5, 0), m('c', 0.5, 0)],
      members: [m('a', 0.5, 0), m('b', 0.5, 0), m('c', 0.5, 0)],
      aggregate_score: 0.5,
      quorum_count: 3,
      spread: 0,
      conflict: false,
    },
  ],
  [
    'a belief exactly ttl before the event is a member; one ms earlier is not',
    [m('a', 0.1, 0), m('b', 0.3, 1)],
    m('c', 0.5, 10_001),
    10_001,
    -Infinity,
    {
      stored: [m('a', 0.1, 0), m('b', 0.3, 1), m('c', 0.5, 10_001)],
      members: [m('b', 0.3, 1), m('c', 0.5, 10_001)],
      aggregate_score: 0.4,
      quorum_count: 2,
      spread: 0.2,
      conflict: false,
    },
  ],
  [
    'a belief exactly ttl after the event is a member; one ms later is not',
    [m('a', 0.1, 20_001), m('b', 0.3, 20_000)],
    m('c', 0.5, 10_000),
    10_000,
    -Infinity,
    {
      stored: [m('a', 0.1, 20_001), m('b', 0.3, 20_000), m('c', 0.5, 10_000)],
      members: [m('b', 0.3, 20_000), m('c', 0.5, 10_000)],
      aggregate_score: 0.4,
      quorum_count: 2,
      spread: 0.2,
      conflict: false,
    },
  ],
  [
    'a belief at the horizon stays; one ms before it is dropped from the store',
    [m('a', 0.1, 4999), m('b', 0.3, 5000)],
    m('c', 0.5, 6000),
    6000,
    5000,
    {
      stored: [m('b', 0.3, 5000), m('c', 0.5, 6000)],
      members: [m('b', 0.3, 5000), m('c', 0.5, 6000)],
      aggregate_score: 0.4,
      quorum_count: 2,
      spread: 0.2,
      conflict: false,
    },
  ],
  [
    'a new belief already past the horizon neither counts nor stays',
    [m('a', 0.1, 5000)],
    m('b', 0.9, 4999),
    4999,
    5000,
    { stored: [m('a', 0.1, 5000)], members: [m('a', 0.1, 5000)], aggregate_score: 0.1, quorum_count: 1, spread: 0, conflict: false },
  ],
  [
    'no member within ttl: aggregate and spread are 0',
    [m('a', 0.4, 100_000)],
    m('a', 0.9, 0),
    0,
    -Infinity,
    { stored: [m('a', 0.4, 100_000)], members: [], aggregate_score: 0, quorum_count: 0, spread: 0, conflict: false },
  ],
  [
    'the mean and spread are rounded to 6 decimals',
    [m('a', 0.1, 0), m('b', 0.2, 0)],
    m('c', 0.4, 0),
    0,
    -Infinity,
    {
      stored: [m('a', 0.1, 0), m('b', 0.2, 0), m('c', 0.4, 0)],
      members: [m('a', 0.1, 0), m('b', 0.2, 0), m('c', 0.4, 0)],
      aggregate_score: 0.233333,
      quorum_count: 3,
      spread: 0.3,
      conflict: false,
    },
  ],
  [
    'spread 0.300001 is a conflict (0.3 exactly is not: rows above)',
    [m('a', 0.499999, 0), m('b', 0.6, 0)],
    m('c', 0.8, 0),
    0,
    -Infinity,
    {
      stored: [m('a', 0.499999, 0), m('b', 0.6, 0), m('c', 0.8, 0)],
      members: [m('a', 0.499999, 0), m('b', 0.6, 0), m('c', 0.8, 0)],
      aggregate_score: 0.633333,
      quorum_count: 3,
      spread: 0.300001,
      conflict: true,
    },
  ],
  [
    'min and max are found wherever they sit among the members',
    [m('a', 0.6, 0), m('b', 0.9, 0), m('c', 0.5, 0)],
    m('d', 0.7, 0),
    0,
    -Infinity,
    {
      stored: [m('a', 0.6, 0), m('b', 0.9, 0), m('c', 0.5, 0), m('d', 0.7, 0)],
      members: [m('a', 0.6, 0), m('b', 0.9, 0), m('c', 0.5, 0), m('d', 0.7, 0)],
      aggregate_score: 0.675,
      quorum_count: 4,
      spread: 0.4,
      conflict: true,
    },
  ],
];

for (const [name, stored, belief, eventMs, horizonMs, expected] of rows) {
  test(`collective: ${name}`, (t) => {
    t.deepEqual(updateCollective(stored, belief, eventMs, TTL_S, msOf, horizonMs), expected);
  });
}

test('collective: without a horizon nothing expires, however old', (t) => {
  const old = m('a', 0.5, -1e12);
  t.deepEqual(updateCollective([old], m('b', 0.5, 0), 0, TTL_S, msOf).stored, [old, m('b', 0.5, 0)]);
});
