/** A replay worker thread (parallel.ts): replays its partitions and posts the report, or the error. */
import { parentPort, workerData } from 'node:worker_threads';
import { ExoArmurError } from '../../processor/errors.js';
import type { WorkerAnswer, WorkerTask } from './parallel.js';
import { replayPartitions } from './replay.js';

const task = workerData as WorkerTask;
const answer = (a: WorkerAnswer): void => parentPort!.postMessage(a);
replayPartitions({ ...task.options, partitions: new Set(task.partitions) }).then(
  (report) => answer({ ok: true, report }),
  (error: unknown) =>
    answer({
      ok: false,
      code: error instanceof ExoArmurError ? error.code : undefined,
      message: error instanceof Error ? error.message : String(error),
      context: error instanceof ExoArmurError ? error.context : null,
    }),
);
