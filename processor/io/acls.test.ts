import test from 'ava';
import { aclScopeOfConfig, roleGrants, type AclGrant, type AclScope } from './acls.js';
import { topicNames } from './topics.js';

const scope: AclScope = { topics: topicNames({ prefix: 'acl-unit.' }), appId: 'acl-unit-app', partitions: 3, groupId: 'acl-unit-app', readerGroupPrefix: 'exoarmur.read.' };
const checkpointTopic = 'acl-unit.exoarmur.checkpoints.v1';

test('the signed-checkpoint topic: the processor writes it and restores from it, the reviewer reads it, no other role touches it', (t) => {
  const onCheckpoints = roleGrants({ ...scope, checkpointTopic }).filter((g) => g.name === checkpointTopic);
  const grant = (principal: string, operation: string) => ({ principal, resource: 'topic', name: checkpointTopic, pattern: 'literal', operation });
  t.deepEqual(onCheckpoints, [
    ...['read', 'write', 'describe', 'describe_configs', 'create'].map((op) => grant('User:processor', op)),
    ...['read', 'describe'].map((op) => grant('User:reviewer', op)),
  ]);
});

test('without a checkpoint topic the grants are the same less the checkpoint ones', (t) => {
  const withCheckpoints = roleGrants({ ...scope, checkpointTopic });
  t.deepEqual(
    roleGrants(scope),
    withCheckpoints.filter((g) => g.name !== checkpointTopic),
  );
});

test("the processor's transactional ids and groups are granted one by one, so none of them is the actuator's", (t) => {
  const grants = roleGrants(scope);
  const owned = (principal: string) => grants.filter((g) => g.principal === principal && (g.resource === 'transactional_id' || g.resource === 'group'));
  t.deepEqual(
    owned('User:processor').map((g) => `${g.resource} ${g.pattern} ${g.name} ${g.operation}`),
    [
      'group literal acl-unit-app read',
      'group prefixed acl-unit-app.restore. read',
      'group prefixed exoarmur.read. read',
      ...[0, 1, 2].flatMap((p) => [`transactional_id literal acl-unit-app.${p} write`, `transactional_id literal acl-unit-app.${p} describe`]),
    ],
  );
  const covers = (g: AclGrant, resource: string, name: string) => g.resource === resource && (g.pattern === 'literal' ? g.name === name : name.startsWith(g.name));
  const coveredBy = (principal: string, resource: string, name: string) => owned(principal).filter((g) => covers(g, resource, name)).length;
  const actuatorNames: [string, string][] = [
    ['group', 'acl-unit-app.actuator'],
    ['group', 'acl-unit-app.actuator.restore.0.read.8f1c'],
    ['transactional_id', 'acl-unit-app.actuator.actuator.0'],
  ];
  t.deepEqual(
    actuatorNames.map(([resource, name]) => [coveredBy('User:processor', resource, name), coveredBy('User:actuator', resource, name) > 0]),
    actuatorNames.map(() => [0, true]),
  );
  t.is(coveredBy('User:actuator', 'transactional_id', 'acl-unit-app.0'), 0);
  t.is(coveredBy('User:processor', 'transactional_id', 'acl-unit-app.3'), 0);
});

test("a config's scope: its topics, app id, partitions and checkpoint topic; its group the app id unless one is given", (t) => {
  const config = { app_id: 'acl-unit-app', partitions: 3, topics: scope.topics };
  t.deepEqual(aclScopeOfConfig(config), scope);
  t.deepEqual(aclScopeOfConfig({ ...config, checkpoints: { topic: checkpointTopic } }, 'acl-unit-group'), { ...scope, groupId: 'acl-unit-group', checkpointTopic });
});
