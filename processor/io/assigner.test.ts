import test from 'ava';
import { assignCoPartitioned } from './assigner.js';

test('co-partitioned assignment gives partition p of every topic to the same member, balanced', (t) => {
  const result = assignCoPartitioned(['m-b', 'm-a'], { telemetry: [0, 1, 2], operator: [0, 1, 2] });
  t.deepEqual(result, {
    'm-a': { telemetry: [0, 2], operator: [0, 2] },
    'm-b': { telemetry: [1], operator: [1] },
  });
});

test('co-partitioned assignment with more members than tasks leaves the extra members idle', (t) => {
  const result = assignCoPartitioned(['x', 'y', 'z'], { telemetry: [0, 1], operator: [0, 1] });
  t.deepEqual(result, { x: { telemetry: [0], operator: [0] }, y: { telemetry: [1], operator: [1] }, z: {} });
});
