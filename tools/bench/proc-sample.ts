/** Memory and CPU of a live child process, read from /proc (Linux). */
import { readFileSync } from 'node:fs';

export interface MemorySample {
  rssBytes: number;
  hwmBytes: number;
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
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
