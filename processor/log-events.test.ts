/** Every named log event is written somewhere in the processor, once per place it means. */
import test from 'ava';
import { readSourceGraph, stripComments } from '../tools/testing/source-graph.js';
import { LOG_EVENTS, type LogEvent } from './log-events.js';

test('every named log event is emitted by processor code, and nothing emits an unnamed one', (t) => {
  const emitted = new Map<string, string[]>();
  for (const module of readSourceGraph().values()) {
    if (!module.path.startsWith('processor/') || module.path.endsWith('.test.ts')) continue;
    for (const m of stripComments(module.text).matchAll(/logEvent\('([a-z_]+)'\)/g)) emitted.set(m[1]!, [...(emitted.get(m[1]!) ?? []), module.path]);
  }
  t.deepEqual(
    [...emitted.keys()].filter((e) => !(e in LOG_EVENTS)),
    [],
    'emitted but not named',
  );
  t.deepEqual(
    Object.keys(LOG_EVENTS).filter((e) => !emitted.has(e as LogEvent)),
    [],
    'named but never emitted',
  );
});
