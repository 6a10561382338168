/**
 * A secure run's compose phase (gate 4 on the secure profile, docker-compose.airgap.secure.yml): what
 * security.json records under `compose` — how the compose broker authenticated and authorised, the profile as
 * run, the grants its `topics grant` container applied and the broker serves, and how each container got its
 * secret. Read from the running stack, before `down -v`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Topics } from '../../processor/config/index.js';
import { aclScopeOfConfig, listedGrantCount, roleGrants } from '../../processor/io/acls.js';
import { withAdmin } from '../../processor/io/client.js';
import type { ComposeSecure } from '../compose/secure.js';
import type { ComposeStack } from '../compose/stack.js';
import { secureKafka } from '../lib/secure-clients.js';
import { brokerSecurityFacts } from './security.js';

export async function composeSecurityFacts(input: {
  stack: ComposeStack;
  profile: string;
  secure: ComposeSecure;
  brokers: string;
  config: Record<string, unknown>;
}): Promise<Record<string, unknown>> {
  const { stack, secure } = input;
  const grants = roleGrants(aclScopeOfConfig(input.config as { app_id: string; partitions: number; topics: Topics; checkpoints?: { topic: string } }));
  const admin = secureKafka({ brokers: input.brokers, ...secure }, 'admin', { silent: true });
  const listed = await withAdmin(admin, (a) => listedGrantCount(a, new Set(grants.map((g) => g.name))));
  // `topics grant` prints one JSON line: {"grants_applied":N,...}.
  const applied = /"grants_applied":(\d+)/.exec(await stack.logs('grants'))?.[1];
  return {
    mode: 'secure',
    profile: basename(input.profile),
    profile_sha256: createHash('sha256').update(readFileSync(input.profile)).digest('hex'),
    ...brokerSecurityFacts(secure.caFile),
    processor_principal: 'User:processor',
    grants_principal: 'User:admin',
    harness_principal: 'User:admin',
    grants_expected: grants.length,
    grants_applied: applied === undefined ? null : Number(applied),
    grants_listed: listed,
    secret_delivery:
      'made at run time on the host (tools/compose/secure.ts: credentials drawn, certificate made with keytool); each container mounts only its part of the secure directory, read-only, owned by its user; clients read their password from EXOARMUR_BROKER_AUTH__PASSWORD_FILE, so none is in a compose file, an environment or a command line',
  };
}
