/**
 * Writing a signed OperatorActionV1 to the operator topic (DESIGN §1, docs/contracts.md): an
 * approve/deny goes to the partition named by its approval (the input partition of the telemetry
 * that produced it, so the action meets that partition's state); a kill switch goes once to every
 * partition, so each partition sees it at a definite place in its own order.
 */
import type { Producer, RecordMetadata } from '../../processor/io/client.js';
import { encodeOperatorAction } from '../../processor/codec/operator.js';
import type { Topics } from '../../processor/config/types.js';
import type { OperatorActionV1 } from '../../processor/core/types.js';
import { UsageError } from '../../processor/errors.js';

/** `{ partition }` for approve/deny; `{ allPartitions: <partition count of the operator topic> }` for a kill switch. */
export type PublishTarget = { partition: number } | { allPartitions: number };

export interface PublishedAction {
  topic: string;
  partitions: number[];
  offsets: string[];
}

function targetPartitions(action: OperatorActionV1, target: PublishTarget): number[] {
  const isKillSwitch = action.action === 'kill_switch_on' || action.action === 'kill_switch_off';
  if ('allPartitions' in target) {
    if (!isKillSwitch) throw new UsageError('ACTION_TARGET_INVALID', `${action.action} belongs on its approval's partition only; publish it with { partition }`);
    if (!Number.isInteger(target.allPartitions) || target.allPartitions < 1) {
      throw new UsageError('ACTION_TARGET_INVALID', `allPartitions must be the operator topic's partition count, got ${target.allPartitions}`);
    }
    return Array.from({ length: target.allPartitions }, (_, p) => p);
  }
  if (isKillSwitch) throw new UsageError('ACTION_TARGET_INVALID', `${action.action} must reach every partition; publish it with { allPartitions }`);
  if (!Number.isInteger(target.partition) || target.partition < 0) {
    throw new UsageError('ACTION_TARGET_INVALID', `partition must be a non-negative integer, got ${target.partition}`);
  }
  return [target.partition];
}

/**
 * Sends the action with acks=all. The producer should be idempotent or at least ordered
 * (maxInFlightRequests 1); a retried send that lands twice is harmless because the core
 * deduplicates on `tenant_id:action_id`.
 */
export async function publishAction(producer: Producer, topics: Pick<Topics, 'operator_actions'>, action: OperatorActionV1, target: PublishTarget): Promise<PublishedAction> {
  const partitions = targetPartitions(action, target);
  const encoded = encodeOperatorAction(action);
  const key = `${action.tenant_id}:${action.correlation_id}`;
  const metadata: RecordMetadata[] = await producer.send({
    topic: topics.operator_actions,
    acks: -1,
    messages: partitions.map((partition) => ({ key, value: encoded.value, headers: encoded.headers, partition })),
  });
  const offsets = partitions.map((p) => metadata.find((m) => m.partition === p)?.baseOffset ?? '-1');
  return { topic: topics.operator_actions, partitions, offsets };
}
