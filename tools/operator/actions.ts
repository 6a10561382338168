/**
 * What `exoarmur operator approve|deny|kill-switch|keep-contained` do, without yargs: look the approval (or containment) up on the
 * broker, check what the operator's side can check (so a doomed action fails here with its fix
 * rather than as a rejection in the audit trail), sign, and publish. The processor still checks
 * everything again: this side is a convenience, the core is the authority.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Kafka } from '../../processor/io/client.js';
import { topicWatermarks } from '../../processor/io/offsets.js';
import { createPlainProducer } from '../../processor/io/produce.js';
import type { EffectiveConfig } from '../../processor/config/types.js';
import type { OperatorActionV1 } from '../../processor/core/types.js';
import { UsageError } from '../../processor/errors.js';
import { normalizeRfc3339 } from '../../processor/core/time.js';
import { readApprovals, readOperatorState } from './approvals.js';
import { publishAction, type PublishedAction, type PublishTarget } from './publish.js';
import { buildAction } from './sign.js';
import { signAction } from '../../processor/operator-signing.js';

/** The tenant_id a global kill switch carries (the schema needs one; it scopes nothing). */
export const GLOBAL_KILL_SWITCH_TENANT = 'global';

export interface Signer {
  actor_id: string;
  private_key_pem: string;
}

export function readSigner(actorId: string, keyFile: string): Signer {
  let pem: string;
  try {
    pem = readFileSync(keyFile, 'utf8');
  } catch (err) {
    throw new UsageError(
      'OPERATOR_KEY_UNREADABLE',
      `cannot read key file ${keyFile}: ${(err as Error).message}; pass --key with the .key file written by \`exoarmur operator keygen --actor ${actorId}\``,
      { cause: err },
    );
  }
  return { actor_id: actorId, private_key_pem: pem };
}

/**
 * When the config given to the CLI has an operator registry, the actor must be in it with the
 * public half of this key: otherwise the processor would reject the action as unknown_actor or
 * bad_signature. An empty registry means the CLI was given no config truth to check against.
 */
export function checkSignerRegistered(signer: Signer, effective: EffectiveConfig): void {
  const operators = effective.config.operators;
  if (Object.keys(operators).length === 0) return;
  const entry = Object.prototype.hasOwnProperty.call(operators, signer.actor_id) ? operators[signer.actor_id] : undefined;
  if (entry === undefined) {
    throw new UsageError(
      'ACTOR_NOT_REGISTERED',
      `actor "${signer.actor_id}" is not in the config's operators registry: add the entry printed by \`exoarmur operator keygen --actor ${signer.actor_id}\` and restart the processor`,
    );
  }
  let publicDer: string;
  try {
    publicDer = createPublicKey(createPrivateKey(signer.private_key_pem)).export({ type: 'spki', format: 'der' }).toString('base64');
  } catch (err) {
    throw new UsageError('OPERATOR_KEY_INVALID', `the key file is not a PEM private key: ${(err as Error).message}; pass the .key file written by \`exoarmur operator keygen\``, {
      cause: err,
    });
  }
  if (publicDer !== entry.public_key) {
    throw new UsageError(
      'OPERATOR_KEY_MISMATCH',
      `the key file is not the key registered for "${signer.actor_id}": pass that actor's own .key file, or register this key's public half`,
    );
  }
}

async function publishSigned(kafka: Kafka, effective: EffectiveConfig, action: OperatorActionV1, target: PublishTarget): Promise<PublishedAction> {
  // One request in flight keeps order; a retry that lands twice is harmless: the core dedups on tenant_id:action_id.
  const producer = createPlainProducer(kafka);
  await producer.connect();
  try {
    return await publishAction(producer, effective.config.topics, action, target);
  } finally {
    await producer.disconnect();
  }
}

export interface DecisionRequest {
  action: 'approve' | 'deny';
  approval_id: string;
  signer: Signer;
  reason: string | null;
  /** The operator's clock; tests pass it, the CLI does not. */
  now?: Date;
}

export interface PublishedDecision {
  action: OperatorActionV1;
  published: PublishedAction;
}

export async function decideApproval(kafka: Kafka, effective: EffectiveConfig, request: DecisionRequest): Promise<PublishedDecision> {
  const reason = request.reason === null ? '' : request.reason.trim();
  if (request.action === 'deny' && reason === '') {
    throw new UsageError('REASON_REQUIRED', 'deny needs a reason: pass --reason TEXT saying why the intent must not run');
  }
  checkSignerRegistered(request.signer, effective);
  const stateTopic = effective.config.topics.state;
  const approval = (await readApprovals(kafka, stateTopic)).get(request.approval_id);
  if (approval === undefined) {
    throw new UsageError(
      'APPROVAL_NOT_FOUND',
      `no approval ${request.approval_id} on state topic ${stateTopic}: list open ones with \`exoarmur operator pending\` (with the processor's --config)`,
    );
  }
  if (approval.status !== 'pending') {
    throw new UsageError(
      'APPROVAL_NOT_PENDING',
      `approval ${approval.approval_id} is already ${approval.status}: nothing is left to decide; \`exoarmur operator pending\` lists open ones`,
    );
  }
  if (request.action === 'approve' && approval.votes.some((v) => v.actor_id === request.signer.actor_id)) {
    throw new UsageError('ALREADY_VOTED', `actor "${request.signer.actor_id}" has already approved ${approval.approval_id}: a quorum needs another, distinct operator to approve`);
  }
  const now = request.now ?? new Date();
  if (now.getTime() > Date.parse(approval.expires_at)) {
    throw new UsageError(
      'APPROVAL_EXPIRED',
      `approval ${approval.approval_id} expired at ${approval.expires_at} (event time) and it is now ${now.toISOString()}: it can no longer be decided`,
    );
  }
  const action = signAction(
    buildAction({
      action: request.action,
      tenant_id: approval.intent.tenant_id,
      correlation_id: approval.intent.correlation_id,
      approval_id: approval.approval_id,
      intent_hash: approval.intent_hash,
      actor_id: request.signer.actor_id,
      reason: reason === '' ? null : reason,
      decided_at: now.toISOString(),
    }),
    request.signer.private_key_pem,
  );
  return { action, published: await publishSigned(kafka, effective, action, { partition: approval.partition }) };
}

export interface KillSwitchRequest {
  on: boolean;
  /** Undefined: the global switch. */
  tenant?: string;
  signer: Signer;
  reason: string;
}

export async function setKillSwitch(kafka: Kafka, effective: EffectiveConfig, request: KillSwitchRequest): Promise<PublishedDecision> {
  if (request.reason.trim() === '') {
    throw new UsageError('REASON_REQUIRED', 'a kill switch needs a reason: pass --reason TEXT (it is recorded with the switch)');
  }
  if (request.tenant !== undefined && (request.tenant === '' || request.tenant.includes(':'))) {
    throw new UsageError('TENANT_INVALID', `tenant "${request.tenant}" must be non-empty and contain no ":"; pass the tenant_id as it appears in telemetry`);
  }
  checkSignerRegistered(request.signer, effective);
  const topic = effective.config.topics.operator_actions;
  let partitionCount: number;
  try {
    partitionCount = (await topicWatermarks(kafka, topic)).size;
  } catch (err) {
    throw new UsageError(
      'OPERATOR_TOPIC_MISSING',
      `cannot read partitions of ${topic}: ${(err as Error).message}; start the processor once (it creates its topics) or check --config`,
      { cause: err },
    );
  }
  const unsigned = buildAction({
    action: request.on ? 'kill_switch_on' : 'kill_switch_off',
    tenant_id: request.tenant ?? GLOBAL_KILL_SWITCH_TENANT,
    correlation_id: 'kill-switch',
    scope: request.tenant === undefined ? 'global' : 'tenant',
    actor_id: request.signer.actor_id,
    reason: request.reason.trim(),
  });
  const action = signAction(unsigned, request.signer.private_key_pem);
  return { action, published: await publishSigned(kafka, effective, action, { allPartitions: partitionCount }) };
}

export interface KeepRequest {
  intent_id: string;
  /** The new end (RFC 3339); null: keep with no end until a later action. */
  keep_until: string | null;
  signer: Signer;
  reason: string;
  /** The operator's clock; tests pass it, the CLI does not. */
  now?: Date;
}

/**
 * keep_contained: finds the containment on the state topic (its partition, tenant and correlation),
 * checks what the processor would refuse (reverted, an end not after the partition's stream time or
 * not after the end in force), signs and publishes it to that partition.
 */
export async function sendKeepContained(kafka: Kafka, effective: EffectiveConfig, request: KeepRequest): Promise<PublishedDecision> {
  const reason = request.reason.trim();
  if (reason === '') throw new UsageError('REASON_REQUIRED', 'keep-contained needs a reason: pass --reason TEXT (it is recorded with the containment)');
  const keepUntil = request.keep_until === null ? null : normalizeRfc3339(request.keep_until);
  if (request.keep_until !== null && keepUntil === null) {
    throw new UsageError(
      'KEEP_UNTIL_INVALID',
      `--until ${JSON.stringify(request.keep_until)} is not an RFC 3339 time; give e.g. 2026-12-06T18:00:00Z, or leave --until out to keep with no end`,
    );
  }
  checkSignerRegistered(request.signer, effective);
  const state = await readOperatorState(kafka, effective.config.topics.state);
  const found = state.containments.get(request.intent_id);
  if (found === undefined) {
    throw new UsageError(
      'CONTAINMENT_NOT_FOUND',
      `no released containment with a self-revert ${request.intent_id} on state topic ${effective.config.topics.state}: \`exoarmur operator contained\` lists them (with the processor's --config)`,
    );
  }
  if (found.status === 'reverted')
    throw new UsageError('CONTAINMENT_REVERTED', `containment ${request.intent_id} was already reverted at ${found.ends_at ?? 'its end'}: nothing is left to keep`);
  const streamTime = state.streamTimes.get(found.partition) ?? null;
  if (keepUntil !== null && streamTime !== null && Date.parse(keepUntil) <= Date.parse(streamTime)) {
    throw new UsageError('KEEP_UNTIL_TOO_EARLY', `--until ${keepUntil} is not after partition ${found.partition}'s stream time ${streamTime}`);
  }
  if (keepUntil !== null && found.ends_at !== null && Date.parse(keepUntil) <= Date.parse(found.ends_at)) {
    throw new UsageError(
      'KEEP_UNTIL_TOO_EARLY',
      `--until ${keepUntil} is not after containment ${request.intent_id}'s end ${found.ends_at}: keeping never brings a revert forward`,
    );
  }
  const action = signAction(
    buildAction({
      action: 'keep_contained',
      tenant_id: found.intent.tenant_id,
      correlation_id: found.intent.correlation_id,
      intent_id: request.intent_id,
      keep_until: keepUntil,
      actor_id: request.signer.actor_id,
      reason,
      decided_at: (request.now ?? new Date()).toISOString(),
    }),
    request.signer.private_key_pem,
  );
  return { action, published: await publishSigned(kafka, effective, action, { partition: found.partition }) };
}
