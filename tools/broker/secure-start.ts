/** Secure mode's part of a broker start: TLS material, credentials, server properties, SCRAM users to format with, and the probe's login. */
import { existsSync, readFileSync } from 'node:fs';
import type { CreateKafkaOptions } from '../../processor/io/client.js';
import type { DataDirLayout } from './paths.js';
import { ensureCredentials, ensureTlsMaterial, scramFormatArgs, secureFiles, secureProperties } from './secure.js';

export interface PreparedSecure {
  properties: Record<string, string | number>;
  formatArgs: string[];
}

/** TLS material and credentials in `dir` (a broker's data dir, or a cluster's, shared by its nodes), and one node's lines. */
export function prepareSecure(dir: string, port: number, controllerPort: number): PreparedSecure {
  const files = secureFiles(dir);
  const credentials = ensureCredentials(files);
  ensureTlsMaterial(files, credentials);
  return { properties: secureProperties({ port, controllerPort, files, credentials }), formatArgs: scramFormatArgs(credentials) };
}

export function secureFilesOf(layout: DataDirLayout): { caFile: string; credentialsFile: string } {
  const files = secureFiles(layout.dataDir);
  return { caFile: files.caPem, credentialsFile: files.credentials };
}

/** The readiness probe's login where `dir` holds the secure files (the admin user over TLS); nothing for a plaintext broker. */
export function secureClientOf(dir: string, secure: boolean): Pick<CreateKafkaOptions, 'sasl' | 'tls'> {
  const files = secureFiles(dir);
  if (!secure || !existsSync(files.credentials) || !existsSync(files.caPem)) return {};
  const credentials = JSON.parse(readFileSync(files.credentials, 'utf8')) as { users: { admin: string } };
  return { sasl: { mechanism: 'scram-sha-512', username: 'admin', password: credentials.users.admin }, tls: { ca: [readFileSync(files.caPem, 'utf8')] } };
}
