/** Java and Maven presence checks, each failing with one line that says what to install. */
import { spawnSync } from 'node:child_process';
import { UsageError } from '../../processor/errors.js';

export const MIN_JAVA_MAJOR = 17;

/** The major version of `java` on PATH; throws a UsageError when it is missing or too old. */
export function requireJava(): number {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    throw new UsageError('JAVA_MISSING', `java not found on PATH: install a JDK ${MIN_JAVA_MAJOR}+ (e.g. apt-get install openjdk-17-jdk-headless, or run \`make deps\`)`);
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const first = Number(match?.[1] ?? 0);
  const major = first === 1 ? Number(match?.[2] ?? 0) : first;
  if (major < MIN_JAVA_MAJOR) {
    throw new UsageError('JAVA_TOO_OLD', `java ${major} found but Kafka needs ${MIN_JAVA_MAJOR}+: install openjdk-17-jdk-headless and put it first on PATH`);
  }
  return major;
}

export function requireMaven(): void {
  const result = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    throw new UsageError('MAVEN_MISSING', 'mvn not found on PATH: install Maven (e.g. apt-get install maven, or run `make deps`)');
  }
}
