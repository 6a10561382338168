/**
 * The run's processor as a child process (`exoarmur process`), and the settled condition: every
 * input partition committed to its end offset while the processor runs.
 */
import { ExoArmurError } from '../../processor/errors.js';
import { CliChild } from '../process/children.js';
import { pollUntil } from '../lib/poll.js';
import type { Progress, RunKafka } from './live.js';
import type { ProcessorControl } from './controls.js';

export class ProcessorChild implements ProcessorControl {
  child: CliChild | null = null;
  starts = 0;
  constructor(
    private readonly brokers: string,
    private readonly configFile: string,
    private readonly logFile: string,
    private readonly maxInputsPerTransaction: number,
  ) {}

  start(): void {
    // The broker as a flag: it outranks an exported KAFKA_BROKERS, so the child always joins the run's own broker.
    this.child = new CliChild([
      'process',
      '--brokers',
      this.brokers,
      '--config',
      this.configFile,
      '--log-file',
      this.logFile,
      '--max-inputs-per-transaction',
      String(this.maxInputsPerTransaction),
    ]);
    this.starts += 1;
  }

  get running(): boolean {
    return this.child !== null && this.child.running;
  }

  async kill(): Promise<void> {
    await this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.child?.kill('SIGTERM');
  }

  failure(): string {
    const out = this.child?.output;
    return out ? out.stderr.trim().split('\n').slice(-3).join(' | ') : 'never started';
  }
}

/** Settled: every input partition's committed group offset equals its end offset, and the processor runs. */
export async function waitSettled(kafka: RunKafka, processor: ProcessorControl, timeoutMs = 180_000): Promise<void> {
  let last: Progress | undefined;
  try {
    await pollUntil(
      async () => {
        if (!processor.running) throw new ExoArmurError('PROCESSOR_EXITED', `the processor exited: ${processor.failure()}`);
        last = await kafka.inputProgress();
        return last.lagging.length === 0;
      },
      { timeoutMs, intervalMs: 300, what: 'every input partition committed to its end offset' },
    );
  } catch (error) {
    throw new ExoArmurError('RUN_NOT_SETTLED', `the run did not settle: ${last?.lagging.join(', ') ?? 'no progress read'}; read service.log in the bundle`, { cause: error });
  }
}
