/** `exoarmur broker fetch|start|stop|status` — the embedded Kafka broker's life cycle; `secure-dir` — the compose broker's secure profile. */
import type { Argv, CommandModule } from 'yargs';
import { brokerStatus, DEFAULT_PORT, fetchBroker, startBroker, stopBroker } from './broker.js';
import { clusterStatus, restartNode, startCluster, stopCluster, stopNode } from './cluster.js';
import { defaultCacheRoot, defaultDataDir } from './paths.js';
import { UsageError } from '../../processor/errors.js';
import { prepareComposeSecure } from '../compose/secure.js';

interface BrokerArgs {
  'data-dir': string;
  'cache-dir': string;
  cluster: boolean;
  node?: number;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function withCommonOptions<T>(yargs: Argv<T>): Argv<T & BrokerArgs> {
  return yargs
    .option('data-dir', { type: 'string', default: defaultDataDir(), describe: 'broker data directory (persists across restarts)' })
    .option('cache-dir', { type: 'string', default: defaultCacheRoot(), describe: 'where fetched Kafka jars are cached' })
    .option('cluster', {
      type: 'boolean',
      default: false,
      describe: 'a 3-node KRaft cluster in --data-dir (node-1..3, free ports, replication factor 3, min.insync.replicas=2, no unclean election)',
    })
    .option('node', { type: 'number', describe: 'with --cluster: only this node (1-3)' }) as Argv<T & BrokerArgs>;
}

function requireCluster(argv: BrokerArgs): void {
  if (argv.node !== undefined && !argv.cluster) throw new UsageError('CLI_USAGE', '--node names a node of a cluster: add --cluster');
}

const fetchCommand: CommandModule<object, BrokerArgs> = {
  command: 'fetch',
  describe: 'fetch the pinned Apache Kafka jars from Maven Central (no-op when cached)',
  builder: (yargs) => withCommonOptions(yargs),
  handler: async (argv) => {
    print(await fetchBroker({ cacheRoot: argv['cache-dir'], onOutput: (line) => process.stderr.write(`${line}\n`) }));
  },
};

const startCommand: CommandModule<object, BrokerArgs & { port: number; 'controller-port'?: number; 'timeout-s': number; secure: boolean }> = {
  command: 'start',
  describe: 'start the single-node KRaft broker detached and wait until it answers',
  builder: (yargs) =>
    withCommonOptions(yargs)
      .option('port', { type: 'number', default: DEFAULT_PORT, describe: 'Kafka port on 127.0.0.1 (0 picks a free one)' })
      .option('controller-port', { type: 'number', describe: 'KRaft controller port (default: port + 1)' })
      .option('timeout-s', { type: 'number', default: 90, describe: 'how long to wait for the broker to answer' })
      .option('secure', {
        type: 'boolean',
        default: false,
        describe: 'SASL/SCRAM over TLS with role ACLs (StandardAuthorizer); credentials in <data-dir>/credentials.json, CA in <data-dir>/tls/ca.pem',
      }),
  handler: async (argv) => {
    requireCluster(argv);
    if (argv.cluster) {
      if (argv.node !== undefined) print({ node: argv.node, pid: await restartNode(argv['data-dir'], argv.node, argv['timeout-s'] * 1000) });
      else print(await startCluster({ dir: argv['data-dir'], cacheRoot: argv['cache-dir'], readyTimeoutMs: argv['timeout-s'] * 1000, secure: argv.secure }));
      return;
    }
    const started = await startBroker({
      dataDir: argv['data-dir'],
      cacheRoot: argv['cache-dir'],
      port: argv.port,
      readyTimeoutMs: argv['timeout-s'] * 1000,
      secure: argv.secure,
      ...(argv['controller-port'] === undefined ? {} : { controllerPort: argv['controller-port'] }),
    });
    print(started);
  },
};

const stopCommand: CommandModule<object, BrokerArgs & { kill: boolean }> = {
  command: 'stop',
  describe: 'stop the broker gracefully (SIGTERM) or at once (--kill, SIGKILL)',
  builder: (yargs) => withCommonOptions(yargs).option('kill', { type: 'boolean', default: false, describe: 'SIGKILL instead of SIGTERM' }),
  handler: async (argv) => {
    requireCluster(argv);
    if (argv.cluster) print(argv.node === undefined ? await stopCluster(argv['data-dir'], argv.kill) : await stopNode(argv['data-dir'], argv.node, argv.kill));
    else print(await stopBroker({ dataDir: argv['data-dir'], kill: argv.kill }));
  },
};

const statusCommand: CommandModule<object, BrokerArgs> = {
  command: 'status',
  describe: 'show whether the broker runs, its address, pid and RSS (exit 3 when not running)',
  builder: (yargs) => withCommonOptions(yargs),
  handler: async (argv) => {
    if (argv.cluster) {
      const status = clusterStatus(argv['data-dir']);
      print(status ?? { dir: argv['data-dir'], nodes: [] });
      if (status === undefined || status.nodes.some((n) => !n.running)) process.exitCode = 3;
      return;
    }
    const status = await brokerStatus({ dataDir: argv['data-dir'] });
    print(status);
    if (!status.running) process.exitCode = 3;
  },
};

const secureDirCommand: CommandModule<object, { dir: string }> = {
  command: 'secure-dir',
  describe:
    "make (once) the secure compose profile's directory (docker-compose.airgap.secure.yml's EXOARMUR_SECURE_DIR): SCRAM credentials per role, a TLS certificate made with keytool, each container's part owned by its user; as root; prints where the CA and the credentials are, never a password",
  builder: (yargs) =>
    yargs.option('dir', { type: 'string', demandOption: true, describe: 'the directory (kept: a second run reuses its credentials and certificate)' }) as Argv<{ dir: string }>,
  handler: (argv) => {
    const made = prepareComposeSecure(argv.dir);
    print({ dir: made.dir, ca_file: made.caFile, credentials_file: made.credentialsFile });
  },
};

export const brokerCommand: CommandModule = {
  command: 'broker',
  describe: "manage the embedded Apache Kafka broker (fetch|start|stop|status) and the compose broker's secure profile (secure-dir)",
  builder: (yargs) =>
    yargs
      .command(fetchCommand as CommandModule)
      .command(startCommand as CommandModule)
      .command(stopCommand as CommandModule)
      .command(statusCommand as CommandModule)
      .command(secureDirCommand as CommandModule)
      .demandCommand(1, 'Name an action: fetch, start, stop, status or secure-dir.'),
  handler: () => undefined,
};
