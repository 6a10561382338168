/**
 * docker-compose.yml is validated by a real compose implementation (Debian's docker-compose, which
 * runs `config` without a Docker engine). Nothing here starts containers.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../broker/paths.js';

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

test('docker-compose.yml is valid and wires redpanda → topics ensure → processor', async (t) => {
  const file = join(repoRoot(), 'docker-compose.yml');
  const quiet = await compose(file, ['config', '-q']);
  t.is(quiet.code, 0, quiet.stderr);

  const services = await compose(file, ['config', '--services']);
  t.deepEqual(services.stdout.trim().split('\n').sort(), ['processor', 'reality', 'redpanda', 'topics']);

  const { stdout: normalised } = await compose(file, ['config']);
  const redpanda = serviceBlock(normalised, 'redpanda');
  t.regex(redpanda, /image: docker\.redpanda\.com\/redpandadata\/redpanda:v\d+\.\d+\.\d+\n/, 'Redpanda is pinned to an exact version');
  t.regex(redpanda, /healthcheck:/);
  t.regex(redpanda, /127\.0\.0\.1:19092:19092/, 'Kafka API published on loopback');
  t.regex(redpanda, /127\.0\.0\.1:18081:18081/, 'Schema Registry published on loopback');
  t.regex(redpanda, /- redpanda-data:\/var\/lib\/redpanda\/data/, 'data on a named volume');

  const topics = serviceBlock(normalised, 'topics');
  t.regex(topics, /- topics\n\s+- ensure/);
  t.regex(topics, /redpanda:\n\s+condition: service_healthy/);

  const processor = serviceBlock(normalised, 'processor');
  t.regex(processor, /- process\n/);
  t.regex(processor, /topics:\n\s+condition: service_completed_successfully/);
  t.regex(processor, /restart: unless-stopped/);
  t.regex(processor, /KAFKA_BROKERS: redpanda:9092/);
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
