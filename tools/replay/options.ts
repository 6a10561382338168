/** What `replayRun` takes (replay.ts), apart so the worker-thread path (parallel.ts) can name it without an import cycle. */
import type { Logger } from 'pino';
import type { EffectiveConfig, Topics } from '../../processor/config/types.js';
import type { CreateKafkaOptions } from '../../processor/io/client.js';

export interface ReplayOptions {
  brokers: string[];
  /** SASL and TLS of a secure broker (the reality harness's admin login); none for a plaintext broker. */
  login?: Pick<CreateKafkaOptions, 'sasl' | 'tls'>;
  /** The run's topic names by role (processor/kafka/topics.ts `topicNames`, tools/reality/naming.ts `topicsForRun`). */
  topics: Topics;
  /** Named in the report; defaults to the audit topic name. */
  runId?: string;
  /** A what-if config (see DriveOptions.configOverride): how a test makes replay decide differently. */
  configOverride?: (recorded: EffectiveConfig) => EffectiveConfig;
  logger?: Logger;
  /** Per-topic read timeout. */
  timeoutMs?: number;
  /** Worker threads replaying partitions in parallel (default: one per partition, at most two per CPU); 1 replays in this thread. */
  workers?: number;
}
