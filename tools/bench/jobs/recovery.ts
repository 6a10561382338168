/** Recovery: a processor restarted on a filled state topic, timed to its first committed batch. */
import { catchUpTimeoutMs, MB, row, sizeName, spec, topicsFor, type Context } from '../context.js';
import { catchUp, ensureRunTopics, processorCommand, recover, type ProcessorSpec, type RecoveryResult } from '../processor-run.js';
import { preload } from '../produce.js';

export async function recovery(ctx: Context, keys: number, source: ProcessorSpec | undefined) {
  let eos = source;
  if (eos === undefined) {
    const name = `rec-${sizeName(keys)}`;
    const topics = topicsFor(ctx, name);
    await ensureRunTopics(ctx.kafka, topics, ctx.options.partitions);
    await preload(ctx.kafka, topics.telemetry, 0, keys);
    eos = spec(ctx, name, topics, ctx.options.partitions, 'exactly_once');
    const fill = await catchUp(ctx.kafka, eos, 1, catchUpTimeoutMs(keys));
    ctx.options.log(`  recovery · state filled by the processor: ${keys} events in ${fill.elapsedMs} ms`);
  }
  // New inputs behind the restored state, so there is a batch to commit.
  const fresh = 20 * ctx.options.partitions;
  await preload(ctx.kafka, eos.topics.telemetry, keys, fresh);
  const restarted = { ...eos, name: `${eos.name}-recovery` };
  const result: RecoveryResult = await recover(ctx.kafka, restarted, 300_000);
  const command = processorCommand(restarted);
  row(ctx, { measurement: `recovery ${sizeName(keys)} keys`, figure: 'start → first committed batch', value: result.firstCommitMs, unit: 'ms', n: keys, command });
  row(ctx, { measurement: `recovery ${sizeName(keys)} keys`, figure: 'RSS at first commit', value: Math.round(result.rssAtFirstCommitBytes / MB), unit: 'MB', n: keys, command });
  row(ctx, { measurement: `recovery ${sizeName(keys)} keys`, figure: 'peak RSS (VmHWM)', value: Math.round(result.hwmBytes / MB), unit: 'MB', n: keys, command });
  return {
    idempotency_keys: keys,
    state_topic_records: result.stateRecords,
    new_inputs: fresh,
    first_commit_ms: result.firstCommitMs,
    all_committed_ms: result.allCommittedMs,
    slowest_partition_restore_ms: result.restoreMsMax,
    rss_at_first_commit_mb: Math.round(result.rssAtFirstCommitBytes / MB),
    vm_hwm_mb: Math.round(result.hwmBytes / MB),
  };
}
