import test from 'ava';
import { machineCpuUse, parseProcStat } from './machine-cpu.js';

test('parseProcStat sums the busy fields of the all-cores line and counts idle and iowait as not busy', (t) => {
  const text = 'cpu  100 5 50 800 20 3 2 10 0 0\ncpu0 50 2 25 400 10 1 1 5 0 0\nintr 1 2\n';
  t.deepEqual(parseProcStat(text), { busy: 100 + 5 + 50 + 3 + 2 + 10, total: 100 + 5 + 50 + 3 + 2 + 10 + 800 + 20 });
  t.is(parseProcStat('intr 1 2\n'), null);
  t.is(parseProcStat('cpu  1 2 x 4 5 6 7 8\n'), null);
});

test('machineCpuUse gives the cores busy on average between two samples', (t) => {
  t.deepEqual(machineCpuUse({ busy: 1000, total: 4000 }, { busy: 1750, total: 5000 }, 2), { cores: 2, busy_cores: 1.5, busy_share: 0.75 });
  t.is(machineCpuUse(null, { busy: 1, total: 2 }, 2), null);
  t.is(machineCpuUse({ busy: 1, total: 2 }, { busy: 1, total: 2 }, 2), null);
});
