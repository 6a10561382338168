/**
 * Both compose files are validated by a real compose implementation (Debian's docker-compose, which runs
 * `config` without a Docker engine); the air-gapped path is then run for real: every image built and a
 * healthy broker (the whole system is brought up by `make reality`, gate 4).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createKafka, withAdmin } from '../../processor/io/client.js';
import { freePort } from '../broker/ports.js';
import { repoRoot } from '../broker/paths.js';
import { pollUntil } from '../lib/poll.js';
import { runCommand } from './docker.js';
import { deploymentGate } from '../reality/deployment-gate.js';
import { ENABLE_ENGINE, engineEnv, startEngine, stopEngine } from './engine.js';
import { ComposeStack } from './stack.js';

const run = promisify(execFile);

async function compose(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('docker-compose', ['-f', file, ...args], { cwd: repoRoot() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as NodeJS.ErrnoException & { code: number | string; stdout: string; stderr: string };
    if (failed.code === 'ENOENT') throw new Error('docker-compose is not installed: run `make deps` (apt-get install docker-compose)');
    return { code: Number(failed.code), stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The block of one service in `docker-compose config`'s normalised YAML. */
function serviceBlock(normalised: string, service: string): string {
  const match = new RegExp(`^  ${service}:\\n((?:    .*\\n|      .*\\n)*)`, 'm').exec(normalised);
  return match?.[1] ?? '';
}

/** Free-looking ports for `config` (nothing is started by it). */
const PROD_PORTS = {
  EXOARMUR_REDPANDA_PORT: '29192',
  EXOARMUR_REDPANDA_RPC_PORT: '29193',
  EXOARMUR_REDPANDA_ADMIN_PORT: '29194',
  EXOARMUR_REDPANDA_SCHEMA_PORT: '29195',
  EXOARMUR_REDPANDA_PROXY_PORT: '29196',
  EXOARMUR_METRICS_PORT: '29197',
};

test('docker-compose.yml is valid and wires redpanda (pinned, rpk health) → topics ensure → processor, all on the host network on loopback ports from the environment', async (t) => {
  const file = join(repoRoot(), 'docker-compose.yml');
  const quiet = await compose(file, ['config', '-q']);
  t.is(quiet.code, 0, quiet.stderr);

  const services = await compose(file, ['config', '--services']);
  t.deepEqual(services.stdout.trim().split('\n').sort(), ['processor', 'redpanda', 'topics']);

  const { stdout: normalised } = await run('docker-compose', ['-f', file, 'config'], { cwd: repoRoot(), env: { ...process.env, ...PROD_PORTS } });
  const redpanda = serviceBlock(normalised, 'redpanda');
  t.regex(redpanda, /image: docker\.redpanda\.com\/redpandadata\/redpanda:v\d+\.\d+\.\d+\n/, 'Redpanda is pinned to an exact version');
  t.regex(redpanda, /rpk cluster health -X admin\.hosts=127\.0\.0\.1:29194/, 'health asked of its own admin port');
  t.regex(redpanda, /- --kafka-addr=127\.0\.0\.1:29192\n/, 'Kafka API on loopback, port from the environment');
  t.regex(redpanda, /- --rpc-addr=127\.0\.0\.1:29193\n/);
  t.regex(redpanda, /- redpanda\.admin\[0\]\.address=127\.0\.0\.1\n\s+- --set\n\s+- redpanda\.admin\[0\]\.port=29194\n/, 'admin API on loopback');
  t.regex(redpanda, /- --schema-registry-addr=127\.0\.0\.1:29195\n/);
  t.regex(redpanda, /- --pandaproxy-addr=127\.0\.0\.1:29196\n/);
  t.regex(redpanda, /- redpanda-data:\/var\/lib\/redpanda\/data/, 'data on a named volume');
  t.notRegex(normalised, /0\.0\.0\.0/, 'nothing listens beyond loopback');
  t.notRegex(normalised, /\n\s+ports:/, 'no published ports: every service is on the host network');

  const topics = serviceBlock(normalised, 'topics');
  t.regex(topics, /- topics\n\s+- ensure/);
  t.regex(topics, /redpanda:\n\s+condition: service_healthy/);
  t.regex(topics, /KAFKA_BROKERS: 127\.0\.0\.1:29192/);

  const processor = serviceBlock(normalised, 'processor');
  t.regex(processor, /- process\n/);
  t.regex(processor, /- --metrics-port\n\s+- '29197'\n\s+- --metrics-host\n\s+- 127\.0\.0\.1\n/);
  t.regex(processor, /topics:\n\s+condition: service_completed_successfully/);
  t.regex(processor, /restart: unless-stopped/);
  t.regex(processor, /KAFKA_BROKERS: 127\.0\.0\.1:29192/);
  for (const service of ['redpanda', 'topics', 'processor']) t.regex(serviceBlock(normalised, service), /network_mode: host/, `${service} on the host network`);
});

test('a broken compose file is rejected by the same validation', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-compose-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const broken = join(dir, 'docker-compose.yml');
  copyFileSync(join(repoRoot(), 'docker-compose.yml'), broken);
  // The processor waits on a service that does not exist.
  writeFileSync(
    broken,
    readFileSync(broken, 'utf8').replace(
      '    depends_on:\n      topics:\n        condition: service_completed_successfully\n    restart: unless-stopped',
      '    depends_on:\n      topicz:\n        condition: service_completed_successfully\n    restart: unless-stopped',
    ),
  );
  const result = await compose(broken, ['config', '-q']);
  t.not(result.code, 0);
  t.regex(result.stderr, /topicz/);
});

test('docker-compose.airgap.yml is valid: Kafka KRaft with healthcheck and volume, topics ensure, processor restarted, host network, no pulls', async (t) => {
  const file = join(repoRoot(), 'docker-compose.airgap.yml');
  const env = { ...process.env, EXOARMUR_KAFKA_PORT: '29092', EXOARMUR_KAFKA_CONTROLLER_PORT: '29093' };
  const { stdout: normalised } = await run('docker-compose', ['-f', file, 'config'], { cwd: repoRoot(), env });
  const kafka = serviceBlock(normalised, 'kafka');
  t.regex(kafka, /image: exoarmur\/kafka:\d+\.\d+\.\d+\n/);
  t.regex(kafka, /healthcheck:/);
  t.regex(kafka, /- kafka-data:\/var\/lib\/kafka/);
  t.regex(kafka, /KAFKA_PORT: '29092'/);
  for (const service of ['kafka', 'topics', 'processor']) {
    t.regex(serviceBlock(normalised, service), /network_mode: host/, `${service} on the host network`);
    t.regex(serviceBlock(normalised, service), /pull_policy: never/, `${service} never pulled`);
  }
  t.regex(serviceBlock(normalised, 'topics'), /- topics\n\s+- ensure/);
  t.regex(serviceBlock(normalised, 'processor'), /restart: unless-stopped/);
  const { EXOARMUR_KAFKA_PORT: _port, ...withoutPort } = env;
  const missing = await runCommand('docker-compose', ['-f', file, 'config', '-q'], { cwd: repoRoot(), env: withoutPort });
  t.not(missing.code, 0, 'a missing port is an error, never a default');
  t.regex(missing.stderr, /EXOARMUR_KAFKA_PORT/);
});

/** The one-line reasons tools/compose/engine.sh gives where no engine can run, each with what makes it true. */
const NO_ENGINE: Array<[RegExp, () => Promise<boolean>]> = [
  [/^no docker CLI on this machine$/, async () => (await runCommand('docker', ['--version'])).code === 127],
  [/^no Docker engine answers and only root can start one$/, async () => process.getuid?.() !== 0],
  [/^no Docker engine answers and dockerd is not installed$/, async () => (await runCommand('dockerd', ['--version'])).code === 127],
];

/**
 * The air-gapped path for real: every image built from Debian packages, Maven Central jars and npm packages (or
 * kept, when an image with the same input hash exists: a second build builds nothing), the Kafka broker brought up
 * by docker-compose on a free loopback port until healthy, serving Kafka requests, its data surviving `docker kill`
 * on the volume. Where no engine can run, gate 4's UNPROVEN line is asserted instead: its precise reason (true of
 * this machine) and the command that enables an engine.
 */
test('air-gapped: the images build (cached by input hash) and docker-compose brings up a healthy broker whose data survives docker kill; without an engine, gate 4 is UNPROVEN saying why', async (t) => {
  const engine = await startEngine();
  if (!engine.ok) {
    const known = NO_ENGINE.find(([reason]) => reason.test(engine.reason));
    t.truthy(known, `engine.sh gave a reason no test knows: ${engine.reason}`);
    t.true(await known![1](), `the reason "${engine.reason}" is not true of this machine`);
    t.is(engine.enable, ENABLE_ENGINE);
    t.deepEqual(deploymentGate({ engine: 'unavailable', reason: engine.reason, enable: engine.enable }), {
      n: 4,
      name: 'DEPLOYMENT',
      status: 'UNPROVEN',
      evidence: `${engine.reason}; docker-compose deployment cannot be exercised here (to enable: ${ENABLE_ENGINE})`,
    });
    return;
  }
  const env = engineEnv(engine);
  const project = `exoarmur-test-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const stack = new ComposeStack(
    join(repoRoot(), 'docker-compose.airgap.yml'),
    project,
    { ...env, EXOARMUR_KAFKA_PORT: String(port), EXOARMUR_KAFKA_CONTROLLER_PORT: String(await freePort()) },
    repoRoot(),
  );
  try {
    const images = join(repoRoot(), 'tools', 'compose', 'images.sh');
    const first = await runCommand(images, [], { env, cwd: repoRoot(), timeoutMs: 1_200_000 });
    t.is(first.code, 0, first.stderr);
    const again = await runCommand(images, [], { env, cwd: repoRoot() });
    const built = again.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { tag: string; id: string; input_hash: string; built: boolean });
    t.deepEqual(
      built.map((i) => [i.tag, i.built]),
      [
        ['exoarmur/rootfs:bookworm-minbase', false],
        ['exoarmur/jre:bookworm', false],
        ['exoarmur/kafka:4.4.0', false],
        ['exoarmur/base:bookworm-node20', false],
        ['exoarmur:local', false],
      ],
      'a second build with the same inputs builds nothing',
    );
    for (const image of built) {
      const label = await runCommand('docker', ['image', 'inspect', '-f', '{{ index .Config.Labels "org.exoarmur.input-hash" }} {{ .Id }}', image.tag], { env });
      t.is(label.stdout.trim(), `${image.input_hash} ${image.id}`);
    }

    await stack.upService('kafka');
    await stack.waitHealthy('kafka');
    const kafka = createKafka({ brokers: [`127.0.0.1:${port}`], clientId: project, silent: true });
    const topic = `exoarmur.${project}.probe`;
    await withAdmin(kafka, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true }));

    await stack.kill('kafka');
    t.is((await stack.state('kafka')).status, 'exited');
    await stack.startService('kafka');
    await stack.waitHealthy('kafka');
    const topics = await pollUntil(async () => withAdmin(kafka, (admin) => admin.listTopics()), {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'the restarted broker to list topics',
    });
    t.true(topics.includes(topic), 'the topic created before docker kill is on the volume after it');
  } finally {
    const down = await stack.down();
    t.is(down.code, 0, down.stderr);
    await stopEngine(engine);
  }
});
