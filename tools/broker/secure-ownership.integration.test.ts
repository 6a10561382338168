/**
 * On the secure embedded broker (started here, stopped by its data dir's pid): the processor's
 * transactional ids and consumer group are the processor's alone. Another role opening one of its
 * transactional ids (which would fence the processor), committing offsets into its group or joining
 * it is refused by the broker's authorizer, and the processor's own principal does each of them.
 * The reviewer writes nothing anywhere. Each refusal is asserted twice: what the client was told and
 * the broker's own authorizer decision (request, operation, resource). And a task start needs no
 * more than the processor's role holds, on a partition whose every transaction was aborted.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { resultsTopic, type Topics } from '../../processor/config/index.js';
import { applyAcls, listedGrantCount, roleGrants, type AclScope } from '../../processor/io/acls.js';
import { withAdmin, type Kafka } from '../../processor/io/client.js';
import { readTopic } from '../../processor/io/read.js';
import { checkpointTopicSpec, ensureTopics, topicNames, topicSpecs } from '../../processor/io/topics.js';
import { EMPTY_FRONTIER } from '../../processor/core/merkle.js';
import { restoreTree } from '../../processor/kafka/checkpoint-tree.js';
import type { TopicMessages } from '../../processor/kafka/send-plan.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { TransactionalWriter } from '../../processor/kafka/transactions.js';
import { pollUntil } from '../lib/poll.js';
import { grantRoles, secureKafka, type SecureBroker } from '../lib/secure-clients.js';
import { uniqueName } from '../testing/broker.js';
import { attemptWrite, deniedOn, refusalOf } from '../testing/secure-broker.js';
import { startBroker, stopBroker } from './broker.js';
import type { SecureUser } from './secure.js';

const logger = pino({ level: 'silent' });
const dataDir = mkdtempSync(join(tmpdir(), 'exoarmur-secure-ownership-'));
let started: Promise<{ broker: SecureBroker; logFile: string }> | undefined;
test.after.always(async () => {
  if (started !== undefined) await stopBroker({ dataDir, kill: true });
  rmSync(dataDir, { recursive: true, force: true });
});

/** One secure broker for this file's tests; each test has its own topics, app id and grants. */
function secureBroker(): Promise<{ broker: SecureBroker; logFile: string }> {
  started ??= startBroker({ dataDir, port: 0, secure: true }).then((s) => ({
    broker: { brokers: s.brokers, caFile: s.secure!.caFile, credentialsFile: s.secure!.credentialsFile },
    logFile: s.logFile,
  }));
  return started;
}

interface Deployment {
  broker: SecureBroker;
  logFile: string;
  topics: Topics;
  /** Every topic of the deployment, outputs and actuator topics included. */
  names: string[];
  scope: AclScope & { checkpointTopic: string };
  as: (user: SecureUser) => Kafka;
}

async function deployment(): Promise<Deployment> {
  const { broker, logFile } = await secureBroker();
  const prefix = `${uniqueName('owned')}.`;
  const topics = topicNames({ prefix });
  const appId = uniqueName('owned-app');
  const checkpointTopic = `${prefix}exoarmur.checkpoints.v1`;
  const specs = [...topicSpecs({ prefix, partitions: 3 }), checkpointTopicSpec(checkpointTopic, 3)];
  await withAdmin(secureKafka(broker, 'admin'), (admin) => ensureTopics(admin, specs));
  const scope = { topics, appId, partitions: 3, groupId: appId, readerGroupPrefix: 'exoarmur.read.', checkpointTopic } satisfies AclScope;
  await grantRoles(broker, scope);
  return { broker, logFile, topics, names: specs.map((s) => s.name), scope, as: (user) => secureKafka(broker, user) };
}

function writer(d: Deployment, user: SecureUser, transactionalId: string): TransactionalWriter {
  return new TransactionalWriter({ kafka: d.as(user), transactionalId, guarantee: 'exactly_once', logger, commitOffsets: async () => undefined });
}

const oneRecord = (topic: string, value: string): TopicMessages[] => [{ topic, messages: [{ partition: 0, key: 'tenant-0:c', value: Buffer.from(value) }] }];

/** Every committed record of `topic` as the reviewer reads it (read_committed), whole. */
async function committedRecords(d: Deployment, topic: string): Promise<{ partition: number; offset: string; key: string; value: string }[]> {
  const records: { partition: number; offset: string; key: string; value: string }[] = [];
  await readTopic(d.as('reviewer'), {
    topic,
    onRecord: ({ partition, message }) => records.push({ partition, offset: message.offset, key: String(message.key), value: String(message.value) }),
  });
  return records;
}

/** The group's committed offsets on `topic`, per partition ('-1': none), as the admin sees them. */
async function groupOffsets(d: Deployment, groupId: string, topic: string): Promise<string[]> {
  const fetched = await withAdmin(d.as('admin'), (admin) => admin.fetchOffsets({ groupId, topics: [topic] }));
  return fetched.flatMap((t) => [...t.partitions].sort((a, b) => a.partition - b.partition).map((p) => p.offset));
}

/** Waits for the broker's log to hold the denial of `principal` on `resource`, then returns every distinct one. */
async function brokerDenied(d: Deployment, user: SecureUser, resource: string): Promise<string[]> {
  await pollUntil(() => deniedOn(d.logFile, `User:${user}`, resource).length > 0, { timeoutMs: 10_000, intervalMs: 100, what: `the broker's denial of ${user} on ${resource}` });
  return deniedOn(d.logFile, `User:${user}`, resource);
}

test("no other role can open the processor's transactional id, so none can fence it; the processor opens it and commits", async (t) => {
  const d = await deployment();
  const transactionalId = `${d.scope.appId}.0`;
  const owner = writer(d, 'processor', transactionalId);
  t.teardown(() => owner.close());
  await owner.open();
  const transaction = `TransactionalId:LITERAL:${transactionalId}`;
  // Roles that may write some topic are refused the transaction coordinator lookup (kafkajs reports it as no
  // coordinator found; the broker's log names the denial).
  for (const user of ['sensor', 'operator', 'actuator'] as const) {
    const foreign = writer(d, user, transactionalId);
    t.is(refusalOf(await t.throwsAsync(foreign.open())), 'KafkaJSGroupCoordinatorNotFound', user);
    t.is(foreign.state, 'closed');
    t.deepEqual(await brokerDenied(d, user, transaction), ['DESCRIBE FindCoordinator'], user);
  }
  // The reviewer, who may write nothing, is refused the producer id kafkajs asks for first (InitProducerId
  // without a transactional id: the broker answers CLUSTER_AUTHORIZATION_FAILED and logs no line for it).
  const reviewer = writer(d, 'reviewer', transactionalId);
  t.is(refusalOf(await t.throwsAsync(reviewer.open())), 'CLUSTER_AUTHORIZATION_FAILED');
  t.is(reviewer.state, 'closed');
  t.deepEqual(deniedOn(d.logFile, 'User:reviewer', transaction), []);
  // Nor may the processor take the actuator's transactional id (which would fence the actuator).
  const actuatorId = `${d.scope.appId}.actuator.actuator.0`;
  const taker = writer(d, 'processor', actuatorId);
  t.is(refusalOf(await t.throwsAsync(taker.open())), 'KafkaJSGroupCoordinatorNotFound');
  t.deepEqual(await brokerDenied(d, 'processor', `TransactionalId:LITERAL:${actuatorId}`), ['DESCRIBE FindCoordinator']);
  // Still the owner (not fenced): its batch commits, offsets in its group included.
  await owner.commitBatch(oneRecord(d.topics.audit, 'the processor audit record'), { consumerGroupId: d.scope.groupId, partition: 0, next: { [d.topics.telemetry]: '1' } });
  t.is(owner.state, 'idle');
  t.deepEqual(await committedRecords(d, d.topics.audit), [{ partition: 0, offset: '0', key: 'tenant-0:c', value: 'the processor audit record' }]);
  t.deepEqual(await groupOffsets(d, d.scope.groupId, d.topics.telemetry), ['1', '-1', '-1']);
});

test("no other role can commit offsets into or join the processor's group; the processor and the actuator each use their own", async (t) => {
  const d = await deployment();
  const group = d.scope.groupId;
  const results = resultsTopic(d.topics);
  // The actuator in its own transaction (its own transactional id, a topic it writes, an input it reads): only the group is foreign.
  const actuator = writer(d, 'actuator', `${group}.actuator.actuator.0`);
  t.teardown(() => actuator.close());
  await actuator.open();
  const foreign = await t.throwsAsync(
    actuator.commitBatch(oneRecord(results, 'committed into the processor group'), { consumerGroupId: group, partition: 0, next: { [d.topics.execute]: '1' } }),
  );
  t.is(refusalOf(foreign), 'GROUP_AUTHORIZATION_FAILED');
  t.is(actuator.state, 'idle', 'the refused transaction was aborted');
  t.deepEqual(await brokerDenied(d, 'actuator', `Group:LITERAL:${group}`), ['READ AddOffsetsToTxn']);
  await actuator.commitBatch(oneRecord(results, 'committed into the actuator group'), { consumerGroupId: `${group}.actuator`, partition: 0, next: { [d.topics.execute]: '1' } });
  // The aborted record is never read; only the actuator's own commit is.
  t.deepEqual(await committedRecords(d, results), [{ partition: 0, offset: '2', key: 'tenant-0:c', value: 'committed into the actuator group' }]);
  t.deepEqual(await groupOffsets(d, `${group}.actuator`, d.topics.execute), ['1', '-1', '-1']);
  // Nor may the processor commit into the actuator's group, from its own transaction.
  const processor = writer(d, 'processor', `${group}.1`);
  t.teardown(() => processor.close());
  await processor.open();
  const intoActuator = await t.throwsAsync(
    processor.commitBatch(oneRecord(d.topics.audit, 'committed into the actuator group'), {
      consumerGroupId: `${group}.actuator`,
      partition: 0,
      next: { [d.topics.telemetry]: '1' },
    }),
  );
  t.is(refusalOf(intoActuator), 'GROUP_AUTHORIZATION_FAILED');
  t.deepEqual(await brokerDenied(d, 'processor', `Group:LITERAL:${group}.actuator`), ['READ AddOffsetsToTxn']);
  t.deepEqual(await committedRecords(d, d.topics.audit), []);

  // Plain offset commits (the admin's setOffsets joins the group to commit) by every other role, on an input it may see: refused.
  const inputs: [SecureUser, string][] = [
    ['sensor', d.topics.telemetry],
    ['operator', d.topics.audit],
    ['actuator', d.topics.execute],
    ['reviewer', d.topics.telemetry],
  ];
  for (const [user, topic] of inputs) {
    const error = await t.throwsAsync(withAdmin(d.as(user), (admin) => admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 1, offset: '7' }] })));
    t.is(refusalOf(error), 'KafkaJSGroupCoordinatorNotFound', user);
    t.deepEqual(
      await brokerDenied(d, user, `Group:LITERAL:${group}`),
      user === 'actuator' ? ['DESCRIBE FindCoordinator', 'READ AddOffsetsToTxn'] : ['DESCRIBE FindCoordinator'],
      user,
    );
  }
  for (const topic of [d.topics.telemetry, d.topics.audit, d.topics.execute]) t.deepEqual(await groupOffsets(d, group, topic), ['-1', '-1', '-1'], topic);
  await withAdmin(d.as('processor'), (admin) => admin.setOffsets({ groupId: group, topic: d.topics.telemetry, partitions: [{ partition: 1, offset: '7' }] }));
  t.deepEqual(await groupOffsets(d, group, d.topics.telemetry), ['-1', '7', '-1']);

  // Joining: the operator may read the audit trail, but not as a member of the processor's group.
  const intruder = d.as('operator').consumer({ groupId: group, retry: { retries: 0 } });
  const crashed = new Promise<{ error: Error; restart: boolean }>((resolve) => intruder.on(intruder.events.CRASH, (event) => resolve(event.payload)));
  await intruder.connect();
  t.teardown(() => intruder.disconnect());
  await intruder.subscribe({ topics: [d.topics.audit], fromBeginning: true });
  void intruder.run({ eachMessage: async () => undefined });
  const crash = await crashed;
  t.deepEqual({ refusal: refusalOf(crash.error), restart: crash.restart }, { refusal: 'KafkaJSGroupCoordinatorNotFound', restart: false });

  // The processor joins its group and is handed the sensor's telemetry.
  t.is(await attemptWrite(d.as('sensor'), d.topics.telemetry), 'written');
  const member = d.as('processor').consumer({ groupId: group, retry: { retries: 0 } });
  const received: { topic: string; key: string; value: string }[] = [];
  await member.connect();
  t.teardown(() => member.disconnect());
  await member.subscribe({ topics: [d.topics.telemetry], fromBeginning: true });
  await member.run({ autoCommit: false, eachMessage: async ({ topic, message }) => void received.push({ topic, key: String(message.key), value: String(message.value) }) });
  await pollUntil(() => received.length > 0, { timeoutMs: 60_000, intervalMs: 100, what: 'the processor member receiving the telemetry' });
  t.deepEqual(received, [{ topic: d.topics.telemetry, key: 'k', value: 'v' }]);
});

test('the reviewer writes nothing: no record, topic, config, ACL or idempotent producer', async (t) => {
  const d = await deployment();
  const reviewer = d.as('reviewer');
  for (const topic of d.names) {
    t.is(await attemptWrite(reviewer, topic), 'TOPIC_AUTHORIZATION_FAILED', topic);
    t.deepEqual(await brokerDenied(d, 'reviewer', `Topic:LITERAL:${topic}`), ['WRITE Produce'], topic);
  }
  const producer = reviewer.producer({ idempotent: true, maxInFlightRequests: 1 });
  t.teardown(() => producer.disconnect());
  // kafkajs asks for the idempotent producer id on connect.
  t.is(refusalOf(await t.throwsAsync(producer.connect())), 'CLUSTER_AUTHORIZATION_FAILED');
  const made = `${d.topics.audit}.by-reviewer`;
  t.is(refusalOf(await t.throwsAsync(withAdmin(reviewer, (admin) => admin.createTopics({ topics: [{ topic: made, numPartitions: 1 }] })))), 'TOPIC_AUTHORIZATION_FAILED');
  t.deepEqual(await brokerDenied(d, 'reviewer', `Topic:LITERAL:${made}`), ['CREATE CreateTopics']);
  t.is(refusalOf(await t.throwsAsync(withAdmin(reviewer, (admin) => admin.deleteTopics({ topics: [d.topics.audit] })))), 'TOPIC_AUTHORIZATION_FAILED');
  const retention = { type: 2 /* TOPIC */, name: d.topics.audit, configEntries: [{ name: 'retention.ms', value: '1000' }] };
  t.is(refusalOf(await t.throwsAsync(withAdmin(reviewer, (admin) => admin.alterConfigs({ validateOnly: false, resources: [retention] })))), 'TOPIC_AUTHORIZATION_FAILED');
  const selfGrant = roleGrants(d.scope).map((g) => ({ ...g, principal: 'User:reviewer' }));
  t.is(refusalOf(await t.throwsAsync(withAdmin(reviewer, (admin) => applyAcls(admin, selfGrant)))), 'CLUSTER_AUTHORIZATION_FAILED');
  // The cluster's ACL denials are logged too, but the cluster is every test's: the answer above is the proof.
  t.deepEqual(await brokerDenied(d, 'reviewer', `Topic:LITERAL:${d.topics.audit}`), ['ALTER_CONFIGS AlterConfigs', 'DELETE DeleteTopics', 'WRITE Produce']);
  // Nothing changed: every topic still there and empty, no topic made, the audit retention and the grants as they were.
  const after = await withAdmin(d.as('admin'), async (admin) => ({
    topics: (await admin.listTopics()).filter((name) => d.names.includes(name) || name === made).sort(),
    ends: await Promise.all(d.names.map(async (topic) => (await admin.fetchTopicOffsets(topic)).map((p) => p.high).join(','))),
    retention: (await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: d.topics.audit, configNames: ['retention.ms'] }] })).resources[0]
      ?.configEntries[0]?.configValue,
    grants: await listedGrantCount(admin, new Set(roleGrants(d.scope).map((g) => g.name))),
  }));
  t.deepEqual(after, {
    topics: [...d.names].sort(),
    ends: d.names.map(() => '0,0,0').map((ends, i) => (d.names[i] === d.topics.config ? '0' : ends)),
    retention: '-1',
    grants: roleGrants(d.scope).length,
  });
});

test('a task restarting on a partition whose every transaction was aborted restores its Merkle tree as the processor, without reading the audit topic its role may not read', async (t) => {
  const d = await deployment();
  const partition = 0;
  const auditTopic = d.topics.audit;
  const checkpointTopic = d.scope.checkpointTopic;
  // The first task of the partition: its leftover abort writes (and aborts) a record on the audit and checkpoint partitions;
  // it is then gone before its first commit, as a processor killed mid-burst is.
  const first = writer(d, 'processor', `${d.scope.appId}.${partition}`);
  t.teardown(() => first.close());
  await first.open();
  const offsets = { consumerGroupId: d.scope.groupId, partition, next: { [d.topics.telemetry]: '0' } };
  t.deepEqual(
    await first.abortLeftovers(
      [auditTopic, checkpointTopic].map((topic) => ({ topic, partition })),
      offsets,
    ),
    [],
  );
  await first.close();
  // The abort's markers are written after its answer: the partitions' last stable offsets move past them soon after.
  const ends = () =>
    withAdmin(d.as('admin'), async (admin) =>
      Promise.all([auditTopic, checkpointTopic].map(async (topic) => (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition)?.high)),
    );
  await pollUntil(async () => (await ends()).every((end) => end === '2'), { timeoutMs: 30_000, intervalMs: 100, what: 'the leftover abort markers' });
  t.deepEqual(await ends(), ['2', '2'], 'each partition holds the aborted record and its marker');

  // The next task: no checkpoint and a chain of no record (its restored store's next_seq) is the empty tree, as the processor.
  const source = { checkpointTopic, auditTopic, partition, groupPrefix: d.scope.appId, primitives: nodePrimitives, logger, heartbeat: async () => undefined };
  t.deepEqual(await restoreTree({ ...source, kafka: d.as('processor'), committedAuditRecords: 0 }), EMPTY_FRONTIER);
  // A chain the audit partition does not hold is refused, not rebuilt short (the admin, who may read the audit topic).
  const short = await t.throwsAsync(restoreTree({ ...source, kafka: d.as('admin'), committedAuditRecords: 2 }));
  t.like(short, {
    code: 'CHECKPOINT_TREE_INCOMPLETE',
    message: `${auditTopic}[0] holds 0 committed audit records, the partition's chain 2: its Merkle tree cannot be rebuilt`,
  });
  // The rule the empty tree rests on: the processor may not read the audit topic (a chain of records would need the grant).
  const denied = await t.throwsAsync(restoreTree({ ...source, kafka: d.as('processor'), committedAuditRecords: 1 }));
  t.is(refusalOf(denied), 'TOPIC_AUTHORIZATION_FAILED');
  t.deepEqual(await brokerDenied(d, 'processor', `Topic:LITERAL:${auditTopic}`), ['READ Fetch']);
});
