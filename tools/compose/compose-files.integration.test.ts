/**
 * Every compose file is validated by a real compose implementation (Debian's docker-compose, which runs
 * `config` without a Docker engine): the production file, the air-gapped one and its secure profile (the
 * override merged over it), and a broken file is rejected by the same validation. The air-gapped path is run
 * for real by compose.integration.test.ts, the whole system by `make reality` (gate 4).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../broker/paths.js';
import { runCommand } from './docker.js';

const run = promisify(execFile);

async function compose(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('docker-compose', ['-f', file, ...args], { cwd: repoRoot() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as NodeJS.ErrnoException & { code: number | string; stdout: string; stderr: string };
    if (failed.code === 'ENOENT') throw new Error('docker-compose is not installed: run `make deps` (apt-get install docker-compose)');
    return { code: Number(failed.code), stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The block of one service in `docker-compose config`'s normalised YAML. */
function serviceBlock(normalised: string, service: string): string {
  const match = new RegExp(`^  ${service}:\\n((?:    .*\\n|      .*\\n)*)`, 'm').exec(normalised);
  return match?.[1] ?? '';
}

/** Free-looking ports for `config` (nothing is started by it). */
const PROD_PORTS = {
  EXOARMUR_REDPANDA_PORT: '29192',
  EXOARMUR_REDPANDA_RPC_PORT: '29193',
  EXOARMUR_REDPANDA_ADMIN_PORT: '29194',
  EXOARMUR_REDPANDA_SCHEMA_PORT: '29195',
  EXOARMUR_REDPANDA_PROXY_PORT: '29196',
  EXOARMUR_METRICS_PORT: '29197',
};

test('docker-compose.yml is valid and wires redpanda (pinned, rpk health) → topics ensure → processor, all on the host network on loopback ports from the environment', async (t) => {
  const file = join(repoRoot(), 'docker-compose.yml');
  const quiet = await compose(file, ['config', '-q']);
  t.is(quiet.code, 0, quiet.stderr);

  const services = await compose(file, ['config', '--services']);
  t.deepEqual(services.stdout.trim().split('\n').sort(), ['processor', 'redpanda', 'topics']);

  const { stdout: normalised } = await run('docker-compose', ['-f', file, 'config'], { cwd: repoRoot(), env: { ...process.env, ...PROD_PORTS } });
  const redpanda = serviceBlock(normalised, 'redpanda');
  t.regex(redpanda, /image: docker\.redpanda\.com\/redpandadata\/redpanda:v\d+\.\d+\.\d+\n/, 'Redpanda is pinned to an exact version');
  t.regex(redpanda, /rpk cluster health -X admin\.hosts=127\.0\.0\.1:29194/, 'health asked of its own admin port');
  t.regex(redpanda, /- --kafka-addr=127\.0\.0\.1:29192\n/, 'Kafka API on loopback, port from the environment');
  t.regex(redpanda, /- --rpc-addr=127\.0\.0\.1:29193\n/);
  t.regex(redpanda, /- redpanda\.admin\[0\]\.address=127\.0\.0\.1\n\s+- --set\n\s+- redpanda\.admin\[0\]\.port=29194\n/, 'admin API on loopback');
  t.regex(redpanda, /- --schema-registry-addr=127\.0\.0\.1:29195\n/);
  t.regex(redpanda, /- --pandaproxy-addr=127\.0\.0\.1:29196\n/);
  t.regex(redpanda, /- redpanda-data:\/var\/lib\/redpanda\/data/, 'data on a named volume');
  t.notRegex(normalised, /0\.0\.0\.0/, 'nothing listens beyond loopback');
  t.notRegex(normalised, /\n\s+ports:/, 'no published ports: every service is on the host network');

  const topics = serviceBlock(normalised, 'topics');
  t.regex(topics, /- topics\n\s+- ensure/);
  t.regex(topics, /redpanda:\n\s+condition: service_healthy/);
  t.regex(topics, /KAFKA_BROKERS: 127\.0\.0\.1:29192/);

  const processor = serviceBlock(normalised, 'processor');
  t.regex(processor, /- process\n/);
  t.regex(processor, /- --metrics-port\n\s+- '29197'\n\s+- --metrics-host\n\s+- 127\.0\.0\.1\n/);
  t.regex(processor, /topics:\n\s+condition: service_completed_successfully/);
  t.regex(processor, /restart: unless-stopped/);
  t.regex(processor, /KAFKA_BROKERS: 127\.0\.0\.1:29192/);
  for (const service of ['redpanda', 'topics', 'processor']) t.regex(serviceBlock(normalised, service), /network_mode: host/, `${service} on the host network`);
});

test('a broken compose file is rejected by the same validation', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-compose-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const broken = join(dir, 'docker-compose.yml');
  copyFileSync(join(repoRoot(), 'docker-compose.yml'), broken);
  // The processor waits on a service that does not exist.
  writeFileSync(
    broken,
    readFileSync(broken, 'utf8').replace(
      '    depends_on:\n      topics:\n        condition: service_completed_successfully\n    restart: unless-stopped',
      '    depends_on:\n      topicz:\n        condition: service_completed_successfully\n    restart: unless-stopped',
    ),
  );
  const result = await compose(broken, ['config', '-q']);
  t.not(result.code, 0);
  t.regex(result.stderr, /topicz/);
});

test('docker-compose.airgap.yml is valid: Kafka KRaft with healthcheck and volume, topics ensure, processor restarted, host network, no pulls', async (t) => {
  const file = join(repoRoot(), 'docker-compose.airgap.yml');
  const env = { ...process.env, EXOARMUR_KAFKA_PORT: '29092', EXOARMUR_KAFKA_CONTROLLER_PORT: '29093' };
  const { stdout: normalised } = await run('docker-compose', ['-f', file, 'config'], { cwd: repoRoot(), env });
  const kafka = serviceBlock(normalised, 'kafka');
  t.regex(kafka, /image: exoarmur\/kafka:\d+\.\d+\.\d+\n/);
  t.regex(kafka, /healthcheck:/);
  t.regex(kafka, /- kafka-data:\/var\/lib\/kafka/);
  t.regex(kafka, /KAFKA_PORT: '29092'/);
  for (const service of ['kafka', 'topics', 'processor']) {
    t.regex(serviceBlock(normalised, service), /network_mode: host/, `${service} on the host network`);
    t.regex(serviceBlock(normalised, service), /pull_policy: never/, `${service} never pulled`);
  }
  t.regex(serviceBlock(normalised, 'topics'), /- topics\n\s+- ensure/);
  t.regex(serviceBlock(normalised, 'processor'), /restart: unless-stopped/);
  const { EXOARMUR_KAFKA_PORT: _port, ...withoutPort } = env;
  const missing = await runCommand('docker-compose', ['-f', file, 'config', '-q'], { cwd: repoRoot(), env: withoutPort });
  t.not(missing.code, 0, 'a missing port is an error, never a default');
  t.regex(missing.stderr, /EXOARMUR_KAFKA_PORT/);
});

test('docker-compose.airgap.secure.yml over the air-gapped file: the broker gets its secure part of EXOARMUR_SECURE_DIR, topics and grants run as admin, the processor as processor, no password anywhere in the merged file', async (t) => {
  const files = ['-f', join(repoRoot(), 'docker-compose.airgap.yml'), '-f', join(repoRoot(), 'docker-compose.airgap.secure.yml')];
  const env = { ...process.env, EXOARMUR_KAFKA_PORT: '29092', EXOARMUR_KAFKA_CONTROLLER_PORT: '29093', EXOARMUR_SECURE_DIR: '/srv/exoarmur-secure' };
  const { stdout: normalised } = await run('docker-compose', [...files, 'config'], { cwd: repoRoot(), env });
  const services = await run('docker-compose', [...files, 'config', '--services'], { cwd: repoRoot(), env });
  t.deepEqual(services.stdout.trim().split('\n').sort(), ['grants', 'kafka', 'processor', 'topics']);
  const kafka = serviceBlock(normalised, 'kafka');
  t.regex(kafka, /KAFKA_SECURE_DIR: \/etc\/kafka\/secure\n/);
  t.regex(kafka, /- \/srv\/exoarmur-secure\/kafka:\/etc\/kafka\/secure:ro\n/, 'the broker mounts only its own part, read-only');
  const logins: Array<[string, string, string]> = [
    ['topics', 'admin', 'admin'],
    ['grants', 'admin', 'admin'],
    ['processor', 'processor', 'processor'],
  ];
  for (const [service, user, part] of logins) {
    const block = serviceBlock(normalised, service);
    t.regex(block, /EXOARMUR_BROKER_AUTH__MECHANISM: scram-sha-512\n/, service);
    t.regex(block, new RegExp(`EXOARMUR_BROKER_AUTH__USERNAME: ${user}\\n`), service);
    t.regex(block, /EXOARMUR_BROKER_AUTH__PASSWORD_FILE: \/run\/exoarmur\/password\n/, service);
    t.regex(block, /EXOARMUR_TLS_CA_FILE: \/run\/exoarmur\/ca\.pem\n/, service);
    t.regex(block, new RegExp(`- /srv/exoarmur-secure/${part}:/run/exoarmur:ro\\n`), `${service} mounts only the ${part} part`);
    t.regex(block, /network_mode: host/, `${service} on the host network`);
  }
  t.regex(serviceBlock(normalised, 'grants'), /- topics\n\s+- grant\n\s+- --config\n\s+- \/etc\/exoarmur\/config\.json\n/);
  t.regex(serviceBlock(normalised, 'grants'), /topics:\n\s+condition: service_completed_successfully/);
  t.regex(serviceBlock(normalised, 'processor'), /grants:\n\s+condition: service_completed_successfully/, 'the processor starts once its grants are served');
  t.notRegex(normalised, /EXOARMUR_BROKER_AUTH__PASSWORD:/, 'no password in any environment');
  t.notRegex(normalised, /0\.0\.0\.0/);
  const { EXOARMUR_SECURE_DIR: _dir, ...withoutDir } = env;
  const missing = await runCommand('docker-compose', [...files, 'config', '-q'], { cwd: repoRoot(), env: withoutDir });
  t.not(missing.code, 0, 'a missing secure dir is an error, never a default');
  t.regex(missing.stderr, /EXOARMUR_SECURE_DIR/);
});
