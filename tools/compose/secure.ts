/**
 * The compose broker's secure profile (docker-compose.airgap.secure.yml, issue 18): the embedded secure broker's
 * own credentials, TLS material and server properties (tools/broker/secure.ts: SCRAM-SHA-512 over TLS on the
 * client listener, the StandardAuthorizer with no access unless granted, one SCRAM user per role), made on the
 * host at run time in one directory, and handed to each container as only what it needs, owned by the
 * container's user and readable by it alone:
 *   <dir>/credentials.json, <dir>/tls/   the host's: every password, the key and trust stores, ca.pem
 *   <dir>/kafka/       the broker: its server.properties template (ports left to the entrypoint), the SCRAM
 *                      users it formats its storage with, its key and trust stores
 *   <dir>/admin/       `topics ensure` and `topics grant`: ca.pem and the admin's password
 *   <dir>/processor/   the processor: ca.pem and the processor's password
 * No password is ever in the environment of a container, its command line or the compose file: each client
 * reads its own from EXOARMUR_BROKER_AUTH__PASSWORD_FILE, and the broker from its mounted files.
 */
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExoArmurError } from '../../processor/errors.js';
import { ensureCredentials, ensureTlsMaterial, scramFormatArgs, secureFiles, secureProperties, type SecureUser } from '../broker/secure.js';
import type { SecureBroker } from '../lib/secure-clients.js';
import { SENTINELS, serverPropertiesTemplate } from './kafka-context.js';

/** Where the broker container mounts <dir>/kafka (KAFKA_SECURE_DIR of the Kafka image's entrypoint). */
export const KAFKA_SECURE_MOUNT = '/etc/kafka/secure';

/** The images' users: `kafka` of exoarmur/kafka (tools/compose/images/kafka/Dockerfile), `node` of exoarmur:local. */
const CONTAINER_UIDS = { kafka: 1001, node: 1000 } as const;

/** The client containers and the SCRAM user each logs in as. */
export const COMPOSE_CLIENTS = { admin: 'admin', processor: 'processor' } as const satisfies Record<string, SecureUser>;

/** The secure profile's directory as the host's clients see it (the harness, a test, `exoarmur operator`). */
export type ComposeSecure = Pick<SecureBroker, 'caFile' | 'credentialsFile'> & { dir: string };

function handTo(uid: number, dir: string, files: Record<string, string | Buffer>): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const [name, content] of Object.entries(files)) {
    const file = join(dir, name);
    writeFileSync(file, content, { mode: 0o600 });
    chmodSync(file, 0o600);
    chownSync(file, uid, 0);
  }
  chownSync(dir, uid, 0);
}

/**
 * Makes (once: a second call keeps the credentials and certificate) the secure profile's directory. Needs
 * root: each container's files are handed to its user's uid, which no other user of the host can do.
 */
export function prepareComposeSecure(dir: string): ComposeSecure {
  if (process.getuid?.() !== 0) {
    throw new ExoArmurError(
      'COMPOSE_SECURE_NEEDS_ROOT',
      `the secure compose profile hands each container its key store or password owned by the container's user (kafka uid ${CONTAINER_UIDS.kafka}, node uid ${CONTAINER_UIDS.node}), which only root can: run as root`,
    );
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = secureFiles(dir);
  const credentials = ensureCredentials(files);
  ensureTlsMaterial(files, credentials);
  const inContainer = { keystore: `${KAFKA_SECURE_MOUNT}/broker.p12`, truststore: `${KAFKA_SECURE_MOUNT}/truststore.p12`, caPem: '', credentials: '' };
  const ca = readFileSync(files.caPem);
  const properties = secureProperties({ port: SENTINELS.port, controllerPort: SENTINELS.controllerPort, files: inContainer, credentials });
  handTo(CONTAINER_UIDS.kafka, join(dir, 'kafka'), {
    'server.properties.template': serverPropertiesTemplate(properties),
    // One `kafka-storage format` argument a line: the entrypoint formats with them on first start only.
    'scram.args': `${scramFormatArgs(credentials).join('\n')}\n`,
    'broker.p12': readFileSync(files.keystore),
    'truststore.p12': readFileSync(files.truststore),
    // The healthcheck verifies the broker's certificate with it.
    'ca.pem': ca,
  });
  for (const [client, user] of Object.entries(COMPOSE_CLIENTS)) {
    handTo(CONTAINER_UIDS.node, join(dir, client), { 'ca.pem': ca, password: `${credentials.users[user]}\n` });
  }
  return { dir, caFile: files.caPem, credentialsFile: files.credentials };
}
