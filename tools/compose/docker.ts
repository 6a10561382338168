/**
 * The docker and docker-compose command lines the compose path runs, as child processes whose exit code and
 * output are returned (never thrown), so each caller says what a failure means for it.
 */
import { execFile, execFileSync } from 'node:child_process';

export interface CommandResult {
  /** The exit code; 127 when the program is not installed. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

export function runCommand(program: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      program,
      args,
      { env: options.env ?? process.env, cwd: options.cwd, timeout: options.timeoutMs ?? 600_000, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ code: 0, stdout, stderr });
        const failed = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        if (failed.code === 'ENOENT') return resolve({ code: 127, stdout: '', stderr: `${program}: not installed` });
        const timedOut = failed.killed === true ? ` (killed after ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s)` : '';
        resolve({ code: typeof failed.code === 'number' ? failed.code : 1, stdout, stderr: `${stderr}${timedOut}` });
      },
    );
  });
}

/** For the few reads a synchronous caller needs (a container's state); a failure reads as null. */
export function runCommandSync(program: string, args: readonly string[], options: CommandOptions = {}): string | null {
  try {
    return execFileSync(program, args, { env: options.env ?? process.env, timeout: options.timeoutMs ?? 30_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return null;
  }
}

/** The last lines of a command's output, on one line, for an error message. */
export function tail(result: CommandResult, lines = 3): string {
  return `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-lines).join(' | ');
}
