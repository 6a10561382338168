/**
 * Writes the compose evidence of a run into the bundle, as plain files beside the others (a bundle has no
 * sub-directories; the manifest covers every file): the compose file as run, `compose_<service>.log` per
 * container, compose_decisions.json, and compose_evidence.json (tools/bundle/compose-facts.ts ComposeSummary:
 * images with their input hashes and how each was built, service states, kills, `down -v`). The stack is taken
 * down (`docker-compose down -v`) once states and logs are read.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { COMPOSE_BUNDLE_FILES, type ComposeDecisions, type ComposeFlavour, type ComposeSummary, type ImageRecord } from '../bundle/compose-facts.js';
import { tail } from '../compose/docker.js';
import type { ComposeStack } from '../compose/stack.js';
import { jsonText } from './evidence.js';

/** What the compose phase did, filled in as it goes. */
export interface ComposeRecord {
  flavour: ComposeFlavour;
  project: string;
  engine: { host: string; started_pid: number | null; stopped: string };
  images: ImageRecord[];
  ports: Record<string, number>;
  faults: { processor_kills: number; broker_kills: number; notes: string[] };
  faults_required: boolean;
  decisions: ComposeDecisions | null;
  failure: string | null;
  /** Seconds per step (images, up, scenario, evidence), for the timing note. */
  seconds: Record<string, number>;
  /** The secure profile's override file when the run brought it up (its `grants` service is then part of the stack); null otherwise. */
  secureProfile: string | null;
  /** The secure profile's facts (security.json `compose`) once read from its running stack; null otherwise. */
  security: Record<string, unknown> | null;
}

export const COMPOSE_SERVICES: Record<ComposeFlavour, readonly string[]> = { redpanda: ['redpanda', 'topics', 'processor'], 'airgap-kafka': ['kafka', 'topics', 'processor'] };

/**
 * Reads each service's state and log, runs `down -v`, and writes every compose file of the bundle; `composeFiles`
 * is the compose file, then the secure profile's override when it ran (both copied into the bundle).
 */
export async function writeComposeEvidence(bundleDir: string, stack: ComposeStack | null, record: ComposeRecord, composeFiles: readonly string[]): Promise<ComposeSummary> {
  const write = (name: string, text: string) => writeFileSync(join(bundleDir, name), text);
  const composeFile = composeFiles[0]!;
  const fileName = basename(composeFile);
  for (const file of composeFiles) copyFileSync(file, join(bundleDir, basename(file)));
  const services: ComposeSummary['services'][number][] = [];
  const logs: string[] = [];
  let down = { ok: stack === null, output: stack === null ? 'the stack was never brought up' : '' };
  if (stack !== null) {
    // The secure profile adds the `topics grant` container.
    for (const service of [...COMPOSE_SERVICES[record.flavour], ...(record.secureProfile === null ? [] : ['grants'])]) {
      const log = `compose_${service}.log`;
      logs.push(log);
      try {
        services.push({ ...(await stack.state(service)) });
        write(log, await stack.logs(service));
      } catch (error) {
        write(log, `no container: ${(error as Error).message}\n`);
      }
    }
    const result = await stack.down();
    down = { ok: result.code === 0, output: result.code === 0 ? `${result.stderr}${result.stdout}`.trim() : tail(result, 10) };
  }
  const summary: ComposeSummary = {
    flavour: record.flavour,
    project: record.project,
    engine: record.engine,
    compose_file: fileName,
    compose_file_sha256: createHash('sha256').update(readFileSync(composeFile)).digest('hex'),
    images: record.images,
    ports: record.ports,
    services,
    logs,
    faults: record.faults,
    faults_required: record.faults_required,
    down,
    failure: record.failure,
    seconds: record.seconds,
  };
  write(COMPOSE_BUNDLE_FILES.decisions, jsonText(record.decisions ?? { embedded: [], compose: [] }));
  return summary;
}

/** compose_evidence.json, written last (after the engine stop, which it records). */
export function writeComposeSummary(bundleDir: string, summary: ComposeSummary): void {
  writeFileSync(join(bundleDir, COMPOSE_BUNDLE_FILES.evidence), jsonText(summary));
}
