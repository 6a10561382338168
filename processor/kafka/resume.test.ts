/** Where a task resumes (resume.ts): each row with its twin across the boundary. */
import test from 'ava';
import { ExoArmurError } from '../errors.js';
import type { PartitionProgress } from '../io/offsets.js';
import { resumePoint } from './resume.js';

const progress = (committed: bigint | null, low = 0n, high = 100n): PartitionProgress => ({ topic: 'in', partition: 2, committed, low, high });

const rows: Array<[string, PartitionProgress, bigint | undefined, { offset: bigint; groupBehindBy: bigint }]> = [
  ['no position, never committed: the log start', progress(null, 5n), undefined, { offset: 5n, groupBehindBy: 0n }],
  ['no position, committed: the committed offset', progress(40n), undefined, { offset: 40n, groupBehindBy: 0n }],
  ['position equal to the committed offset', progress(40n), 40n, { offset: 40n, groupBehindBy: 0n }],
  ['group past the position (transaction markers it skipped): the group', progress(42n), 40n, { offset: 42n, groupBehindBy: 0n }],
  ['group one behind the position: the position', progress(39n), 40n, { offset: 40n, groupBehindBy: 1n }],
  ['group says never committed: the position', progress(null), 40n, { offset: 40n, groupBehindBy: 40n }],
  ['never committed, position at the log start: the log start', progress(null, 40n), 40n, { offset: 40n, groupBehindBy: 0n }],
  ['never committed, position before the log start (retention): the log start', progress(null, 50n), 40n, { offset: 50n, groupBehindBy: 0n }],
  ['position at the log end', progress(null), 100n, { offset: 100n, groupBehindBy: 100n }],
];

for (const [name, row, position, expected] of rows) {
  test(`resumePoint: ${name}`, (t) => {
    t.deepEqual(resumePoint(row, position), expected);
  });
}

test('resumePoint: a position one past the log end is refused, naming the partition and both offsets', (t) => {
  const error = t.throws(() => resumePoint(progress(null), 101n), { instanceOf: ExoArmurError });
  t.is(error?.code, 'INPUT_POSITION_BEYOND_LOG');
  t.is(error?.recovery, 'permanent');
  t.deepEqual(error?.context, { topic: 'in', partition: 2 });
  t.regex(error?.message ?? '', /^in\[2\]: .* up to offset 101, but the log ends at 100: /);
});
