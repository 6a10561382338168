/**
 * The whole machine's CPU over a run (every process: processor, broker, bench), from /proc/stat.
 * A run that keeps every core busy is bound by the machine, not by the loop measured; the ceiling
 * and catch-up rows carry this figure so a reader can tell which.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface MachineCpuSample {
  /** Jiffies spent busy (user, nice, system, irq, softirq, steal) and in all, summed over every core. */
  busy: number;
  total: number;
}

export interface MachineCpuUse {
  cores: number;
  /** Cores busy on average over the run (0..cores). */
  busy_cores: number;
  /** busy_cores as a share of all cores, 0..1. */
  busy_share: number;
}

/** The machine's CPU counters now; null where /proc/stat cannot be read (not Linux). */
export function sampleMachineCpu(): MachineCpuSample | null {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  return parseProcStat(text);
}

/** The first line of /proc/stat: `cpu user nice system idle iowait irq softirq steal ...`. */
export function parseProcStat(text: string): MachineCpuSample | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) return null;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 8 || fields.some((n) => !Number.isFinite(n))) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** What the machine's cores did between two samples; null without both or with no time between. */
export function machineCpuUse(start: MachineCpuSample | null, end: MachineCpuSample | null, cores = availableParallelism()): MachineCpuUse | null {
  if (start === null || end === null) return null;
  const total = end.total - start.total;
  if (total <= 0) return null;
  const share = (end.busy - start.busy) / total;
  return { cores, busy_cores: Math.round(share * cores * 100) / 100, busy_share: Math.round(share * 1000) / 1000 };
}
