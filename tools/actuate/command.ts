/** `exoarmur actuate` — the reference actuator: perform released intents once per group, write their results. */
import type { CommandModule } from 'yargs';
import { stopOnSignals, withConnect } from '../lib/cli-options.js';
import { UsageError } from '../../processor/errors.js';
import { startActuator, type ActuateOptions } from '../../processor/main.js';

interface ActuateArgs {
  config?: string;
  brokers?: string;
  group?: string;
  'log-file'?: string;
  driver: string;
  url?: string;
  command?: string;
  'timeout-ms': number;
  'max-attempts': number;
  'backoff-ms': number;
  'backoff-cap-ms': number;
  'max-in-flight': number;
}

function driverOf(args: ActuateArgs): ActuateOptions['driver'] {
  if (args.driver === 'webhook' && args.url !== undefined) return { kind: 'webhook', url: args.url };
  if (args.driver === 'exec' && args.command !== undefined) return { kind: 'exec', command: args.command };
  throw new UsageError('ACTUATE_DRIVER_INVALID', `--driver ${args.driver} needs ${args.driver === 'exec' ? '--command' : '--url'}`);
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new UsageError('CLI_USAGE', `--${name} must be a positive integer, got ${value}`);
  return value;
}

export const actuateCommand: CommandModule<object, ActuateArgs> = {
  command: 'actuate',
  describe: 'reference actuator: consume released intents (read_committed), perform each at most once per group (webhook or exec), write ExecutionResultV1',
  builder: (y) =>
    withConnect(y, "the processor's JSON config (topics, partitions, brokers)")
      .option('group', { type: 'string', describe: 'actuator group: the scope of "at most once" (default <app_id>.actuator)' })
      .option('log-file', { type: 'string', describe: 'write pino JSON lines here instead of stdout' })
      .option('driver', { type: 'string', choices: ['webhook', 'exec'], demandOption: true, describe: 'how to perform an intent' })
      .option('url', { type: 'string', describe: 'webhook: POST the intent here with Idempotency-Key: <intent_id>' })
      .option('command', { type: 'string', describe: 'exec: run this (shell) with the intent as JSON on stdin; exit 0 done, 75 retry, other failed' })
      .option('timeout-ms', { type: 'number', default: 5000, describe: 'per attempt (keep it below the 10 s group session)' })
      .option('max-attempts', { type: 'number', default: 5, describe: 'attempts per intent across restarts, then gave_up' })
      .option('backoff-ms', { type: 'number', default: 200, describe: 'wait after the first failed attempt, doubling' })
      .option('backoff-cap-ms', { type: 'number', default: 5000, describe: 'longest wait between attempts' })
      .option('max-in-flight', {
        type: 'number',
        default: 32,
        describe: 'most intents of one partition attempted at once (a chunk: one transaction before, one after; 1 = one intent at a time)',
      }) as never,
  handler: async (args) => {
    const running = await startActuator({
      configFile: args.config,
      brokers: args.brokers,
      groupId: args.group,
      logFile: args['log-file'],
      driver: driverOf(args),
      timeoutMs: positive('timeout-ms', args['timeout-ms']),
      maxAttempts: positive('max-attempts', args['max-attempts']),
      backoffBaseMs: positive('backoff-ms', args['backoff-ms']),
      backoffCapMs: positive('backoff-cap-ms', args['backoff-cap-ms']),
      maxInFlight: positive('max-in-flight', args['max-in-flight']),
    });
    stopOnSignals(running);
    await new Promise<never>(() => undefined);
  },
};
