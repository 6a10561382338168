/**
 * The compose evidence of a run: `compose/` in the bundle holds the compose file as run, the images (id, input
 * hash, how each was built), the service states, each container's log and the decisions compared; then the
 * stack is taken down (`docker-compose down -v`). `compose_evidence.json` beside the other bundle files
 * summarises it with the SHA-256 of every file under compose/, so the manifest covers them too.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { tail } from '../compose/docker.js';
import type { ComposeStack, ServiceState } from '../compose/stack.js';
import type { Decision } from './decisions.js';
import { jsonText } from './evidence.js';

export const COMPOSE_DIR = 'compose';
export const COMPOSE_EVIDENCE_FILE = 'compose_evidence.json';

export interface ImageRecord {
  tag: string;
  id: string;
  input_hash: string;
  built: boolean;
  seconds: number;
  how: string;
}

/** What the compose phase did, filled in as it goes. */
export interface ComposeRecord {
  flavour: 'redpanda' | 'airgap-kafka';
  project: string;
  engine: { host: string; started_pid: number | null; stopped: string };
  images?: ImageRecord[];
  ports?: { kafka: number; controller: number };
  compose_file_sha256?: string;
  services?: ServiceState[];
  faults?: { processor_kills: number; broker_kills: number; notes: string[] };
  decisions?: { embedded: Decision[]; compose: Decision[]; mismatches: string[] };
  down?: { ok: boolean; output: string };
  /** Why the compose phase stopped before its comparison; null when it played to the end. */
  failure?: string | null;
  files?: Record<string, string>;
}

const SERVICES = { 'docker-compose.yml': ['redpanda', 'topics', 'processor'], 'docker-compose.airgap.yml': ['kafka', 'topics', 'processor'] } as const;

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}

/** Collects states and logs, runs `down -v`, and writes compose/ (compose_evidence.json follows, by writeComposeSummary). */
export async function writeComposeEvidence(bundleDir: string, stack: ComposeStack, composeFile: keyof typeof SERVICES | string, record: ComposeRecord): Promise<void> {
  const dir = join(bundleDir, COMPOSE_DIR);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  copyFileSync(stack.file, join(dir, basename(stack.file)));
  record.compose_file_sha256 = sha256(stack.file);
  const services: ServiceState[] = [];
  for (const service of SERVICES[composeFile as keyof typeof SERVICES] ?? []) {
    try {
      services.push(await stack.state(service));
      writeFileSync(join(dir, 'logs', `${service}.log`), await stack.logs(service));
    } catch (error) {
      writeFileSync(join(dir, 'logs', `${service}.log`), `no container: ${(error as Error).message}\n`);
    }
  }
  record.services = services;
  const down = await stack.down();
  record.down = { ok: down.code === 0, output: down.code === 0 ? `${down.stderr}${down.stdout}`.trim() : tail(down, 10) };
  writeFileSync(join(dir, 'images.json'), jsonText(record.images ?? []));
  writeFileSync(join(dir, 'services.json'), jsonText(services));
  writeFileSync(join(dir, 'decisions.json'), jsonText(record.decisions ?? null));
  writeFileSync(join(dir, 'down.txt'), `${record.down.output}\n`);
}

/** compose_evidence.json: the record, with the SHA-256 of every file under compose/ (the manifest then covers them). */
export function writeComposeSummary(bundleDir: string, record: ComposeRecord): void {
  const dir = join(bundleDir, COMPOSE_DIR);
  record.files = Object.fromEntries((existsSync(dir) ? filesUnder(dir) : []).map((path) => [relative(bundleDir, path), sha256(path)]));
  writeFileSync(join(bundleDir, COMPOSE_EVIDENCE_FILE), jsonText(record));
}
