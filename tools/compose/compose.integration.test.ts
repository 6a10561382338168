/**
 * The compose path for real, on one Docker engine shared by this file's tests (started once, stopped once, so no
 * test stops the engine under another): the air-gapped images and broker, then the secure profile
 * (docker-compose.airgap.secure.yml) brought up whole, its broker refusing what each role may not do. Where no
 * engine can run, each test asserts the precise reason instead (compose-files.integration.test.ts validates the
 * files themselves without an engine).
 */
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createKafka, withAdmin } from '../../processor/io/client.js';
import { freePort } from '../broker/ports.js';
import { repoRoot } from '../broker/paths.js';
import { pollUntil } from '../lib/poll.js';
import { runCommand } from './docker.js';
import { deploymentGate } from '../reality/deployment-gate.js';
import { ENABLE_ENGINE, engineEnv, startEngine, stopEngine, type Engine } from './engine.js';
import { ComposeStack } from './stack.js';
import { createTestTopics } from '../testing/broker.js';
import { secureComposeTest } from '../testing/secure-compose.js';

let engine: Engine = { ok: false, reason: 'not started', enable: ENABLE_ENGINE };
test.before(async () => {
  engine = await startEngine();
});
test.after.always(async () => {
  await stopEngine(engine);
});

/** The one-line reasons tools/compose/engine.sh gives where no engine can run, each with what makes it true. */
const NO_ENGINE: Array<[RegExp, () => Promise<boolean>]> = [
  [/^no docker CLI on this machine$/, async () => (await runCommand('docker', ['--version'])).code === 127],
  [/^no Docker engine answers and only root can start one$/, async () => process.getuid?.() !== 0],
  [/^no Docker engine answers and dockerd is not installed$/, async () => (await runCommand('dockerd', ['--version'])).code === 127],
];

async function assertNoEngine(t: ExecutionContext, failed: Extract<Engine, { ok: false }>): Promise<void> {
  const known = NO_ENGINE.find(([reason]) => reason.test(failed.reason));
  t.truthy(known, `engine.sh gave a reason no test knows: ${failed.reason}`);
  t.true(await known![1](), `the reason "${failed.reason}" is not true of this machine`);
  t.is(failed.enable, ENABLE_ENGINE);
}

/**
 * The air-gapped path for real: every image built from Debian packages, Maven Central jars and npm packages (or
 * kept, when an image with the same input hash exists: a second build builds nothing), the Kafka broker brought up
 * by docker-compose on a free loopback port until healthy, serving Kafka requests, its data surviving `docker kill`
 * on the volume. Where no engine can run, gate 4's UNPROVEN line is asserted instead: its precise reason (true of
 * this machine) and the command that enables an engine.
 */
test.serial(
  'air-gapped: the images build (cached by input hash) and docker-compose brings up a healthy broker whose data survives docker kill; without an engine, gate 4 is UNPROVEN saying why',
  async (t) => {
    if (!engine.ok) {
      await assertNoEngine(t, engine);
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
      [join(repoRoot(), 'docker-compose.airgap.yml')],
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
      // Not kafkajs's waitForLeaders: it gives up on the UNKNOWN_TOPIC_OR_PARTITION a KRaft broker answers right after CreateTopics.
      await withAdmin(kafka, (admin) => createTestTopics(admin, [{ topic, numPartitions: 1, replicationFactor: 1 }]));

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
    }
  },
);

test.serial(
  'secure profile: docker-compose brings up the SASL/SCRAM-over-TLS broker with role ACLs; a forbidden write is refused with an authorization error, wrong credentials are refused, the processor container works as User:processor, and no password is in any log or container config',
  async (t) => {
    if (!engine.ok) return assertNoEngine(t, engine);
    await secureComposeTest(t, engine);
  },
);
