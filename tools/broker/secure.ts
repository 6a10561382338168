/**
 * The embedded broker's secure mode (issue 18): a SASL_SSL client listener (SCRAM-SHA-512 over TLS,
 * a self-signed certificate made with keytool at first start), a SASL_PLAINTEXT/PLAIN controller
 * listener on loopback, the StandardAuthorizer with no access unless an ACL grants it, and one
 * SCRAM user per role. Passwords are drawn at first start and kept only in the data dir
 * (credentials.json, mode 0600); nothing here logs or prints them.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExoArmurError } from '../../processor/errors.js';

/** The roles of the issue, plus the broker's own principals and the tools' admin. */
export const ROLES = ['sensor', 'operator', 'processor', 'actuator', 'reviewer'] as const;
export type Role = (typeof ROLES)[number];
export const SUPER_USERS = ['broker', 'controller', 'admin'] as const;
export type SecureUser = Role | (typeof SUPER_USERS)[number];

export const SCRAM_MECHANISM = 'SCRAM-SHA-512';

export interface SecureFiles {
  keystore: string;
  truststore: string;
  /** PEM of the broker certificate: the CA a client trusts (kafkajs `ssl.ca`). */
  caPem: string;
  credentials: string;
}

export function secureFiles(dataDir: string): SecureFiles {
  return {
    keystore: join(dataDir, 'tls', 'broker.p12'),
    truststore: join(dataDir, 'tls', 'truststore.p12'),
    caPem: join(dataDir, 'tls', 'ca.pem'),
    credentials: join(dataDir, 'credentials.json'),
  };
}

export interface SecureCredentials {
  /** Password of the PKCS#12 key and trust stores. */
  store_password: string;
  users: Record<SecureUser, string>;
}

function secret(): string {
  return randomBytes(24).toString('base64url');
}

/** The data dir's credentials, drawn once (first start) and reused on restarts. */
export function ensureCredentials(files: SecureFiles): SecureCredentials {
  if (existsSync(files.credentials)) return JSON.parse(readFileSync(files.credentials, 'utf8')) as SecureCredentials;
  const users = Object.fromEntries([...ROLES, ...SUPER_USERS].map((user) => [user, secret()])) as Record<SecureUser, string>;
  const credentials: SecureCredentials = { store_password: secret(), users };
  writeFileSync(files.credentials, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(files.credentials, 0o600);
  return credentials;
}

function keytool(args: string[]): void {
  const result = spawnSync('keytool', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    // keytool echoes no passwords; its last line names what failed.
    const reason = `${result.stderr}${result.stdout}`.trim().split('\n').at(-1) ?? '';
    throw new ExoArmurError('BROKER_TLS_FAILED', `keytool ${args[0]} failed: ${reason}`);
  }
}

/** A self-signed EC certificate for 127.0.0.1 (SAN IP, so clients verify the host), valid 30 days, made once per data dir. */
export function ensureTlsMaterial(files: SecureFiles, credentials: SecureCredentials): void {
  if (existsSync(files.keystore) && existsSync(files.truststore) && existsSync(files.caPem)) return;
  for (const f of [files.keystore, files.truststore, files.caPem]) rmSync(f, { force: true });
  mkdirSync(dirname(files.keystore), { recursive: true });
  const pass = credentials.store_password;
  keytool([
    '-genkeypair',
    '-alias',
    'broker',
    '-keyalg',
    'EC',
    '-groupname',
    'secp256r1',
    '-dname',
    'CN=exoarmur-embedded-broker',
    '-ext',
    'SAN=IP:127.0.0.1,DNS:localhost',
    '-validity',
    '30',
    '-keystore',
    files.keystore,
    '-storetype',
    'PKCS12',
    '-storepass',
    pass,
    '-keypass',
    pass,
  ]);
  keytool(['-exportcert', '-rfc', '-alias', 'broker', '-keystore', files.keystore, '-storepass', pass, '-file', files.caPem]);
  keytool(['-importcert', '-noprompt', '-alias', 'broker', '-file', files.caPem, '-keystore', files.truststore, '-storetype', 'PKCS12', '-storepass', pass]);
}

/** `kafka-storage format` arguments that bootstrap every SCRAM user into the metadata log. */
export function scramFormatArgs(credentials: SecureCredentials): string[] {
  return Object.entries(credentials.users)
    .filter(([user]) => user !== 'controller')
    .flatMap(([user, password]) => ['--add-scram', `${SCRAM_MECHANISM}=[name=${user},password=${password}]`]);
}

function jaasString(value: string): string {
  return JSON.stringify(value);
}

/** The server.properties lines of secure mode, over the plaintext ones (listener names and maps replaced). */
export function secureProperties(input: { port: number; controllerPort: number; files: SecureFiles; credentials: SecureCredentials }): Record<string, string | number> {
  const { users, store_password: pass } = input.credentials;
  return {
    listeners: `SASL_SSL://127.0.0.1:${input.port},CONTROLLER://127.0.0.1:${input.controllerPort}`,
    'advertised.listeners': `SASL_SSL://127.0.0.1:${input.port}`,
    'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT',
    'inter.broker.listener.name': 'SASL_SSL',
    'sasl.enabled.mechanisms': SCRAM_MECHANISM,
    'sasl.mechanism.inter.broker.protocol': SCRAM_MECHANISM,
    'listener.name.sasl_ssl.sasl.enabled.mechanisms': SCRAM_MECHANISM,
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password=${jaasString(users.broker)};`,
    'sasl.mechanism.controller.protocol': 'PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.controller.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password=${jaasString(users.controller)} user_controller=${jaasString(users.controller)};`,
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': input.files.keystore,
    'ssl.keystore.password': pass,
    'ssl.key.password': pass,
    'ssl.truststore.type': 'PKCS12',
    'ssl.truststore.location': input.files.truststore,
    'ssl.truststore.password': pass,
    'ssl.endpoint.identification.algorithm': 'https',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found': 'false',
    'super.users': SUPER_USERS.map((u) => `User:${u}`).join(';'),
  };
}
