/** The compose stack's processor and broker containers as the fault injector drives them (tools/reality/controls.ts). */
import type { ComposeStack } from '../compose/stack.js';
import { ExoArmurError } from '../../processor/errors.js';
import type { BrokerControl, ProcessorControl } from './controls.js';

export class ComposeProcessor implements ProcessorControl {
  starts = 1;
  constructor(private readonly stack: ComposeStack) {}
  get running(): boolean {
    // Restarting: its restart policy is bringing it back, as a supervisor would.
    const status = this.stack.statusSync('processor');
    return status === 'running' || status === 'restarting';
  }
  async start(): Promise<void> {
    await this.stack.startService('processor');
    this.starts += 1;
  }
  kill(): Promise<void> {
    return this.stack.kill('processor');
  }
  stop(): Promise<void> {
    return this.stack.stopService('processor');
  }
  exitedError(): Error {
    return new ExoArmurError('PROCESSOR_EXITED', `the processor container exited: ${this.stack.logTailSync('processor')}`);
  }
}

export function composeBroker(stack: ComposeStack, service: string): BrokerControl {
  return {
    kill: () => stack.kill(service),
    stop: () => stack.stopService(service),
    restart: async () => {
      await stack.startService(service);
      await stack.waitHealthy(service);
    },
  };
}
