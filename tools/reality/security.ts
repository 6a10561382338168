/**
 * A secure run's security.json: how the broker authenticated and authorised (listener, mechanism,
 * the certificate's SHA-256, the authorizer, every grant applied) and that no secret is in the
 * bundle (the config snapshot holds only the sha256: of the processor's password).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256OfBytes } from '../bundle/files.js';
import { roleGrants, type AclScope } from '../../processor/io/acls.js';
import { grantRoles, type SecureBroker } from '../lib/secure-clients.js';
import type { Topics } from '../../processor/config/index.js';
import { appIdForRun, groupForRun } from './naming.js';

export const SECURITY_FILE = 'security.json';

/** The ACL scope of a run (reality or soak): its topics, its signed-checkpoint topic, its processor's app id and group, the readers' group prefix. */
export function runAclScope(runId: string, kafka: { topics: Topics; checkpointTopic: string }): AclScope {
  return { topics: kafka.topics, appId: appIdForRun(runId), groupId: groupForRun(runId), readerGroupPrefix: 'exoarmur.read.', checkpointTopic: kafka.checkpointTopic };
}

export async function writeSecurityFile(bundleDir: string, broker: SecureBroker, scope: AclScope): Promise<void> {
  const applied = await grantRoles(broker, scope);
  const security = {
    mode: 'secure',
    listener: 'SASL_SSL',
    sasl_mechanism: 'SCRAM-SHA-512',
    tls_certificate_sha256: sha256OfBytes(readFileSync(broker.caFile)),
    authorizer: 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    allow_everyone_if_no_acl_found: false,
    processor_principal: 'User:processor',
    actuator_principal: 'User:actuator',
    harness_principal: 'User:admin',
    grants_applied: applied,
    grants: roleGrants(scope),
    secrets: 'none in this bundle: config_snapshot.json holds broker_auth.password as sha256:<hex> only',
  };
  writeFileSync(join(bundleDir, SECURITY_FILE), `${JSON.stringify(security, null, 2)}\n`);
}
