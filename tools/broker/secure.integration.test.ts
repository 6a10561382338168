/**
 * The secure embedded broker (SASL/SCRAM over TLS, StandardAuthorizer, role ACLs), started here on
 * its own data dir and stopped by its pid: each role's forbidden write is refused with the
 * broker's authorization error and each forbidden read is denied in the broker's own authorizer
 * log; a processor with a wrong password fails closed with one line; a processor with its own
 * credentials processes the sensor's telemetry; no password is in any log or config snapshot.
 */
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from '../../processor/io/client.js';
import { createPlainProducer } from '../../processor/io/produce.js';
import { attemptWrite, brokerDenials, type Denial } from '../testing/secure-broker.js';
import { readTopic } from '../../processor/io/read.js';
import { ensureTopics, topicNames, topicSpecs } from '../../processor/io/topics.js';
import { withAdmin } from '../../processor/io/client.js';
import { pollUntil } from '../lib/poll.js';
import { grantRoles, processorAuthConfig, readCredentials, secureChildEnv, secureKafka, type SecureBroker } from '../lib/secure-clients.js';
import { CliChild, ProcessorChild } from '../lib/children.js';
import { syntheticTelemetry } from '../process/synthetic.js';
import { uniqueName } from '../testing/broker.js';
import { startBroker, stopBroker } from './broker.js';
import type { SecureUser } from './secure.js';
import { committedShare, groupProgress } from '../../processor/io/offsets.js';
import { writeFileSync } from 'node:fs';
import { readConfigSnapshots } from '../lib/config-snapshots.js';

async function tryRead(kafka: Kafka, topic: string): Promise<string> {
  try {
    const count = await readTopic(kafka, { topic, onRecord: () => undefined, timeoutMs: 20_000 });
    return `read ${count}`;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The broker's own authorizer decisions that denied `principal` on the topic or on any group. */
function denials(logFile: string, principal: string, topic: string): Denial[] {
  return brokerDenials(logFile).filter((d) => d.principal === `User:${principal}` && (d.resource === `Topic:LITERAL:${topic}` || d.resource.startsWith('Group:')));
}

test('each role may do only its job on the secure broker; wrong credentials fail closed; no secret is logged or published', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'exoarmur-secure-broker-'));
  const started = await startBroker({ dataDir, port: 0, secure: true });
  t.teardown(() => stopBroker({ dataDir, kill: true }));
  t.truthy(started.secure);
  const broker: SecureBroker = { brokers: started.brokers, caFile: started.secure!.caFile, credentialsFile: started.secure!.credentialsFile };
  const prefix = `${uniqueName('secure')}.`;
  const topics = topicNames({ prefix });
  const appId = uniqueName('secure-app');
  await withAdmin(secureKafka(broker, 'admin'), (admin) => ensureTopics(admin, topicSpecs({ prefix, partitions: 3 })));
  await grantRoles(broker, { topics, appId, partitions: 3, groupId: appId, readerGroupPrefix: 'exoarmur.read.' });
  const as = (user: SecureUser): Kafka => secureKafka(broker, user);

  // Allowed: each role's own job (the admin puts one record on the outputs, so no read below is vacuous).
  t.is(await attemptWrite(as('admin'), topics.audit), 'written');
  t.is(await attemptWrite(as('admin'), topics.execute), 'written');
  t.is(await attemptWrite(as('sensor'), topics.telemetry), 'written');
  t.is(await attemptWrite(as('operator'), topics.operator_actions), 'written');
  t.is(await tryRead(as('operator'), topics.audit), 'read 1');
  t.is(await tryRead(as('actuator'), topics.execute), 'read 1');
  t.is(await tryRead(as('reviewer'), topics.operator_actions), 'read 1');

  // Forbidden writes: the broker answers with an authorization error.
  const forbiddenWrites: [SecureUser, keyof typeof topics][] = [
    ['sensor', 'operator_actions'],
    ['sensor', 'audit'],
    ['operator', 'telemetry'],
    ['operator', 'audit'],
    ['processor', 'telemetry'],
    ['processor', 'operator_actions'],
    ['actuator', 'execute'],
    ['actuator', 'audit'],
    ['reviewer', 'audit'],
    ['reviewer', 'telemetry'],
  ];
  for (const [user, topic] of forbiddenWrites) t.is(await attemptWrite(as(user), topics[topic]), 'TOPIC_AUTHORIZATION_FAILED', `${user} writing ${topic}`);

  // Forbidden reads: refused, and the broker's authorizer log shows the denial for that principal and topic or group.
  const forbiddenReads: [SecureUser, keyof typeof topics][] = [
    ['sensor', 'telemetry'],
    ['operator', 'telemetry'],
    ['actuator', 'audit'],
    ['operator', 'execute'],
  ];
  for (const [user, topic] of forbiddenReads) {
    t.regex(await tryRead(as(user), topics[topic]), /TOPIC_AUTHORIZATION_FAILED|Group authorization failed|not authorized|coordinator/i, `${user} reading ${topic}`);
    const denied = denials(started.logFile, user, topics[topic]);
    t.true(denied.length > 0, `the broker logged a denial for ${user} reading ${topic}`);
  }

  // A processor with a wrong password: one line, the registered code, exit 2, and it never ran.
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-secure-processor-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ app_id: appId, partitions: 3, topics, ...processorAuthConfig() }));
  const wrongPassword = 'not-the-processor-password';
  const wrong = await new CliChild(
    ['process', '--config', configFile, '--brokers', broker.brokers, '--log-file', join(dir, 'wrong.log')],
    secureChildEnv(broker, 'processor', wrongPassword),
  ).exited;
  t.is(wrong.code, 2);
  t.is(
    wrong.stderr,
    `exoarmur: the broker at ${broker.brokers} refused the credentials (SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512): check broker_auth in the config and its password [BROKER_AUTH_FAILED]\n`,
  );
  t.false(wrong.stderr.includes(wrongPassword));

  // The processor with its own credentials processes the sensor's telemetry under its ACLs alone.
  const events = syntheticTelemetry({ count: 30 });
  const sensor = createPlainProducer(as('sensor'), { idempotent: true });
  await sensor.connect();
  await sensor.send({ topic: topics.telemetry, acks: -1, messages: events.map((value) => ({ key: 'tenant-0:c', value })) });
  await sensor.disconnect();
  const processor = new ProcessorChild({ brokers: broker.brokers, configFile, logFile: join(dir, 'service.log'), env: secureChildEnv(broker, 'processor') });
  t.teardown(async () => {
    if (processor.running) await processor.kill('SIGKILL');
  });
  await pollUntil(
    async () => {
      if (!processor.running) throw new Error(`processor exited: ${processor.output.stderr}`);
      const share = committedShare(await groupProgress(as('admin'), appId, [topics.telemetry]));
      return share.committed === 31n;
    },
    { timeoutMs: 180_000, intervalMs: 500, what: 'the secure processor committing the 31 telemetry records' },
  );
  const first = await processor.kill('SIGTERM');
  t.is(first.code, 0, first.stderr);

  // Restarted, it restores its state (a reader group of its own app id) under the same grants and goes on.
  const sensorAgain = createPlainProducer(as('sensor'), { idempotent: true });
  await sensorAgain.connect();
  await sensorAgain.send({ topic: topics.telemetry, acks: -1, messages: syntheticTelemetry({ count: 10 }).map((value) => ({ key: 'tenant-1:c', value })) });
  await sensorAgain.disconnect();
  const restarted = new ProcessorChild({ brokers: broker.brokers, configFile, logFile: join(dir, 'service.log'), env: secureChildEnv(broker, 'processor') });
  t.teardown(async () => {
    if (restarted.running) await restarted.kill('SIGKILL');
  });
  await pollUntil(
    async () => {
      if (!restarted.running) throw new Error(`processor exited: ${restarted.output.stderr}`);
      const share = committedShare(await groupProgress(as('admin'), appId, [topics.telemetry]));
      return share.committed === 41n;
    },
    { timeoutMs: 180_000, intervalMs: 500, what: 'the restarted secure processor committing 10 more' },
  );
  const stop = await restarted.kill('SIGTERM');
  t.is(stop.code, 0, stop.stderr);

  // The operator's CLI logs in as its config says (broker_auth over TLS) and reads what its role may:
  // the state, where the synthetic telemetry left intents held for a quorum.
  const pending = await new CliChild(['operator', 'pending', '--config', configFile, '--brokers', broker.brokers, '--json'], secureChildEnv(broker, 'operator')).exited;
  t.deepEqual({ code: pending.code, stderr: pending.stderr }, { code: 0, stderr: '' });
  const views = pending.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { rule: string; requirement: string; votes: unknown[] });
  t.true(views.length > 0);
  t.deepEqual(new Set(views.map((v) => `${v.rule} ${v.requirement} ${v.votes.length}`)), new Set(['SG-404 quorum 0']));

  // Secrets: the published config snapshot holds the password's hash only; no log holds any password.
  const snapshots = await readConfigSnapshots(as('reviewer'), topics.config, 'the published config snapshots, as the reviewer');
  // One snapshot per processor start, the same config both times.
  t.is(snapshots.length, 2);
  t.is(snapshots[0]!.config, snapshots[1]!.config);
  const published = JSON.parse(snapshots[0]!.config) as { broker_auth: { mechanism: string; username: string; password: string } };
  t.is(published.broker_auth.username, 'processor');
  t.regex(published.broker_auth.password, /^sha256:[0-9a-f]{64}$/);
  const credentials = readCredentials(broker);
  const secrets = [...Object.values(credentials.users), credentials.store_password];
  const texts = [
    snapshots[0]!.config,
    readFileSync(started.logFile, 'utf8'),
    readFileSync(join(dir, 'service.log'), 'utf8'),
    readFileSync(join(dir, 'wrong.log'), 'utf8'),
    stop.stderr,
    stop.stdout,
  ];
  t.deepEqual(
    secrets.filter((secret) => texts.some((text) => text.includes(secret))),
    [],
  );
});
