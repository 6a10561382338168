/**
 * The secure compose profile for real (compose.integration.test.ts): the secure directory made as
 * `exoarmur broker secure-dir` makes it, docker-compose.airgap.yml with docker-compose.airgap.secure.yml
 * brought up whole on free loopback ports (broker, topics ensure and topics grant as admin, the processor as
 * processor), then what the broker admits and refuses, the processor container at work under its own grants,
 * and the search for every password in every container's log and configuration. The stack is taken down.
 */
import type { ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aclScopeOfConfig, listedGrantCount, roleGrants } from '../../processor/io/acls.js';
import { withAdmin, type Kafka } from '../../processor/io/client.js';
import { committedShare, groupProgress } from '../../processor/io/offsets.js';
import { createPlainProducer } from '../../processor/io/produce.js';
import { readTopic } from '../../processor/io/read.js';
import { topicNames } from '../../processor/io/topics.js';
import { freePort } from '../broker/ports.js';
import { repoRoot } from '../broker/paths.js';
import type { SecureUser } from '../broker/secure.js';
import { runCommand } from '../compose/docker.js';
import { engineEnv, type Engine } from '../compose/engine.js';
import { prepareComposeSecure } from '../compose/secure.js';
import { ComposeStack } from '../compose/stack.js';
import { pollUntil } from '../lib/poll.js';
import { readCredentials, secureKafka, type SecureBroker } from '../lib/secure-clients.js';
import { syntheticTelemetry } from '../process/synthetic.js';
import { uniqueName } from './broker.js';
import { attemptWrite, deniedOn } from './secure-broker.js';
import { readConfigSnapshots } from '../lib/config-snapshots.js';

const SERVICES = ['kafka', 'topics', 'grants', 'processor'] as const;

export async function secureComposeTest(t: ExecutionContext, engine: Extract<Engine, { ok: true }>): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'exoarmur-secure-compose-'));
  const secure = prepareComposeSecure(join(work, 'secure'));
  const prefix = `${uniqueName('secure-compose')}.`;
  const config = { app_id: uniqueName('secure-compose-app'), partitions: 3, topics: topicNames({ prefix }) };
  // Read by the processor and grants containers' user (node) through the read-only mount at /etc/exoarmur.
  const configDir = join(work, 'config');
  mkdirSync(configDir, { mode: 0o755 });
  chmodSync(configDir, 0o755);
  writeFileSync(join(configDir, 'config.json'), JSON.stringify(config), { mode: 0o644 });
  const port = await freePort();
  const project = uniqueName('exoarmur-test-secure');
  const stack = new ComposeStack(
    [join(repoRoot(), 'docker-compose.airgap.yml'), join(repoRoot(), 'docker-compose.airgap.secure.yml')],
    project,
    engineEnv(engine, {
      EXOARMUR_KAFKA_PORT: String(port),
      EXOARMUR_KAFKA_CONTROLLER_PORT: String(await freePort()),
      EXOARMUR_METRICS_PORT: String(await freePort()),
      EXOARMUR_CONFIG_DIR: configDir,
      EXOARMUR_TOPIC_PREFIX: prefix,
      EXOARMUR_PARTITIONS: String(config.partitions),
      EXOARMUR_SECURE_DIR: secure.dir,
    }),
    repoRoot(),
  );
  try {
    await stack.up();
    const broker: SecureBroker = { brokers: `127.0.0.1:${port}`, caFile: secure.caFile, credentialsFile: secure.credentialsFile };
    const as = (user: SecureUser): Kafka => secureKafka(broker, user, { silent: true });
    const topics = config.topics;

    // `topics grant` in its container applied the config's role grants as admin; the broker serves every one.
    const grants = roleGrants(aclScopeOfConfig(config));
    const grantsLog = await stack.logs('grants');
    t.regex(grantsLog, new RegExp(`"grants_applied":${grants.length},"app_id":"${config.app_id}","group":"${config.app_id}","partitions":3`));
    t.is(await withAdmin(as('admin'), (a) => listedGrantCount(a, new Set(grants.map((g) => g.name)))), grants.length);

    // Forbidden writes: refused by the compose broker with its authorization error, and its authorizer logs the denial.
    t.is(await attemptWrite(as('sensor'), topics.operator_actions), 'TOPIC_AUTHORIZATION_FAILED', 'sensor writing operator actions');
    t.is(await attemptWrite(as('reviewer'), topics.audit), 'TOPIC_AUTHORIZATION_FAILED', 'reviewer writing the audit trail');
    t.is(await attemptWrite(as('processor'), topics.telemetry), 'TOPIC_AUTHORIZATION_FAILED', 'processor writing telemetry');
    const kafkaLog = join(work, 'kafka.log');
    writeFileSync(kafkaLog, await stack.logs('kafka'));
    // The sensor may not even describe the operator topic: its producer is refused at the metadata request, before any record leaves it.
    t.deepEqual(deniedOn(kafkaLog, 'User:sensor', `Topic:LITERAL:${topics.operator_actions}`), ['DESCRIBE Metadata']);

    // Wrong credentials: the broker refuses the login, one line naming the address and the fix.
    const wrong = await withAdmin(secureKafka(broker, 'sensor', { password: 'not-the-sensor-password', silent: true }), (a) => a.listTopics()).then(
      () => 'admitted',
      (error: Error & { code?: string }) => `${error.code}: ${error.message}`,
    );
    t.is(
      wrong,
      `BROKER_AUTH_FAILED: the broker at ${broker.brokers} refused the credentials (SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512): check broker_auth in the config and its password`,
    );

    // The processor container consumes the sensor's telemetry and commits it, under the processor's grants alone.
    const sensor = createPlainProducer(as('sensor'), { idempotent: true });
    await sensor.connect();
    await sensor.send({ topic: topics.telemetry, acks: -1, messages: syntheticTelemetry({ count: 30 }).map((value) => ({ key: 'tenant-0:c', value })) });
    await sensor.disconnect();
    await pollUntil(
      async () => {
        const state = await stack.state('processor');
        if (state.status !== 'running') throw new Error(`the processor container is ${state.status}: ${stack.logTailSync('processor')}`);
        return committedShare(await groupProgress(as('admin'), config.app_id, [topics.telemetry])).committed === 30n;
      },
      { timeoutMs: 180_000, intervalMs: 500, what: 'the processor container committing the 30 telemetry records' },
    );
    // Its outputs, read by the reviewer: audit records, and its config snapshot saying who it logged in as (the password's hash only).
    let audit = 0;
    await readTopic(as('reviewer'), { topic: topics.audit, onRecord: () => void (audit += 1) });
    t.true(audit > 0, 'the processor container wrote audit records');
    const snapshots = await readConfigSnapshots(as('reviewer'), topics.config, 'the config snapshot of the processor container, as the reviewer');
    t.is(snapshots.length, 1);
    const credentials = readCredentials(broker);
    const hash = createHash('sha256').update(credentials.users.processor).digest('hex');
    t.deepEqual((JSON.parse(snapshots[0]!.config) as { broker_auth: unknown }).broker_auth, { mechanism: 'scram-sha-512', username: 'processor', password: `sha256:${hash}` });

    // No password in any container's log or configuration (environment, command line, mounts: `docker inspect`).
    const secrets = [...Object.values(credentials.users), credentials.store_password];
    for (const service of SERVICES) {
      const inspected = await runCommand('docker', ['inspect', await stack.containerId(service)], { env: stack.env });
      const texts = [await stack.logs(service), inspected.stdout];
      t.deepEqual(
        Object.entries(credentials.users)
          .filter(([, secret]) => texts.some((text) => text.includes(secret)))
          .map(([user]) => user),
        [],
        `${service}: no password in its log or docker inspect`,
      );
      t.false(
        texts.some((text) => secrets.some((secret) => text.includes(secret))),
        `${service}: no store password either`,
      );
    }
  } finally {
    const down = await stack.down();
    t.is(down.code, 0, down.stderr);
    rmSync(work, { recursive: true, force: true });
  }
}
