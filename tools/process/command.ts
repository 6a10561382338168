/** `exoarmur process` — run the stream processor until SIGTERM/SIGINT. */
import type { CommandModule } from 'yargs';
import { startProcessor } from '../../processor/main.js';
import { STOP_GRACE_MS, stopOnSignals, withConnect } from '../lib/cli-options.js';
import { DEFAULT_STATE_DIR } from '../../processor/kafka/task.js';

interface ProcessArgs {
  config?: string;
  brokers?: string;
  'app-id'?: string;
  group?: string;
  'log-file'?: string;
  'state-dir'?: string;
  'max-inputs-per-transaction': number;
  'metrics-port'?: number;
  'metrics-host': string;
}

export const processCommand: CommandModule<object, ProcessArgs> = {
  command: 'process',
  describe: 'run the exactly-once stream processor (telemetry + operator actions -> audit, intents, dlq, state)',
  builder: (y) =>
    withConnect(y, 'JSON config file merged over the defaults')
      .option('app-id', { type: 'string', describe: 'application id: transactional id prefix and default group id' })
      .option('group', { type: 'string', describe: 'consumer group id (default: the app id)' })
      .option('log-file', { type: 'string', describe: 'write pino JSON lines here instead of stdout' })
      .option('state-dir', { type: 'string', describe: `root of the local state stores, one per task: <dir>/<app id>/<partition> (default ${DEFAULT_STATE_DIR})` })
      .option('max-inputs-per-transaction', { type: 'number', default: 2000, describe: 'upper bound on inputs per transaction' })
      .option('metrics-port', { type: 'number', describe: 'serve Prometheus /metrics, /healthz and /readyz on this port (0: any free port)' })
      .option('metrics-host', { type: 'string', default: '127.0.0.1', describe: 'address the metrics server listens on' }) as never,
  handler: async (args) => {
    const running = await startProcessor({
      configFile: args.config,
      brokers: args.brokers,
      appId: args['app-id'],
      groupId: args.group,
      logFile: args['log-file'],
      ...(args['state-dir'] === undefined ? {} : { stateDir: args['state-dir'] }),
      maxInputsPerTransaction: args['max-inputs-per-transaction'],
      ...(args['metrics-port'] === undefined ? {} : { metricsPort: args['metrics-port'], metricsHost: args['metrics-host'] }),
    });
    const signalled = stopOnSignals(running);
    // Runs until a signal exits the process, or until processing halts on a failure retrying cannot
    // fix: then leave the group cleanly and fail with the halt's one-line reason (exit 2).
    const halted = await running.halted;
    if (signalled()) await new Promise<never>(() => undefined);
    setTimeout(() => {
      running.logger.error(`stop after halt did not finish in ${STOP_GRACE_MS / 1000} s; exiting`);
      process.exit(2);
    }, STOP_GRACE_MS).unref();
    await running.stop().catch((error: unknown) => running.logger.error({ err: error }, 'stop after halt failed'));
    throw halted;
  },
};
