/** The broker of a command that takes `--brokers` and `--config`: the one broker rule (processor/config/brokers.ts). */
import { readConfigFile, resolveBrokers } from '../../processor/config/index.js';

export interface BrokerArgs {
  brokers?: string | undefined;
  config?: string | undefined;
}

export function commandBrokers(args: BrokerArgs, env: Record<string, string | undefined> = process.env): string[] {
  const file = args.config === undefined ? undefined : (readConfigFile(args.config) as { brokers?: unknown } | null);
  const listed = Array.isArray(file?.brokers) ? file.brokers.map(String) : undefined;
  return resolveBrokers({ flag: args.brokers, env, configFile: listed });
}
