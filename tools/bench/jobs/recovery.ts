/**
 * Recovery: a processor restarted on a filled state topic, timed to its first committed batch —
 * cold (a new state directory: restore reads the whole changelog into an empty store), then warm
 * (the same directory again: restore reads from the store's checkpoint). The state is filled by the
 * processor itself, or with `--recovery-fill direct` by writing the idempotency marks the processor
 * writes (same keys' shape, same bytes and headers) straight to the state topic, for machines too
 * slow to push a million events through the processor first.
 */
import { join } from 'node:path';
import { catchUpTimeoutMs, MB, row, sizeName, spec, topicsFor, type Context } from '../context.js';
import { catchUp, ensureRunTopics, processorCommand, recover, type ProcessorSpec } from '../processor-run.js';
import { fillStateDirect, preload } from '../produce.js';

async function restart(ctx: Context, eos: ProcessorSpec, keys: number, store: 'warm' | 'cold', inputsFrom: number) {
  // New inputs behind the restored state, so there is a batch to commit.
  const fresh = 20 * ctx.options.partitions;
  await preload(ctx.kafka, eos.topics.telemetry, inputsFrom, fresh);
  const restarted: ProcessorSpec = { ...eos, name: `${eos.name}-recovery-${store}`, stateDir: join(ctx.dir, 'state', `${eos.name}-recovery`) };
  const result = await recover(ctx.kafka, restarted, 300_000);
  const command = processorCommand(restarted);
  const measurement = `recovery ${sizeName(keys)} keys, ${store} store`;
  row(ctx, { measurement, figure: 'start → first committed batch', value: result.firstCommitMs, unit: 'ms', n: keys, command });
  row(ctx, { measurement, figure: 'slowest partition restore', value: result.restoreMsMax, unit: 'ms', n: keys, command });
  row(ctx, { measurement, figure: 'RSS at first commit', value: Math.round(result.rssAtFirstCommitBytes / MB), unit: 'MB', n: keys, command });
  row(ctx, { measurement, figure: 'peak RSS (VmHWM)', value: Math.round(result.hwmBytes / MB), unit: 'MB', n: keys, command });
  return {
    store,
    new_inputs: fresh,
    state_topic_records: result.stateRecords,
    restored_records: result.restoredRecords,
    first_commit_ms: result.firstCommitMs,
    all_committed_ms: result.allCommittedMs,
    slowest_partition_restore_ms: result.restoreMsMax,
    rss_at_first_commit_mb: Math.round(result.rssAtFirstCommitBytes / MB),
    vm_hwm_mb: Math.round(result.hwmBytes / MB),
  };
}

export async function recovery(ctx: Context, keys: number, source: ProcessorSpec | undefined) {
  let eos = source;
  const direct = source === undefined && ctx.options.recoveryFill === 'direct';
  let inputsFrom = keys;
  if (eos === undefined) {
    const name = `rec-${sizeName(keys)}`;
    const topics = topicsFor(ctx, name);
    await ensureRunTopics(ctx.kafka, topics, ctx.options.partitions);
    eos = spec(ctx, name, topics, ctx.options.partitions, 'exactly_once');
    if (direct) {
      const filled = await fillStateDirect(ctx.kafka, topics.state, ctx.options.partitions, keys);
      inputsFrom = 0;
      ctx.options.log(`  recovery · state filled directly: ${keys} idempotency marks in ${Math.round(filled.elapsedMs)} ms`);
    } else {
      await preload(ctx.kafka, topics.telemetry, 0, keys);
      const fill = await catchUp(ctx.kafka, eos, 1, catchUpTimeoutMs(keys));
      ctx.options.log(`  recovery · state filled by the processor: ${keys} events in ${fill.elapsedMs} ms`);
    }
  }
  const cold = await restart(ctx, eos, keys, 'cold', inputsFrom);
  const warm = await restart(ctx, eos, keys, 'warm', inputsFrom + cold.new_inputs);
  return { idempotency_keys: keys, fill: direct ? 'direct' : 'processor', first_commit_ms: warm.first_commit_ms, vm_hwm_mb: Math.max(warm.vm_hwm_mb, cold.vm_hwm_mb), warm, cold };
}
