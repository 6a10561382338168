/** `exoarmur topics ensure` — create ExoArmur's topics idempotently and fail on drift. */
import type { Argv, CommandModule } from 'yargs';
import { createKafka } from '../../processor/io/client.js';
import { DEFAULT_PARTITIONS, ensureTopics, topicSpecs } from '../../processor/io/topics.js';
import { BROKERS_OPTION_DESCRIBE } from '../../processor/config/index.js';
import { commandBrokers } from '../lib/brokers.js';

interface EnsureArgs {
  partitions: number;
  prefix: string;
  brokers?: string;
}

const ensureCommand: CommandModule<object, EnsureArgs> = {
  command: 'ensure',
  describe: 'create every missing ExoArmur topic; no-op when all exist as specified; fail naming any drift',
  builder: (yargs: Argv) =>
    yargs
      .option('partitions', { type: 'number', default: DEFAULT_PARTITIONS, describe: 'shared partition count of the co-partitioned topics' })
      .option('prefix', { type: 'string', default: '', describe: 'prepended to every default topic name' })
      .option('brokers', { type: 'string', describe: BROKERS_OPTION_DESCRIBE })
      .option('config', { type: 'string', describe: 'a config file whose "brokers" is the broker rule\'s last source' }) as Argv<EnsureArgs>,
  handler: async (argv) => {
    const brokers = commandBrokers(argv);
    const admin = createKafka({ brokers, clientId: 'exoarmur-topics' }).admin();
    await admin.connect();
    try {
      const report = await ensureTopics(admin, topicSpecs({ partitions: argv.partitions, prefix: argv.prefix }));
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } finally {
      await admin.disconnect();
    }
  },
};

export const topicsCommand: CommandModule = {
  command: 'topics',
  describe: "manage ExoArmur's topics (ensure)",
  builder: (yargs) => yargs.command(ensureCommand as CommandModule).demandCommand(1, 'Name an action: ensure.'),
  handler: () => undefined,
};
