/**
 * Clients of a secure embedded broker: a kafkajs client logged in as one of its SCRAM users over
 * TLS, the role grants applied by its admin (and waited for until the broker serves them), and the
 * processor config fragment and environment for a role. Credentials are read from the data dir's
 * credentials.json; nothing here prints them.
 */
import { readFileSync } from 'node:fs';
import type { Topics } from '../../processor/config/index.js';
import { applyAcls, listedGrantCount, roleGrants, type AclScope } from '../../processor/io/acls.js';
import { createKafka, withAdmin, type CreateKafkaOptions, type Kafka } from '../../processor/io/client.js';
import { pollUntil } from './poll.js';
import type { SecureCredentials, SecureUser } from '../broker/secure.js';

export interface SecureBroker {
  brokers: string;
  /** PEM of the broker's self-signed certificate. */
  caFile: string;
  /** The data dir's credentials.json (mode 0600). */
  credentialsFile: string;
}

export function readCredentials(broker: Pick<SecureBroker, 'credentialsFile'>): SecureCredentials {
  return JSON.parse(readFileSync(broker.credentialsFile, 'utf8')) as SecureCredentials;
}

/** A client logged in as `user` (SCRAM-SHA-512 over TLS); `password` overrides the real one (to test a wrong one). */
export function secureKafka(broker: SecureBroker, user: SecureUser, options: { password?: string; clientId?: string; silent?: boolean } = {}): Kafka {
  return createKafka({
    brokers: broker.brokers.split(','),
    clientId: options.clientId ?? `exoarmur-${user}`,
    ...secureLogin(broker, user, options.password),
    ...(options.silent === true ? { silent: true } : {}),
  });
}

/** The SASL and TLS options of a client logged in as `user`. */
export function secureLogin(broker: SecureBroker, user: SecureUser, password?: string): Required<Pick<CreateKafkaOptions, 'sasl' | 'tls'>> {
  return {
    sasl: { mechanism: 'scram-sha-512', username: user, password: password ?? readCredentials(broker).users[user] },
    tls: { ca: [readFileSync(broker.caFile, 'utf8')] },
  };
}

/** Applies the role grants of one deployment as the admin and waits until the broker lists every one. */
export async function grantRoles(broker: SecureBroker, scope: AclScope): Promise<number> {
  return grantRolesAs(secureKafka(broker, 'admin'), scope);
}

/**
 * Applies the role grants with a client that may (the admin, or any super user) and waits until the
 * broker lists every one: a grant is served once the authorizer has loaded it from the metadata log.
 */
export async function grantRolesAs(admin: Kafka, scope: AclScope): Promise<number> {
  const grants = roleGrants(scope);
  await withAdmin(admin, (a) => applyAcls(a, grants));
  const names = new Set(grants.map((g) => g.name));
  await pollUntil(
    async () => {
      const listed = await withAdmin(admin, (a) => listedGrantCount(a, names));
      return listed >= grants.length;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'the broker serving every role grant' },
  );
  return grants.length;
}

/** The config fragment a processor logs in with as `processor` (the password goes through the environment, not the file). */
export function processorAuthConfig(): { broker_auth: { mechanism: 'scram-sha-512'; username: string; password: null } } {
  return { broker_auth: { mechanism: 'scram-sha-512', username: 'processor', password: null } };
}

/** Environment of a child that logs in as `user`: the CA it trusts and its password (never written to a file the run keeps). */
export function secureChildEnv(broker: SecureBroker, user: SecureUser, password?: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    EXOARMUR_TLS_CA_FILE: broker.caFile,
    EXOARMUR_BROKER_AUTH__USERNAME: user,
    EXOARMUR_BROKER_AUTH__PASSWORD: password ?? readCredentials(broker).users[user],
  };
}

export type { AclScope, Topics };
