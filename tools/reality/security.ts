/**
 * A secure run's security.json: how the broker authenticated and authorised (listener, mechanism,
 * the certificate's SHA-256, the authorizer, every grant applied) and that no secret is in the
 * bundle (the config snapshot holds only the sha256: of the processor's password).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ExoArmurError } from '../../processor/errors.js';
import { sha256OfBytes } from '../bundle/files.js';
import { READER_GROUP_PREFIX, roleGrants, type AclScope } from '../../processor/io/acls.js';
import { grantRoles, readCredentials, type SecureBroker } from '../lib/secure-clients.js';
import type { Topics } from '../../processor/config/index.js';
import { appIdForRun, groupForRun } from './naming.js';

export const SECURITY_FILE = 'security.json';

/** The ACL scope of a run (reality or soak): its topics and their partition count, its signed-checkpoint topic, its processor's app id and group, the readers' group prefix. */
export function runAclScope(runId: string, kafka: { topics: Topics; checkpointTopic: string }, partitions: number): AclScope {
  return {
    topics: kafka.topics,
    partitions,
    appId: appIdForRun(runId),
    groupId: groupForRun(runId),
    readerGroupPrefix: READER_GROUP_PREFIX,
    checkpointTopic: kafka.checkpointTopic,
  };
}

/** How a broker authenticated and authorised its clients: the facts security.json records for the embedded broker and, under `compose`, for the compose broker. */
export function brokerSecurityFacts(caFile: string): Record<string, unknown> {
  return {
    listener: 'SASL_SSL',
    sasl_mechanism: 'SCRAM-SHA-512',
    tls_certificate_sha256: sha256OfBytes(readFileSync(caFile)),
    authorizer: 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    allow_everyone_if_no_acl_found: false,
  };
}

export async function writeSecurityFile(bundleDir: string, broker: SecureBroker, scope: AclScope): Promise<void> {
  const applied = await grantRoles(broker, scope);
  const security = {
    mode: 'secure',
    ...brokerSecurityFacts(broker.caFile),
    processor_principal: 'User:processor',
    actuator_principal: 'User:actuator',
    harness_principal: 'User:admin',
    grants_applied: applied,
    grants: roleGrants(scope),
    // Replaced by the outcome of the compose phase when it runs (addComposeSecurity).
    compose: 'not run',
    // Replaced by the outcome of checkBundleSecrets once every other file is written.
    secrets: 'not yet checked',
  };
  writeFileSync(join(bundleDir, SECURITY_FILE), `${JSON.stringify(security, null, 2)}\n`);
}

/** security.json's `compose`: how the compose run's broker ran (the secure profile), once its phase is over. */
export function addComposeSecurity(bundleDir: string, compose: Record<string, unknown>): void {
  const file = join(bundleDir, SECURITY_FILE);
  const security = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  security['compose'] = compose;
  writeFileSync(file, `${JSON.stringify(security, null, 2)}\n`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

/**
 * Searches every file of the bundle for every password of the run's credentials (each role's and
 * the key stores', of every broker the run ran secure: the embedded one, and the compose one when its
 * phase ran the secure profile); throws SECRET_IN_BUNDLE naming the files (never the secret) when one
 * is found, else records in security.json what was searched. Run before the manifest is written.
 */
export function checkBundleSecrets(bundleDir: string, brokers: ReadonlyArray<Pick<SecureBroker, 'credentialsFile'>>): void {
  const secrets = brokers.flatMap((broker) => {
    const credentials = readCredentials(broker);
    return [...Object.values(credentials.users), credentials.store_password].map((secret) => Buffer.from(secret, 'utf8'));
  });
  const files = filesUnder(bundleDir);
  const holding = files.filter((file) => {
    const bytes = readFileSync(file);
    return secrets.some((secret) => bytes.includes(secret));
  });
  if (holding.length > 0) {
    throw new ExoArmurError('SECRET_IN_BUNDLE', `a password of the run's credentials is in the bundle: ${holding.map((f) => relative(bundleDir, f)).join(', ')}`);
  }
  const file = join(bundleDir, SECURITY_FILE);
  const security = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const of = brokers.length === 1 ? 'the run' : `the run's ${brokers.length} secure brokers`;
  security['secrets'] =
    `none in this bundle: its ${files.length} files were searched for each of the ${secrets.length} passwords of ${of} (every role's and the key stores'); config_snapshot.json holds broker_auth.password as sha256:<hex> only`;
  writeFileSync(file, `${JSON.stringify(security, null, 2)}\n`);
}
