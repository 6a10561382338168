/**
 * `recordRun`: reads a finished run's durable records from the broker (the same reader replay
 * uses), writes them as a recorded-run directory, then checks that directory replays cleanly, so
 * a recording that would not serve as a regression fixture is never left looking like one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ExoArmurError } from '../../processor/errors.js';
import { repoRoot } from '../broker/paths.js';
import { readRecordedRun } from '../replay/replay.js';
import { checkRecordedRun, type RecordedCheck } from './check.js';
import type { RunMeta } from './format.js';
import { writeRecordedRun } from './write.js';
import type { Topics } from '../../processor/config/types.js';

export class RecordError extends ExoArmurError {}

export interface RecordOptions {
  brokers: string[];
  runId: string;
  topics: Topics;
  outDir: string;
  logger?: Logger;
  timeoutMs?: number;
}

export interface RecordResult {
  meta: RunMeta;
  check: RecordedCheck;
}

/** `exoarmur record` and the package version that wrote a recording. */
export function recordingTool(): { tool: string; version: string } {
  const manifest = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string };
  return { tool: 'exoarmur record', version: manifest.version };
}

export async function recordRun(options: RecordOptions): Promise<RecordResult> {
  const recorded = await readRecordedRun({ brokers: options.brokers, topics: options.topics, logger: options.logger, timeoutMs: options.timeoutMs });
  const auditRecords = [...recorded.outputs.values()].reduce((n, o) => n + o.audit.length, 0);
  if (auditRecords === 0) {
    throw new RecordError(
      'RECORD_RUN_EMPTY',
      `${options.topics.audit} holds no audit records: run ${options.runId} processed nothing or its topics were deleted; check --run and --brokers`,
      {
        context: { topic: options.topics.audit },
      },
    );
  }
  const meta = await writeRecordedRun(options.outDir, recorded, { runId: options.runId, topics: options.topics, tool: recordingTool() });
  const check = await checkRecordedRun(options.outDir);
  return { meta, check };
}
