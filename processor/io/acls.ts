/**
 * Who may do what on a secure broker (issue 18): the ACLs of each role over one deployment's
 * topics (the config's topic keys), its processor group and its transactional ids. Nothing is
 * allowed that is not listed here (the broker runs with allow.everyone.if.no.acl.found=false).
 * - sensor: writes telemetry only;
 * - operator: writes operator actions, reads the audit trail and the state topic;
 * - processor: reads its inputs (the actuators' results among them), state and signed checkpoints,
 *   writes its outputs, its group and restore groups, its transactional ids `<app_id>.<p>`, each by
 *   name: a grant by the prefix `<app_id>.` would also hand it the actuator's group and transactional
 *   ids (`<app_id>.actuator…`), so it could fence the actuator;
 * - actuator: reads execute intents, writes results, keeps its dedupe state, in its group
 *   `<app_id>.actuator` with transactional ids `<app_id>.actuator.actuator.<p>` (docs/actuator.md);
 * - reviewer: reads every topic, writes none.
 * Readers consume in throwaway groups named `<prefix>.read.<uuid>` (read.ts), granted by prefix.
 */
import kafkajs, { type Admin } from 'kafkajs';
import { actuatorStateTopic, resultsTopic, type Topics } from '../config/index.js';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

export type AclResource = 'topic' | 'group' | 'transactional_id' | 'cluster';
export type AclOperation = 'read' | 'write' | 'describe' | 'describe_configs' | 'create' | 'idempotent_write';

export interface AclGrant {
  principal: string;
  resource: AclResource;
  name: string;
  /** literal: exactly `name`; prefixed: every name that starts with it. */
  pattern: 'literal' | 'prefixed';
  operation: AclOperation;
}

export interface AclScope {
  topics: Topics;
  /** The processor's app id: the prefix of its transactional ids `<app_id>.<p>`, its restore groups and the actuator's group. */
  appId: string;
  /** The input partition count: the processor's transactional ids are `<app_id>.<p>` for p below it. */
  partitions: number;
  /** The processor's consumer group (the app id unless --group says otherwise). */
  groupId: string;
  /** Prefix of the throwaway reader groups (read.ts): `exoarmur.read.` by default. */
  readerGroupPrefix: string;
  /** The signed-checkpoint topic (config `checkpoints.topic`) when a checkpoint key is configured: the processor writes it and restores its tree from it. */
  checkpointTopic?: string;
}

/** Readers' throwaway groups `exoarmur.read.<uuid>` (read.ts's default group prefix). */
export const READER_GROUP_PREFIX = 'exoarmur.read.';

/** The scope of one deployment as its processor config describes it: its topics, app id, partition count and checkpoint topic; its group is the app id unless `--group` says otherwise. */
export function aclScopeOfConfig(config: { app_id: string; partitions: number; topics: Topics; checkpoints?: { topic: string } }, groupId?: string): AclScope {
  return {
    topics: config.topics,
    appId: config.app_id,
    partitions: config.partitions,
    groupId: groupId ?? config.app_id,
    readerGroupPrefix: READER_GROUP_PREFIX,
    ...(config.checkpoints === undefined ? {} : { checkpointTopic: config.checkpoints.topic }),
  };
}

export const ROLE_PRINCIPALS = {
  sensor: 'User:sensor',
  operator: 'User:operator',
  processor: 'User:processor',
  actuator: 'User:actuator',
  reviewer: 'User:reviewer',
} as const;

function topicGrants(principal: string, names: readonly string[], operations: readonly AclOperation[]): AclGrant[] {
  return names.flatMap((name) => operations.map((operation) => ({ principal, resource: 'topic' as const, name, pattern: 'literal' as const, operation })));
}

function readerGroup(principal: string, scope: AclScope): AclGrant {
  return { principal, resource: 'group', name: scope.readerGroupPrefix, pattern: 'prefixed', operation: 'read' };
}

/** One per task: task p writes with the transactional id `<app_id>.<p>` (docs/design.md §7). */
function processorTransactionalIds(scope: AclScope): string[] {
  return Array.from({ length: scope.partitions }, (_, partition) => `${scope.appId}.${partition}`);
}

export function roleGrants(scope: AclScope): AclGrant[] {
  const t = scope.topics;
  const results = resultsTopic(t);
  const actuatorState = actuatorStateTopic(t);
  const checkpoints = scope.checkpointTopic === undefined ? [] : [scope.checkpointTopic];
  const all = [t.telemetry, t.operator_actions, t.config, t.audit, t.execute, t.state, t.dlq, results, actuatorState, ...checkpoints];
  const p = ROLE_PRINCIPALS;
  const actuatorGroup = `${scope.appId}.actuator`;
  return [
    ...topicGrants(p.sensor, [t.telemetry], ['write', 'describe']),
    ...topicGrants(p.operator, [t.operator_actions], ['write', 'describe']),
    ...topicGrants(p.operator, [t.audit, t.state], ['read', 'describe']),
    readerGroup(p.operator, scope),
    ...topicGrants(p.processor, [t.telemetry, t.operator_actions, results], ['read', 'describe', 'describe_configs', 'create']),
    ...topicGrants(p.processor, [t.state, t.config, ...checkpoints], ['read', 'write', 'describe', 'describe_configs', 'create']),
    ...topicGrants(p.processor, [t.audit, t.execute, t.dlq], ['write', 'describe', 'describe_configs', 'create']),
    { principal: p.processor, resource: 'group', name: scope.groupId, pattern: 'literal', operation: 'read' },
    // Restore reads a partition's state in a throwaway group `<app_id>.restore.<p>.read.<uuid>`.
    { principal: p.processor, resource: 'group', name: `${scope.appId}.restore.`, pattern: 'prefixed', operation: 'read' },
    readerGroup(p.processor, scope),
    ...processorTransactionalIds(scope).flatMap((name) =>
      (['write', 'describe'] as const).map((operation) => ({ principal: p.processor, resource: 'transactional_id' as const, name, pattern: 'literal' as const, operation })),
    ),
    { principal: p.processor, resource: 'cluster', name: 'kafka-cluster', pattern: 'literal', operation: 'idempotent_write' },
    ...topicGrants(p.actuator, [t.execute], ['read', 'describe', 'describe_configs']),
    ...topicGrants(p.actuator, [results], ['write', 'describe', 'describe_configs', 'create']),
    ...topicGrants(p.actuator, [actuatorState], ['read', 'write', 'describe', 'describe_configs', 'create']),
    // Its group and the throwaway groups its dedupe restore reads in (`<group>.restore.<p>…`).
    { principal: p.actuator, resource: 'group', name: actuatorGroup, pattern: 'prefixed', operation: 'read' },
    { principal: p.actuator, resource: 'transactional_id', name: `${actuatorGroup}.`, pattern: 'prefixed', operation: 'write' },
    { principal: p.actuator, resource: 'transactional_id', name: `${actuatorGroup}.`, pattern: 'prefixed', operation: 'describe' },
    { principal: p.actuator, resource: 'cluster', name: 'kafka-cluster', pattern: 'literal', operation: 'idempotent_write' },
    readerGroup(p.actuator, scope),
    ...topicGrants(p.reviewer, all, ['read', 'describe']),
    readerGroup(p.reviewer, scope),
  ];
}

const RESOURCE = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  transactional_id: AclResourceTypes.TRANSACTIONAL_ID,
  cluster: AclResourceTypes.CLUSTER,
} as const;

const OPERATION = {
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  describe: AclOperationTypes.DESCRIBE,
  describe_configs: AclOperationTypes.DESCRIBE_CONFIGS,
  create: AclOperationTypes.CREATE,
  idempotent_write: AclOperationTypes.IDEMPOTENT_WRITE,
} as const;

/** Creates the grants (idempotent: the broker keeps one binding per distinct grant). */
export async function applyAcls(admin: Admin, grants: readonly AclGrant[]): Promise<void> {
  await admin.createAcls({
    acl: grants.map((g) => ({
      principal: g.principal,
      host: '*',
      resourceType: RESOURCE[g.resource],
      resourceName: g.name,
      resourcePatternType: g.pattern === 'literal' ? ResourcePatternTypes.LITERAL : ResourcePatternTypes.PREFIXED,
      operation: OPERATION[g.operation],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  });
}

/** How many ACL bindings the broker lists on the given resource names (to wait until new grants are served). */
export async function listedGrantCount(admin: Admin, names: ReadonlySet<string>): Promise<number> {
  const described = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    host: '*',
    permissionType: AclPermissionTypes.ANY,
    operation: AclOperationTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
  });
  return described.resources.filter((r) => names.has(r.resourceName)).reduce((sum, r) => sum + r.acls.length, 0);
}
