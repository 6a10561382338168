/**
 * The one broker rule of every command: `--brokers`, then `KAFKA_BROKERS` (or `EXOARMUR_BROKERS`,
 * its config-style name), then the config file's `brokers`; with none of them, a usage error that
 * names all three. There is no default address: a command never reaches a broker nobody named.
 */
import { UsageError } from '../errors.js';

/** The rule in words, for help texts and errors. */
export const BROKER_RULE = '--brokers, then KAFKA_BROKERS, then the config file\'s "brokers"';

/** The `--brokers` option's help text, the same for every command. */
export const BROKERS_OPTION_DESCRIBE = `host:port[,host:port…]; the broker is ${BROKER_RULE}`;

const HOST_PORT = /^[^\s:,]+:\d{1,5}$/;

/** Parses a comma-separated `host:port` list; a malformed entry is a usage error, not a connect timeout later. */
export function parseBrokers(list: string): string[] {
  const brokers = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  for (const broker of brokers) {
    if (!HOST_PORT.test(broker)) {
      throw new UsageError('BROKERS_MALFORMED', `broker address "${broker}" is not host:port: set KAFKA_BROKERS=host:port[,host:port…]`);
    }
  }
  return brokers;
}

/** The broker list the environment names (KAFKA_BROKERS, else EXOARMUR_BROKERS), or undefined. */
export function brokersFromEnvironment(env: Record<string, string | undefined>): string[] | undefined {
  for (const name of ['KAFKA_BROKERS', 'EXOARMUR_BROKERS']) {
    const raw = env[name];
    if (raw !== undefined && raw.trim() !== '') {
      const brokers = parseBrokers(raw);
      if (brokers.length > 0) return brokers;
    }
  }
  return undefined;
}

export interface BrokerSources {
  /** The `--brokers` flag as given. */
  flag?: string | undefined;
  env: Record<string, string | undefined>;
  /** The config file's `brokers`, when a config file was given. */
  configFile?: readonly string[] | undefined;
}

/** Applies the rule; every source is validated the same way. */
export function resolveBrokers(sources: BrokerSources): string[] {
  if (sources.flag !== undefined && sources.flag.trim() !== '') {
    const brokers = parseBrokers(sources.flag);
    if (brokers.length > 0) return brokers;
  }
  const fromEnv = brokersFromEnvironment(sources.env);
  if (fromEnv !== undefined) return fromEnv;
  if (sources.configFile !== undefined && sources.configFile.length > 0) return parseBrokers(sources.configFile.join(','));
  throw new UsageError('BROKERS_MISSING', `no broker given: pass ${BROKER_RULE} (for a local one, make broker-up prints the export)`);
}
