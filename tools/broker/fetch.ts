/** Fetches the pinned Apache Kafka jars from Maven Central into a per-version cache, once. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExoArmurError, UsageError } from '../../processor/errors.js';
import { defaultCacheRoot, pomPath } from './paths.js';
import { requireJava, requireMaven } from './prerequisites.js';

const COMPLETE_MARKER = '.complete';
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;

/** The Kafka version pinned in tools/broker/pom.xml (the one place it is written). */
export function pinnedKafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pomPath(), 'utf8'));
  if (match?.[1] === undefined) throw new ExoArmurError('KAFKA_VERSION_MISSING', `no <kafka.version> in ${pomPath()}`);
  return match[1];
}

export function libsDir(cacheRoot: string = defaultCacheRoot(), version: string = pinnedKafkaVersion()): string {
  return join(resolve(cacheRoot), version, 'libs');
}

export function isFetched(cacheRoot: string = defaultCacheRoot()): boolean {
  return existsSync(join(libsDir(cacheRoot), COMPLETE_MARKER));
}

export interface FetchResult {
  version: string;
  libsDir: string;
  /** False when the cache already held the jars. */
  fetched: boolean;
  elapsedMs: number;
}

/** Idempotent: a complete cache is reused; an interrupted fetch is redone from scratch. */
export async function fetchBroker(options: { cacheRoot?: string; onOutput?: (line: string) => void } = {}): Promise<FetchResult> {
  const cacheRoot = options.cacheRoot ?? defaultCacheRoot();
  const version = pinnedKafkaVersion();
  const target = libsDir(cacheRoot, version);
  const started = performance.now();
  if (isFetched(cacheRoot)) return { version, libsDir: target, fetched: false, elapsedMs: 0 };
  requireJava();
  requireMaven();
  // Copy into a scratch dir and rename, so a half-finished fetch never looks complete.
  const scratch = `${target}.partial-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const args = ['-B', '-q', '-Dstyle.color=never', '-f', pomPath(), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${scratch}`];
  const output: string[] = [];
  const code = await new Promise<number>((resolvePromise, reject) => {
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer): void => {
      // Maven's console library writes colour resets (ESC[0m) even with -Dstyle.color=never; a line
      // that is only escapes says nothing.
      for (const line of chunk.toString('utf8').replace(ANSI_ESCAPE, '').split('\n')) {
        if (line.trim() === '') continue;
        output.push(line);
        options.onOutput?.(line);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (status) => resolvePromise(status ?? 1));
  });
  if (code !== 0) {
    rmSync(scratch, { recursive: true, force: true });
    const last = output.filter((line) => line.includes('ERROR')).slice(0, 1)[0] ?? output.at(-1) ?? '';
    throw new UsageError(
      'BROKER_FETCH_FAILED',
      `mvn could not fetch org.apache.kafka:kafka_2.13:${version} (exit ${code}): check network access to Maven Central and ~/.m2/settings.xml — ${last.trim()}`,
    );
  }
  if (!existsSync(join(scratch, `kafka_2.13-${version}.jar`))) {
    rmSync(scratch, { recursive: true, force: true });
    throw new ExoArmurError('BROKER_FETCH_INCOMPLETE', `mvn finished but kafka_2.13-${version}.jar is missing from ${scratch}`);
  }
  writeFileSync(join(scratch, COMPLETE_MARKER), `${version}\n`);
  rmSync(target, { recursive: true, force: true });
  renameSync(scratch, target);
  return { version, libsDir: target, fetched: true, elapsedMs: Math.round(performance.now() - started) };
}
