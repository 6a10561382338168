/** `topics ensure` creates DESIGN §1's topics once, is a no-op the second time, and names any drift. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { TopicDriftError } from '../../processor/errors.js';
import { ensureTopics, topicNames, topicSpecs } from '../../processor/io/topics.js';
import { createTestTopics, testBrokers, testKafka, uniqueName } from '../testing/broker.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../cli.js', import.meta.url));

async function exoarmur(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, KAFKA_BROKERS: testBrokers().join(',') } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('`exoarmur topics ensure` creates every topic, then is a no-op, and the broker holds the specs', async (t) => {
  const prefix = `${uniqueName('ensure')}.`;
  const names = Object.values(topicNames({ prefix }));

  const first = await exoarmur(['topics', 'ensure', '--prefix', prefix, '--partitions', '4']);
  t.is(first.code, 0, first.stderr);
  t.deepEqual(JSON.parse(first.stdout), { created: names, unchanged: [] });

  const second = await exoarmur(['topics', 'ensure', '--prefix', prefix, '--partitions', '4']);
  t.is(second.code, 0, second.stderr);
  t.deepEqual(JSON.parse(second.stdout), { created: [], unchanged: names });

  const admin = testKafka().admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const metadata = await admin.fetchTopicMetadata({ topics: names });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: 2, name, configNames: ['cleanup.policy', 'retention.ms', 'max.message.bytes'] })),
  });
  const actual = Object.fromEntries(
    names.map((name) => {
      const entries = configs.resources.find((r) => r.resourceName === name)?.configEntries ?? [];
      const value = (key: string) => entries.find((e) => e.configName === key)?.configValue;
      return [
        name,
        {
          partitions: metadata.topics.find((m) => m.name === name)?.partitions.length,
          cleanup: value('cleanup.policy'),
          retentionInfinite: value('retention.ms') === '-1',
          maxMessageBytes: value('max.message.bytes'),
        },
      ];
    }),
  );
  const expected = Object.fromEntries(
    topicSpecs({ prefix, partitions: 4 }).map((spec) => [
      spec.name,
      { partitions: spec.partitions, cleanup: spec.cleanupPolicy, retentionInfinite: spec.role === 'audit', maxMessageBytes: spec.configs['max.message.bytes'] ?? '1048588' },
    ]),
  );
  t.deepEqual(actual, expected);
  t.is(actual[`${prefix}exoarmur.state.v1`]?.cleanup, 'compact');
  t.is(actual[`${prefix}exoarmur.config.v1`]?.partitions, 1);
});

test('a topic created with another partition count fails ensure, naming topic, property, expected and actual', async (t) => {
  const prefix = `${uniqueName('drift-partitions')}.`;
  const admin = testKafka().admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const audit = topicNames({ prefix }).audit;
  await createTestTopics(admin, [{ topic: audit, numPartitions: 2, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }]);

  const error = await t.throwsAsync(ensureTopics(admin, topicSpecs({ prefix })), { instanceOf: TopicDriftError });
  t.deepEqual(error?.context, { topic: audit, property: 'partitions', expected: '3', actual: '2' });

  const cli = await exoarmur(['topics', 'ensure', '--prefix', prefix]);
  t.is(cli.code, 2);
  t.is(cli.stderr.trim(), `exoarmur: topic ${audit} has partitions=2 but ExoArmur expects partitions=3: delete or recreate the topic, or use another topic prefix [TOPIC_DRIFT]`);
});

test('a state topic created with cleanup.policy=delete fails ensure naming the cleanup policy drift', async (t) => {
  const prefix = `${uniqueName('drift-cleanup')}.`;
  const admin = testKafka().admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const state = topicNames({ prefix }).state;
  await createTestTopics(admin, [{ topic: state, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }]);

  const error = await t.throwsAsync(ensureTopics(admin, topicSpecs({ prefix })), { instanceOf: TopicDriftError });
  t.deepEqual(error?.context, { topic: state, property: 'cleanup.policy', expected: 'compact', actual: 'delete' });
  t.is(error?.code, 'TOPIC_DRIFT');
});

test('an input topic whose max.message.bytes is below 4 MiB fails ensure, naming the command that raises it', async (t) => {
  const prefix = `${uniqueName('drift-size')}.`;
  const admin = testKafka().admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const telemetry = topicNames({ prefix }).telemetry;
  await createTestTopics(admin, [{ topic: telemetry, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }]);

  const error = await t.throwsAsync(ensureTopics(admin, topicSpecs({ prefix })), { instanceOf: TopicDriftError });
  t.deepEqual(error?.context, { topic: telemetry, property: 'max.message.bytes', expected: '>=4194304', actual: '1048588' });
  t.is(
    error?.message,
    `topic ${telemetry} has max.message.bytes=1048588 but ExoArmur expects max.message.bytes=>=4194304: raise it with kafka-configs.sh --alter --entity-type topics --entity-name ${telemetry} --add-config max.message.bytes=4194304`,
  );
});
