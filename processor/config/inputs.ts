/**
 * The processor's input topics from a config, each with the source the core treats it as: the
 * telemetry topic, every further telemetry topic of the `inputs` table (each in its own format,
 * co-partitioned with the rest), the operator topic, and the actuators' results topic. The runner
 * subscribes to these, a task seeks and commits each, and replay tells a receipt's source by them.
 */
import type { InputSource } from '../core/api.js';
import { resultsTopic } from './defaults.js';
import type { ExoArmurConfig } from './types.js';

export interface InputTopic {
  topic: string;
  source: InputSource;
}

export function inputTopics(config: Pick<ExoArmurConfig, 'topics' | 'inputs'>): InputTopic[] {
  const telemetry = [
    config.topics.telemetry,
    ...Object.keys(config.inputs ?? {})
      .filter((t) => t !== config.topics.telemetry)
      .sort(),
  ];
  return [
    ...telemetry.map((topic) => ({ topic, source: 'telemetry' as const })),
    { topic: config.topics.operator_actions, source: 'operator' as const },
    { topic: resultsTopic(config.topics), source: 'result' as const },
  ];
}

/** The telemetry topics beyond `topics.telemetry` (provisioned like it). */
export function extraTelemetryTopics(config: Pick<ExoArmurConfig, 'topics' | 'inputs'>): string[] {
  return inputTopics(config)
    .filter((i) => i.source === 'telemetry' && i.topic !== config.topics.telemetry)
    .map((i) => i.topic);
}
