import test from 'ava';
import { roleGrants, type AclScope } from './acls.js';
import { topicNames } from './topics.js';

const scope: AclScope = { topics: topicNames({ prefix: 'acl-unit.' }), appId: 'acl-unit-app', groupId: 'acl-unit-app', readerGroupPrefix: 'exoarmur.read.' };
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
