/** Liveness of a broker process recorded in a pid file, robust to stale pids and zombies. */
import { existsSync, readFileSync } from 'node:fs';
import { commandLine, isLive } from '../lib/proc.js';

/** True when `pid` is a live (non-zombie) process whose command line mentions `marker`. */
export function isBrokerProcess(pid: number, marker: string): boolean {
  return isLive(pid) && (commandLine(pid)?.includes(marker) ?? false);
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
