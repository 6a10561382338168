/** `exoarmur status [--config FILE] [--brokers LIST] [--group ID] [--json]` — kill switches, approvals, lag, last commit, config hash. */
import type { Argv, CommandModule } from 'yargs';
import { loadEffectiveConfig } from '../../processor/config/index.js';
import { withConnect } from '../lib/cli-options.js';
import { kafkaForConfig } from '../../processor/io/client.js';
import { readStatus, statusText } from './status.js';

interface StatusArgs {
  config?: string;
  brokers?: string;
  group?: string;
  json: boolean;
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: "the processor's state from the broker: kill switches, pending approvals, consumer lag per partition, last commit, config hash in force",
  builder: (y) =>
    withConnect(y, "the processor's JSON config file (topics, brokers, app_id)")
      .option('group', { type: 'string', describe: "the processor's consumer group (default: the config's app_id)" })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object instead of text' }) as Argv<StatusArgs>,
  handler: async (args) => {
    const effective = loadEffectiveConfig({ file: args.config, env: process.env, brokers: args.brokers });
    const { topics } = effective.config;
    const kafka = kafkaForConfig(effective, { clientId: 'exoarmur-status', topics: [topics.state, topics.audit, topics.config, topics.telemetry, topics.operator_actions] });
    const status = await readStatus(kafka, topics, args.group ?? effective.config.app_id, new Date());
    process.stdout.write(args.json ? `${JSON.stringify(status)}\n` : statusText(status));
  },
};
