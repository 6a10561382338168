/** `exoarmur receiver` — a loopback webhook receiver to try the actuator against (tools/actuate/receiver.ts). */
import type { CommandModule } from 'yargs';
import { UsageError } from '../../processor/errors.js';
import { startReceiver } from './receiver.js';

interface ReceiverArgs {
  host: string;
  port: number;
  'log-file': string;
  'port-file'?: string;
}

export const receiverCommand: CommandModule<object, ReceiverArgs> = {
  command: 'receiver',
  describe: 'webhook receiver for `exoarmur actuate --driver webhook`: applies each Idempotency-Key once, logs every request as a JSON line',
  builder: (y) =>
    y
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
      .option('port', { type: 'number', default: 0, describe: 'port to listen on (0: a free port, written to --port-file)' })
      .option('log-file', { type: 'string', demandOption: true, describe: 'append one JSON line per request here' })
      .option('port-file', { type: 'string', describe: 'write the bound port here once listening' }) as never,
  handler: async (args) => {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new UsageError('CLI_USAGE', `--port must be 0..65535, got ${args.port}`);
    const running = await startReceiver({
      host: args.host,
      port: args.port,
      logFile: args['log-file'],
      ...(args['port-file'] === undefined ? {} : { portFile: args['port-file'] }),
    });
    process.stdout.write(`${JSON.stringify({ listening: `http://${args.host}:${running.port}/` })}\n`);
    const stop = () => {
      running.server.close(() => process.exit(0));
      // Keep-alive connections from the actuator would hold close() open.
      running.server.closeAllConnections();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    await new Promise<never>(() => undefined);
  },
};
