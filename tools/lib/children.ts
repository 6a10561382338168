/**
 * Real `exoarmur` child processes, the one place the tools, the reality harness, the bench and the
 * tests spawn them: spawned from dist/, signalled by PID for real (SIGKILL is a crash, SIGTERM a
 * clean stop, SIGSTOP/SIGCONT a stall), their exit awaited. A processor child always gets its broker
 * as `--brokers` (a flag outranks an exported KAFKA_BROKERS) and writes its pino log to a file that
 * is read back by the named log events of processor/log-events.ts, never by message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ExoArmurError } from '../../processor/errors.js';
import type { LogEvent } from '../../processor/log-events.js';
import { pollUntil } from './poll.js';
import { refuseStartsWhileStopping } from './run-cleanup.js';

/** dist/tools/cli.js, next to this compiled module's parent. */
export const CLI_PATH = fileURLToPath(new URL('../cli.js', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class CliChild {
  readonly child: ChildProcess;
  readonly exited: Promise<CliRun>;
  private stdout = '';
  private stderr = '';

  /** `nodeArgs` go to node itself (e.g. --cpu-prof, which NODE_OPTIONS does not accept). */
  constructor(args: readonly string[], env: NodeJS.ProcessEnv = process.env, nodeArgs: readonly string[] = []) {
    refuseStartsWhileStopping(`exoarmur ${args[0] ?? ''}`);
    this.child = spawn(process.execPath, ['--enable-source-maps', ...nodeArgs, CLI_PATH, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => {
      // 'close' (not 'exit') so the pipes are drained when it resolves.
      this.child.on('close', (code, signal) => resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }));
    });
  }

  get output(): { stdout: string; stderr: string } {
    return { stdout: this.stdout, stderr: this.stderr };
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` to the child's PID; resolves when it has exited (so never for SIGSTOP or SIGCONT: use `signal`). */
  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<CliRun> {
    this.signal(signal);
    return this.exited;
  }

  /** Sends `signal` to the child's PID if it still runs; does not wait. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid !== undefined && this.running) process.kill(pid, signal);
  }

  /** The last lines of its stderr, for an error message. */
  failure(): string {
    return this.stderr.trim().split('\n').slice(-3).join(' | ') || `no stderr (exit ${this.child.exitCode ?? this.child.signalCode})`;
  }
}

/** Runs a CLI command to completion; rejects with its stderr when it exits non-zero. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  const run = await new CliChild(args, env).exited;
  if (run.code !== 0) throw new ExoArmurError('CHILD_COMMAND_FAILED', `exoarmur ${args.join(' ')} exited ${run.code ?? run.signal}: ${run.stderr.trim()}`);
  return run;
}

export interface ProcessorChildOptions {
  /** Always passed as --brokers. */
  brokers: string;
  configFile: string;
  logFile: string;
  /** Further `exoarmur process` flags (e.g. --max-inputs-per-transaction). */
  args?: readonly string[];
  /** Flags for node itself. */
  nodeArgs?: readonly string[];
  /** Write a V8 CPU profile (node --cpu-prof) into this directory when the child exits. */
  cpuProfileDir?: string;
  /** Called with the child's PID every `everyMs` while it runs, and once more before it is signalled (the bench's /proc samples). */
  sample?: { everyMs: number; probe: (pid: number) => void };
  env?: NodeJS.ProcessEnv;
}

export type LogEntry = Record<string, unknown>;

/** `exoarmur process` as a child. */
export class ProcessorChild {
  readonly spawnedAtMs = Date.now();
  readonly logFile: string;
  private readonly cli: CliChild;
  private readonly sampler: NodeJS.Timeout | undefined;

  constructor(readonly options: ProcessorChildOptions) {
    this.logFile = options.logFile;
    const profile = options.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`];
    this.cli = new CliChild(
      ['process', '--brokers', options.brokers, '--config', options.configFile, '--log-file', options.logFile, ...(options.args ?? [])],
      options.env ?? process.env,
      [...(options.nodeArgs ?? []), ...profile],
    );
    const sample = options.sample;
    if (sample !== undefined) {
      this.sampler = setInterval(() => this.sampleNow(), sample.everyMs);
      void this.cli.exited.then(() => clearInterval(this.sampler));
    }
  }

  get pid(): number | undefined {
    return this.cli.child.pid;
  }

  get running(): boolean {
    return this.cli.running;
  }

  get exited(): Promise<CliRun> {
    return this.cli.exited;
  }

  get output(): { stdout: string; stderr: string } {
    return this.cli.output;
  }

  /** Calls the sample probe now, if the child runs and has one. */
  sampleNow(): void {
    const pid = this.cli.child.pid;
    if (pid !== undefined && this.running) this.options.sample?.probe(pid);
  }

  /** Every complete JSON line of its log so far (a line still being written is left for the next read). */
  log(): LogEntry[] {
    if (!existsSync(this.logFile)) return [];
    const lines = readFileSync(this.logFile, 'utf8').split('\n');
    lines.pop();
    return lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogEntry);
  }

  /** Its log lines of one named event. */
  events(event: LogEvent): LogEntry[] {
    return this.log().filter((entry) => entry['event'] === event);
  }

  /** Polls its log until `count` lines of `event` are there; fails at once if the child exits first. */
  async waitForEvent(event: LogEvent, options: { count?: number; timeoutMs?: number } = {}): Promise<LogEntry[]> {
    const count = options.count ?? 1;
    return pollUntil(
      () => {
        const found = this.events(event);
        return found.length >= count ? found : undefined;
      },
      {
        timeoutMs: options.timeoutMs ?? 60_000,
        intervalMs: 100,
        what: `${count} '${event}' log event(s) in ${this.logFile}`,
        giveUp: () => (this.running || this.events(event).length >= count ? undefined : this.exitedError()),
      },
    );
  }

  /** Throws PROCESSOR_EXITED when the child is gone (a poll can stop waiting for it). */
  assertRunning(): void {
    if (!this.running) throw this.exitedError();
  }

  exitedError(): ExoArmurError {
    return new ExoArmurError('PROCESSOR_EXITED', `the processor exited: ${this.cli.failure()} (log: ${this.logFile})`, { context: { log_file: this.logFile } });
  }

  /** The last lines of its stderr. */
  failure(): string {
    return this.cli.failure();
  }

  /** SIGSTOP, SIGCONT or any signal, by PID, without waiting. */
  signal(signal: NodeJS.Signals): void {
    this.cli.signal(signal);
  }

  /** SIGKILL (a crash) or SIGTERM (a clean stop) by PID; resolves with its exit. */
  async kill(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<CliRun> {
    if (this.running) this.sampleNow();
    clearInterval(this.sampler);
    return this.cli.kill(signal);
  }

  /** SIGTERM, and PROCESSOR_STOP_FAILED unless it finished its transaction, left the group and exited 0. */
  async stop(): Promise<CliRun> {
    const run = await this.kill('SIGTERM');
    if (run.code !== 0) {
      throw new ExoArmurError('PROCESSOR_STOP_FAILED', `the processor exited ${run.code ?? run.signal} on SIGTERM: ${this.cli.failure()} (log: ${this.logFile})`, {
        context: { log_file: this.logFile },
      });
    }
    return run;
  }
}
