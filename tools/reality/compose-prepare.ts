/**
 * What a compose run needs before it can bring anything up: a Docker engine (one that answers, or, as root, a
 * loopback-only dockerd started by tools/compose/engine.sh), the compose path (the production docker-compose.yml's
 * pinned Redpanda where its image can be had, else the air-gapped Apache Kafka images) and its images, built by
 * tools/compose/images.sh (each kept when its input hash matches).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../broker/paths.js';
import type { ComposeFlavour, ImageRecord } from '../bundle/compose-facts.js';
import { runCommand, tail } from '../compose/docker.js';
import { engineEnv, startEngine, type Engine } from '../compose/engine.js';
import { ExoArmurError } from '../../processor/errors.js';

/** Each compose path: its file, its broker service, and its secure profile's override where one exists (the air-gapped Kafka only). */
export const COMPOSE_FILES: Record<ComposeFlavour, { file: string; broker: string; secureOverride: string | null }> = {
  redpanda: { file: 'docker-compose.yml', broker: 'redpanda', secureOverride: null },
  'airgap-kafka': { file: 'docker-compose.airgap.yml', broker: 'kafka', secureOverride: 'docker-compose.airgap.secure.yml' },
};

/** The engine and images a compose run needs; whoever ends the run stops the engine. */
export interface ComposeReady {
  engine: Engine;
  flavour: ComposeFlavour;
  images: ImageRecord[];
  /** Why the images could not be had; null when they are ready. */
  failure: string | null;
  /** Seconds per step, for the timing note in compose_evidence.json. */
  seconds: Record<string, number>;
}

export const since = (t: number): number => Math.round((Date.now() - t) / 100) / 10;

/** The pinned Redpanda image of the production file, if it can be had (present, or pulled where a registry answers). */
async function redpandaAvailable(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<boolean> {
  const image = /image: (docker\.redpanda\.com\/\S+)/.exec(readFileSync(join(repoRoot(), COMPOSE_FILES.redpanda.file), 'utf8'))?.[1];
  if (image === undefined) return false;
  if ((await runCommand('docker', ['image', 'inspect', image], { env })).code === 0) return true;
  const pulled = await runCommand('docker', ['pull', '-q', image], { env, timeoutMs: 300_000 });
  log(`compose: ${image} ${pulled.code === 0 ? 'pulled' : `cannot be pulled (${tail(pulled, 1)}): the air-gapped images are used`}`);
  return pulled.code === 0;
}

async function buildImages(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<ImageRecord[]> {
  const result = await runCommand(join(repoRoot(), 'tools', 'compose', 'images.sh'), [], { env, cwd: repoRoot(), timeoutMs: 1_800_000 });
  for (const line of result.stderr.trim().split('\n')) if (line.startsWith('images: ')) log(`compose: ${line.slice('images: '.length)}`);
  if (result.code !== 0) throw new ExoArmurError('COMPOSE_FAILED', `make images failed (exit ${result.code}): ${tail(result)}`);
  return result.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as ImageRecord);
}

/**
 * Starts (or finds) the engine, then picks the compose path and builds the images it needs; never throws. A
 * secure run takes the air-gapped path, the one with a secure profile (docker-compose.airgap.secure.yml).
 */
export async function prepareCompose(log: (line: string) => void, secure = false): Promise<ComposeReady> {
  const started = Date.now();
  const engine = await startEngine();
  const seconds: Record<string, number> = { engine: since(started) };
  if (!engine.ok) return { engine, flavour: 'airgap-kafka', images: [], failure: null, seconds };
  log(`compose: Docker engine ${engine.host}${engine.startedPid === null ? ' (already running)' : ` (dockerd ${engine.startedPid} started by this run)`}`);
  try {
    const env = engineEnv(engine);
    if (secure) log('compose: the secure profile (SASL/SCRAM over TLS, role ACLs) exists for the air-gapped Apache Kafka path: it is used');
    const flavour: ComposeFlavour = !secure && (await redpandaAvailable(env, log)) ? 'redpanda' : 'airgap-kafka';
    const building = Date.now();
    const images = await buildImages(env, log);
    seconds['images'] = since(building);
    return { engine, flavour, images, failure: null, seconds };
  } catch (error) {
    return { engine, flavour: 'airgap-kafka', images: [], failure: (error as Error).message.split('\n')[0]!, seconds };
  }
}
