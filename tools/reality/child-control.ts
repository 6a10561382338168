/** The embedded run's processor: a child `exoarmur process` (tools/lib/children.ts), started anew after each kill or stop. */
import { ExoArmurError } from '../../processor/errors.js';
import { ProcessorChild, type ProcessorChildOptions } from '../lib/children.js';
import type { ProcessorControl } from './controls.js';

export class ChildProcessorControl implements ProcessorControl {
  private child: ProcessorChild | undefined;
  starts = 0;

  /** `options`: how each start spawns it (the run broker as --brokers, service.log as its log). */
  constructor(readonly options: ProcessorChildOptions) {}

  /** The child started last (its pid, its log events), undefined before the first start. */
  get current(): ProcessorChild | undefined {
    return this.child;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  start(): void {
    this.child = new ProcessorChild(this.options);
    this.starts += 1;
  }

  async kill(): Promise<void> {
    await this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.child?.kill('SIGTERM');
  }

  exitedError(): Error {
    return this.child?.exitedError() ?? new ExoArmurError('PROCESSOR_EXITED', 'the processor was never started');
  }
}
