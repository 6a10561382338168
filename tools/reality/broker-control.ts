/**
 * The run's broker as a supervisor sees it: started on a persistent data dir, SIGKILLed, and
 * restarted on the same data dir and ports; or an external broker (--brokers) the run never kills.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startBroker, stopBroker } from '../broker/broker.js';
import { dataDirLayout } from '../broker/paths.js';
import { repoRoot } from '../broker/paths.js';
import { pollUntil } from '../lib/poll.js';
import { InvariantError } from '../../processor/errors.js';

export interface RunBroker {
  brokers: string;
  /** The data dir when known (ours, or an embedded broker of this checkout serving --brokers). */
  dataDir: string | null;
  /** True when this run started the broker and may kill and restart it. */
  owned: boolean;
  port: number;
  controllerPort: number;
  /** Secure mode (SASL/SCRAM over TLS, role ACLs): its CA and credentials files; null for a plaintext broker. */
  secure: { caFile: string; credentialsFile: string } | null;
}

/** A secure run broker as its clients see it; refuses a plaintext one (a bug to call it there). */
export function secureBrokerOf(broker: RunBroker): { brokers: string; caFile: string; credentialsFile: string } {
  if (broker.secure === null) throw new InvariantError('UNEXPECTED_ERROR', `the run broker ${broker.brokers} is not secure`);
  return { brokers: broker.brokers, ...broker.secure };
}

export async function startRunBroker(dataDir: string, secure = false): Promise<RunBroker> {
  const started = await startBroker({ dataDir, port: 0, secure });
  return { brokers: started.brokers, dataDir: started.dataDir, owned: true, port: started.port, controllerPort: started.controllerPort, secure: started.secure ?? null };
}

/** An external broker; its data dir is found when it is an embedded broker of this checkout. */
export function externalBroker(brokers: string): RunBroker {
  const port = Number(brokers.split(',')[0]!.split(':')[1]);
  return { brokers, dataDir: findEmbeddedDataDir(port), owned: false, port, controllerPort: 0, secure: null };
}

function findEmbeddedDataDir(port: number): string | null {
  const root = join(repoRoot(), '.exoarmur');
  if (!existsSync(root)) return null;
  const candidates = [root, ...readdirSync(root).map((d) => join(root, d))];
  for (const dir of candidates) {
    for (const sub of [dir, join(dir, 'broker')]) {
      const state = dataDirLayout(sub).stateFile;
      if (!existsSync(state)) continue;
      try {
        if ((JSON.parse(readFileSync(state, 'utf8')) as { port?: number }).port === port) return dataDirLayout(sub).dataDir;
      } catch {
        continue;
      }
    }
  }
  return null;
}

export async function killBroker(broker: RunBroker): Promise<void> {
  await stopBroker({ dataDir: broker.dataDir!, kill: true });
}

/** As a supervisor would: retry while the killed broker's ports are still being released. */
export async function restartBroker(broker: RunBroker): Promise<void> {
  await pollUntil(
    async () => {
      await startBroker({ dataDir: broker.dataDir!, port: broker.port, controllerPort: broker.controllerPort });
      return true;
    },
    { timeoutMs: 90_000, intervalMs: 1000, what: `the broker to restart on ${broker.dataDir} port ${broker.port}` },
  );
}

export async function stopRunBroker(broker: RunBroker): Promise<void> {
  if (broker.owned) await stopBroker({ dataDir: broker.dataDir! });
}

export interface DataFile {
  path: string;
  bytes: number;
}

/** The broker's on-disk log segments of the given topics (`ls` of the KRaft log dir). */
export function topicDataFiles(dataDir: string | null, topics: readonly string[]): DataFile[] {
  if (dataDir === null) return [];
  const logDirs = dataDirLayout(dataDir).logDirs;
  if (!existsSync(logDirs)) return [];
  const files: DataFile[] = [];
  for (const dir of readdirSync(logDirs).sort()) {
    if (!topics.some((t) => dir.startsWith(`${t}-`) && /^\d+$/.test(dir.slice(t.length + 1)))) continue;
    for (const name of readdirSync(join(logDirs, dir)).sort()) {
      const path = join(logDirs, dir, name);
      files.push({ path: join(dir, name), bytes: statSync(path).size });
    }
  }
  return files;
}
