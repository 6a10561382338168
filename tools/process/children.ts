/**
 * Real `exoarmur` child processes for the integration tests and the reality harness: spawned from
 * dist/, killed for real (SIGKILL is a crash, SIGTERM a clean stop), their exit awaited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ExoArmurError } from '../../processor/errors.js';

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
  constructor(args: string[], env: NodeJS.ProcessEnv = process.env, nodeArgs: readonly string[] = []) {
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

  async kill(signal: NodeJS.Signals): Promise<CliRun> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}

/** Runs a CLI command to completion; rejects with its stderr when it exits non-zero. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  const run = await new CliChild(args, env).exited;
  if (run.code !== 0) throw new ExoArmurError('CHILD_COMMAND_FAILED', `exoarmur ${args.join(' ')} exited ${run.code ?? run.signal}: ${run.stderr.trim()}`);
  return run;
}
