/**
 * The hostile-input corpus (issue 18): every record a broken or malicious sender can put on the
 * two input topics, generated from a seed (same seed, same bytes), each with the receipt and
 * reason code the processor must give it. `exoarmur hostile` replays it on a real broker through
 * a real processor; tools/hostile/hostile.integration.test.ts does the same in `make test`.
 */
import { SeededRandom, type HostileRecord } from './corpus.js';
import { operatorCases } from './operator-cases.js';
import { telemetryCases } from './telemetry-cases.js';

export interface HostileCorpus {
  seed: number;
  records: HostileRecord[];
  /** The partial config the processor runs with (the operator registry the actions are judged by). */
  config: { operators: Record<string, { public_key: string }> };
}

export const DEFAULT_HOSTILE_SEED = 18;

export function generateCorpus(seed: number = DEFAULT_HOSTILE_SEED): HostileCorpus {
  const random = new SeededRandom(seed);
  const operator = operatorCases(random);
  const records = [...operator.records, ...telemetryCases(random)];
  return { seed, records, config: operator.config };
}

export type { HostileRecord } from './corpus.js';
