/** Gates as values and PASS_FAIL.txt: the format round-trips, a failed check fails its gate, a what-if replay fails gate 3. */
import test from 'ava';
import { GATE_NAMES, judge, overall, parsePassFail, passFailText, replayGate, type Gate, type ReplayFacts } from './gates.js';

const RUN = '01M8DRRZYME34R3SN25BTW6S2T';
const gates = (statuses: Array<Gate['status']>): Gate[] => statuses.map((status, i) => ({ n: i + 1, name: GATE_NAMES[i]!, status, evidence: `evidence ${i + 1}` }));

test('judge: PASS with the facts when every check holds, FAIL naming each failed check otherwise', (t) => {
  t.deepEqual(
    judge(
      2,
      [
        [true, 'a'],
        [true, 'b'],
      ],
      'facts',
    ),
    { n: 2, name: 'RESTART_SURVIVAL', status: 'PASS', evidence: 'facts' },
  );
  t.deepEqual(
    judge(
      6,
      [
        [false, 'digests differ'],
        [true, 'b'],
        [false, 'two execute records'],
      ],
      'facts',
    ),
    {
      n: 6,
      name: 'IDEMPOTENCY',
      status: 'FAIL',
      evidence: 'failed: digests differ; two execute records (facts)',
    },
  );
});

const overalls: Array<[string, Array<Gate['status']>, 'PASS' | 'FAIL']> = [
  ['all PASS', ['PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS'], 'PASS'],
  ['gate 4 UNPROVEN', ['PASS', 'PASS', 'PASS', 'UNPROVEN', 'PASS', 'PASS', 'PASS'], 'PASS'],
  ['one FAIL', ['PASS', 'PASS', 'FAIL', 'UNPROVEN', 'PASS', 'PASS', 'PASS'], 'FAIL'],
  ['a gate missing', ['PASS', 'PASS', 'PASS', 'UNPROVEN', 'PASS', 'PASS'], 'FAIL'],
];
for (const [name, statuses, expected] of overalls) {
  test(`overall: ${name} -> ${expected}`, (t) => t.is(overall(gates(statuses)), expected));
}

test('PASS_FAIL.txt: RUN line, seven GATE lines in order, OVERALL; parses back to the same gates', (t) => {
  const written = gates(['PASS', 'PASS', 'FAIL', 'UNPROVEN', 'PASS', 'PASS', 'PASS']);
  written[0]!.evidence = 'two\nlines';
  const text = passFailText(RUN, [...written].reverse());
  t.is(text.split('\n')[0], `RUN ${RUN}`);
  t.is(text.split('\n')[1], 'GATE 1 DURABLE_PERSISTENCE: PASS - two lines');
  t.is(text.split('\n')[3], 'GATE 3 REPLAY_EQUIVALENCE: FAIL - evidence 3');
  t.true(text.endsWith('OVERALL: FAIL\n'));
  const parsed = parsePassFail(text);
  t.deepEqual(parsed, { runId: RUN, overall: 'FAIL', gates: written.map((g) => ({ ...g, evidence: g.evidence.replace('\n', ' ') })) });
});

const malformed: Array<[string, (text: string) => string]> = [
  ['no RUN line', (s) => s.split('\n').slice(1).join('\n')],
  ['run id not a ULID', (s) => s.replace(`RUN ${RUN}`, 'RUN run-1')],
  [
    'gates out of order',
    (s) => {
      const l = s.split('\n');
      [l[1], l[2]] = [l[2]!, l[1]!];
      return l.join('\n');
    },
  ],
  ['unknown status', (s) => s.replace(': PASS -', ': OK -')],
  ['no evidence', (s) => s.replace(/(GATE 2 [A-Z_]+: PASS) - .*/, '$1')],
  ['no OVERALL', (s) => s.replace(/OVERALL: PASS\n$/, '')],
];
for (const [name, corrupt] of malformed) {
  test(`parsePassFail rejects: ${name}`, (t) => {
    const good = passFailText(RUN, gates(['PASS', 'PASS', 'PASS', 'UNPROVEN', 'PASS', 'PASS', 'PASS']));
    t.not(parsePassFail(good), null);
    t.is(parsePassFail(corrupt(good)), null);
  });
}

const matching: ReplayFacts = { compared: 120, matched: 120, mismatched: 0, mismatches: [], pass: true, config_overridden: false, inputs_replayed: 40, events_per_second: 900 };

test('gate 3 PASSes on a recorded-config replay with no mismatch, in recorded order, covering the export', (t) => {
  const gate = replayGate(matching, 120, true);
  t.is(gate.status, 'PASS');
  t.regex(gate.evidence, /compared 120 audit records: 120 matched, 0 mismatched/);
});

const failing: Array<[string, ReplayFacts, number, boolean, RegExp]> = [
  [
    'policy changed between run and replay (what-if config, decisions differ)',
    {
      ...matching,
      matched: 117,
      mismatched: 3,
      pass: false,
      config_overridden: true,
      mismatches: [
        { partition: 1, seq: 7, field: 'payload.rule' },
        { partition: 1, seq: 8, field: 'event_kind' },
      ],
    },
    120,
    true,
    /config other than the recorded snapshots; 3 mismatches \(payload.rule at partition 1 seq 7, event_kind at partition 1 seq 8\)/,
  ],
  ['a what-if config that happens to decide the same still is no proof', { ...matching, config_overridden: true }, 120, true, /config other than the recorded snapshots/],
  [
    'mismatches under the recorded config',
    { ...matching, matched: 119, mismatched: 1, pass: false, mismatches: [{ partition: 0, seq: null, field: 'execute.intent_hash' }] },
    120,
    true,
    /1 mismatches \(execute.intent_hash at partition 0 seq -\)/,
  ],
  ['the report covers fewer records than exported', { ...matching, compared: 100, matched: 100 }, 120, true, /compared 100 records, the run exported 120/],
  ['replay did not follow the recorded order', matching, 120, false, /did not follow the recorded receipt order/],
];
for (const [name, report, exported, followed, reason] of failing) {
  test(`gate 3 FAILs: ${name}`, (t) => {
    const gate = replayGate(report, exported, followed);
    t.is(gate.status, 'FAIL');
    t.regex(gate.evidence, reason);
    t.is(overall([...gates(['PASS', 'PASS', 'PASS', 'UNPROVEN', 'PASS', 'PASS', 'PASS']).filter((g) => g.n !== 3), gate]), 'FAIL');
  });
}
