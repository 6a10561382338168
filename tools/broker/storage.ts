/** The embedded broker's KRaft storage: formatted once per data dir with a fresh cluster id, never over a dir that looks half-made. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../processor/errors.js';
import type { DataDirLayout } from './paths.js';

/** A cluster node's identity: every node of one cluster is formatted with the same cluster id. */
export interface NodeIdentity {
  nodeId: number;
  clusterId: string;
}

/** Formats the KRaft storage unless meta.properties shows it already was; refuses a dir that looks half-made or another node's. */
export function formatOnce(layout: DataDirLayout, classpath: string, extraArgs: readonly string[] = [], identity?: NodeIdentity): void {
  const meta = join(layout.logDirs, 'meta.properties');
  const nodeId = identity?.nodeId ?? 1;
  if (existsSync(meta)) {
    const text = readFileSync(meta, 'utf8');
    const clusterOk = identity === undefined ? /^cluster\.id=\S+/m.test(text) : text.split('\n').includes(`cluster.id=${identity.clusterId}`);
    if (!clusterOk || !text.split('\n').includes(`node.id=${nodeId}`)) {
      throw new UsageError(
        'DATA_DIR_CORRUPT',
        `${meta} is not this ExoArmur broker's (cluster.id ${identity?.clusterId ?? 'any'}, node.id=${nodeId} expected): remove ${layout.dataDir} or pass another --data-dir`,
      );
    }
    return;
  }
  if (existsSync(layout.logDirs) && readdirSync(layout.logDirs).length > 0) {
    throw new UsageError(
      'DATA_DIR_CORRUPT',
      `${layout.logDirs} holds files but no meta.properties, so it is not a formatted broker dir: remove ${layout.dataDir} or pass another --data-dir`,
    );
  }
  const clusterId = identity?.clusterId ?? newClusterId();
  const result = spawnSync(
    'java',
    ['-cp', classpath, `-Dlog4j2.configurationFile=${layout.log4jConfig}`, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', layout.serverProperties, ...extraArgs],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    const reason = `${result.stderr}${result.stdout}`.trim().split('\n').at(-1) ?? '';
    throw new UsageError('DATA_DIR_UNFORMATTABLE', `could not format broker storage in ${layout.logDirs}: ${reason} — remove ${layout.dataDir} or pass another --data-dir`);
  }
}

/**
 * A Kafka cluster id: 16 random bytes in URL-safe base64 without padding. One that starts with '-'
 * is drawn again (as Kafka's own Uuid.randomUuid does): kafka-storage's argument parser would read
 * it as an option and refuse to format ("--cluster-id expected one argument").
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
