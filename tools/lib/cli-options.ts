/**
 * What the long-running and broker-reading commands share on the command line: the config file and
 * the broker list (process, actuate, operator, status, trace), and how a long-running command stops
 * on SIGTERM/SIGINT (process, actuate).
 */
import type { Argv } from 'yargs';
import type { Logger } from 'pino';
import { BROKERS_OPTION_DESCRIBE } from '../../processor/config/index.js';

export interface ConnectArgs {
  config?: string;
  brokers?: string;
}

/** --config (described as the command reads it) and --brokers (the one broker rule). */
export function withConnect<T>(y: Argv<T>, configDescribe: string): Argv<T & ConnectArgs> {
  return y.option('config', { type: 'string', describe: configDescribe }).option('brokers', { type: 'string', describe: BROKERS_OPTION_DESCRIBE }) as Argv<T & ConnectArgs>;
}

/** Shutdown after a signal may take this long before the process exits anyway. */
export const STOP_GRACE_MS = 30_000;

export interface Stoppable {
  logger: Logger;
  stop(): Promise<void>;
}

/**
 * SIGTERM/SIGINT stop `running` once and exit 0 (1 if stopping failed). A broker that is gone can
 * hold a disconnect for minutes; an open transaction is aborted by the broker's timeout or the next
 * owner's fence either way, so after STOP_GRACE_MS the process exits 1 rather than hang the operator.
 * Returns whether a signal has started the stop.
 */
export function stopOnSignals(running: Stoppable): () => boolean {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      running.logger.error({ signal }, `shutdown did not finish in ${STOP_GRACE_MS / 1000} s; exiting`);
      process.exit(1);
    }, STOP_GRACE_MS).unref();
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        running.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return () => stopping;
}
