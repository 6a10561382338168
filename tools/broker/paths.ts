/** Where the broker's jars and data live: under the repository's git-ignored `.exoarmur/`. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExoArmurError } from '../../processor/errors.js';

/** The repository root: the nearest ancestor of this module holding ExoArmur's package.json (works from src and dist). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'exoarmur') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new ExoArmurError('REPO_ROOT_MISSING', 'cannot find the exoarmur repository root above this module');
    dir = parent;
  }
}

export function stateRoot(): string {
  return join(repoRoot(), '.exoarmur');
}

/** Default persistent data dir of `exoarmur broker start`. */
export function defaultDataDir(): string {
  return join(stateRoot(), 'broker');
}

/** Parent of the per-version jar caches (`<cacheRoot>/<version>/libs`). */
export function defaultCacheRoot(): string {
  return join(stateRoot(), 'kafka');
}

export function pomPath(): string {
  return join(repoRoot(), 'tools', 'broker', 'pom.xml');
}

/** The files of one broker data dir. */
export interface DataDirLayout {
  dataDir: string;
  logDirs: string;
  serverProperties: string;
  log4jConfig: string;
  logFile: string;
  consoleFile: string;
  pidFile: string;
  stateFile: string;
}

export function dataDirLayout(dataDir: string): DataDirLayout {
  const dir = resolve(dataDir);
  return {
    dataDir: dir,
    logDirs: join(dir, 'kraft'),
    serverProperties: join(dir, 'server.properties'),
    log4jConfig: join(dir, 'log4j2.yaml'),
    logFile: join(dir, 'broker.log'),
    consoleFile: join(dir, 'broker.out'),
    pidFile: join(dir, 'broker.pid'),
    stateFile: join(dir, 'broker.json'),
  };
}
