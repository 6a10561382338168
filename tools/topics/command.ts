/**
 * `exoarmur topics ensure` — create ExoArmur's topics idempotently and fail on drift.
 * `exoarmur topics grant` — apply the role ACLs of a config's deployment on a secure broker.
 * Both log in as the config and environment say (broker_auth, EXOARMUR_BROKER_AUTH__*, EXOARMUR_TLS_CA_FILE),
 * so on a secure broker they run as its admin.
 */
import type { Argv, CommandModule } from 'yargs';
import { kafkaForConfig } from '../../processor/io/client.js';
import { DEFAULT_PARTITIONS, ensureTopics, topicSpecs } from '../../processor/io/topics.js';
import { aclScopeOfConfig } from '../../processor/io/acls.js';
import { BROKERS_OPTION_DESCRIBE, loadEffectiveConfig } from '../../processor/config/index.js';
import { grantRolesAs } from '../lib/secure-clients.js';

interface EnsureArgs {
  partitions: number;
  prefix: string;
  brokers?: string;
  config?: string;
}

const ensureCommand: CommandModule<object, EnsureArgs> = {
  command: 'ensure',
  describe: 'create every missing ExoArmur topic; no-op when all exist as specified; fail naming any drift',
  builder: (yargs: Argv) =>
    yargs
      .option('partitions', { type: 'number', default: DEFAULT_PARTITIONS, describe: 'shared partition count of the co-partitioned topics' })
      .option('prefix', { type: 'string', default: '', describe: 'prepended to every default topic name' })
      .option('brokers', { type: 'string', describe: BROKERS_OPTION_DESCRIBE })
      .option('config', { type: 'string', describe: 'a config file: "brokers" is the broker rule\'s last source, broker_auth the login' }) as Argv<EnsureArgs>,
  handler: async (argv) => {
    const effective = loadEffectiveConfig({ file: argv.config, env: process.env, brokers: argv.brokers });
    const admin = kafkaForConfig(effective, { clientId: 'exoarmur-topics' }).admin();
    await admin.connect();
    try {
      const report = await ensureTopics(admin, topicSpecs({ partitions: argv.partitions, prefix: argv.prefix }));
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } finally {
      await admin.disconnect();
    }
  },
};

interface GrantArgs {
  config: string;
  group?: string;
  brokers?: string;
}

const grantCommand: CommandModule<object, GrantArgs> = {
  command: 'grant',
  describe:
    "apply the role ACLs of the config's deployment (sensor, operator, processor, actuator, reviewer over its topics, group and transactional ids; processor/io/acls.ts) and wait until the broker serves them; run as the broker's admin",
  builder: (yargs: Argv) =>
    yargs
      .option('config', { type: 'string', demandOption: true, describe: "the processor's config file: its topics, app_id, partitions and checkpoints.topic scope the grants" })
      .option('group', { type: 'string', describe: "the processor's consumer group, when `process --group` sets one (default: the app id)" })
      .option('brokers', { type: 'string', describe: BROKERS_OPTION_DESCRIBE }) as Argv<GrantArgs>,
  handler: async (argv) => {
    const effective = loadEffectiveConfig({ file: argv.config, env: process.env, brokers: argv.brokers });
    const scope = aclScopeOfConfig(effective.config, argv.group);
    const applied = await grantRolesAs(kafkaForConfig(effective, { clientId: 'exoarmur-topics-grant' }), scope);
    process.stdout.write(`${JSON.stringify({ grants_applied: applied, app_id: scope.appId, group: scope.groupId, partitions: scope.partitions })}\n`);
  },
};

export const topicsCommand: CommandModule = {
  command: 'topics',
  describe: "manage ExoArmur's topics (ensure) and their role ACLs on a secure broker (grant)",
  builder: (yargs) =>
    yargs
      .command(ensureCommand as CommandModule)
      .command(grantCommand as CommandModule)
      .demandCommand(1, 'Name an action: ensure or grant.'),
  handler: () => undefined,
};
