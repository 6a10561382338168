/**
 * Test support for proving where a kill landed: kcat (librdkafka, an independent client) reads an
 * audit partition read_committed or read_uncommitted, and a processor stopped with SIGSTOP is
 * looked at while it cannot move, so "a transaction is open" is seen, not guessed.
 *
 * One transactional producer writes each audit partition, so a transaction with records is open on
 * it exactly when its last record (HW - 1) is a data record at or past the last stable offset (a
 * finished transaction ends in its commit or abort marker, which readers never receive).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { topicWatermarks } from '../../processor/io/offsets.js';
import { ExoArmurError } from '../../processor/errors.js';
import type { CliRun, ProcessorChild } from '../lib/children.js';
import { pollUntil } from '../lib/poll.js';
import { inputProgress, type ProcessorFixture } from './processor.js';

const run = promisify(execFile);

export type Isolation = 'read_committed' | 'read_uncommitted';

async function kcatOffsets(fixture: ProcessorFixture, partition: number, isolation: Isolation, from: string, count?: number): Promise<bigint[]> {
  const args = ['-C', '-b', fixture.brokers, '-t', fixture.topics.audit, '-p', String(partition), '-o', from, '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%o\\n'];
  if (count !== undefined) args.push('-c', String(count));
  const { stdout } = await run('kcat', args);
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => BigInt(line));
}

/** Offsets of every record of one audit partition a reader with this isolation receives. */
export function auditRecordsAt(fixture: ProcessorFixture, partition: number, isolation: Isolation): Promise<bigint[]> {
  return kcatOffsets(fixture, partition, isolation, 'beginning');
}

export interface OpenTransaction {
  partition: number;
  /** The last stable offset: the open transaction's first record is at or after it. */
  from: bigint;
  /** Its last record so far. */
  to: bigint;
}

/** Audit partitions with an open transaction that has written records (look while its writer is stopped). */
export async function openAuditTransactions(fixture: ProcessorFixture): Promise<OpenTransaction[]> {
  const stable = await topicWatermarks(fixture.kafka, fixture.topics.audit);
  const open: OpenTransaction[] = [];
  for (const [partition, marks] of stable) {
    const [last] = await kcatOffsets(fixture, partition, 'read_uncommitted', '-1', 1);
    if (last !== undefined && last >= marks.high) open.push({ partition, from: marks.high, to: last });
  }
  return open;
}

/**
 * Stops the processor (SIGSTOP) until it is caught with a transaction open, then SIGKILLs it there;
 * between attempts it runs on until one more input is committed. Returns where the kill landed.
 */
export async function killInsideTransaction(fixture: ProcessorFixture, processor: ProcessorChild, maxAttempts = 40): Promise<OpenTransaction & { attempts: number; exit: CliRun }> {
  for (let attempts = 1; attempts <= maxAttempts; attempts += 1) {
    processor.signal('SIGSTOP');
    const [open] = await openAuditTransactions(fixture);
    if (open !== undefined) return { ...open, attempts, exit: await processor.kill('SIGKILL') };
    processor.signal('SIGCONT');
    const before = (await inputProgress(fixture)).committed;
    await pollUntil(async () => (await inputProgress(fixture)).committed > before, {
      timeoutMs: 60_000,
      intervalMs: 20,
      what: 'one more committed input',
      giveUp: () => (processor.running ? undefined : processor.exitedError()),
    });
  }
  throw new ExoArmurError('WAIT_TIMEOUT', `no open transaction caught in ${maxAttempts} stops of the processor`);
}
