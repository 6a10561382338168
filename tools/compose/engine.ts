/**
 * The Docker engine of a compose run, through tools/compose/engine.sh (the one place that starts and stops
 * dockerd): an engine that answers is used as it is; as root, one is started with loopback-only flags and
 * stopped again by the run that started it.
 */
import { join } from 'node:path';
import { repoRoot } from '../broker/paths.js';
import { runCommand } from './docker.js';

export type Engine = { ok: true; host: string; startedPid: number | null } | { ok: false; reason: string; enable: string };

/** How to enable an engine: the same words as engine.sh's `enable_hint`. */
export const ENABLE_ENGINE = 'as root: make deps (apt-get install docker.io docker-compose debootstrap), then make reality starts dockerd itself';

function script(): string {
  return join(repoRoot(), 'tools', 'compose', 'engine.sh');
}

/** Parses engine.sh's one line: `DOCKER_HOST=<url>[ STARTED_PID=<pid>]`, or `<reason>; <how to enable>`. */
export function parseEngineLine(line: string): Engine {
  const match = /^DOCKER_HOST=(\S+)(?: STARTED_PID=(\d+))?$/.exec(line.trim());
  if (match) return { ok: true, host: match[1]!, startedPid: match[2] === undefined ? null : Number(match[2]) };
  const [reason, ...rest] = line.trim().split('; ');
  return { ok: false, reason: reason || 'engine.sh said nothing', enable: rest.join('; ') || ENABLE_ENGINE };
}

export async function startEngine(): Promise<Engine> {
  const result = await runCommand(script(), ['start'], { timeoutMs: 120_000 });
  if (result.code === 127) return { ok: false, reason: 'tools/compose/engine.sh cannot run', enable: ENABLE_ENGINE };
  return parseEngineLine(result.stdout.trim().split('\n').at(-1) ?? '');
}

/** Stops the dockerd this run started (none when it found one answering). */
export async function stopEngine(engine: Engine): Promise<string> {
  if (!engine.ok || engine.startedPid === null) return 'engine left as found';
  const result = await runCommand(script(), ['stop'], { timeoutMs: 120_000 });
  return result.stdout.trim() || result.stderr.trim();
}

/** The environment every docker and docker-compose command of the run gets. */
export function engineEnv(engine: Extract<Engine, { ok: true }>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: engine.host, ...extra };
}
