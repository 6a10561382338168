/** What Linux's /proc says about a live process: its run state, memory and CPU time (the broker's liveness, the bench's samples). */
import { readFileSync } from 'node:fs';

export interface MemorySample {
  rssBytes: number;
  hwmBytes: number;
}

/** The fields of /proc/<pid>/stat after the parenthesised command name (which may hold spaces), or undefined once it is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** True when `pid` is a live process that is not a zombie (state Z or X is dead). */
export function isLive(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** True when `pid` is stopped (SIGSTOP: state T). */
export function isStopped(pid: number): boolean {
  return statFields(pid)?.[0] === 'T';
}

/** The process's command line as one string (arguments joined by NUL), or undefined once it is gone. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** VmRSS and VmHWM (peak RSS) of a live process, or undefined once it is gone. */
export function readMemory(pid: number): MemorySample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    if (rss === undefined || hwm === undefined) return undefined;
    return { rssBytes: Number(rss) * 1024, hwmBytes: Number(hwm) * 1024 };
  } catch {
    return undefined;
  }
}

/** User + system CPU time (ms) of a live process (Linux clock ticks are 1/100 s), or undefined once it is gone. */
export function readCpuMs(pid: number): number | undefined {
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15 of the whole line.
  return fields === undefined ? undefined : (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The latest memory and CPU figures of one process, for a sampling hook called with its PID. */
export class ProcMeter {
  /** Latest VmRSS/VmHWM sample. */
  memory: MemorySample = { rssBytes: 0, hwmBytes: 0 };
  /** CPU time the process has used so far (a figure the load of other processes barely moves). */
  cpuMs = 0;

  readonly probe = (pid: number): void => {
    const memory = readMemory(pid);
    if (memory !== undefined) this.memory = memory;
    const cpu = readCpuMs(pid);
    if (cpu !== undefined) this.cpuMs = cpu;
  };
}
