/**
 * How a failed command reports itself: one line `exoarmur: <message> [CODE]` on stderr and an exit
 * code — 2 when the command line, config or a file must change (or a processor halted), 1 for anything else — never a
 * stack trace unless --debug asks for one. Errors that are not ExoArmur's own (a raw client
 * error, a bug) are given a registered code here, the one place that does.
 */
import { ExoArmurError, InvariantError, KafkaOperationError, UsageError } from '../../processor/errors.js';

export interface CliFailure {
  /** The whole stderr line, newline included. */
  line: string;
  exitCode: 1 | 2;
  /** The stack of the error as raised (for --debug). */
  stack: string;
}

function asExoArmurError(error: unknown): ExoArmurError {
  if (error instanceof ExoArmurError) return error;
  const e = error instanceof Error ? error : new Error(String(error));
  const errno = e as NodeJS.ErrnoException;
  // A file the user named could not be read or written: the path and the system's reason are the fix.
  if (typeof errno.code === 'string' && typeof errno.syscall === 'string' && typeof errno.path === 'string') {
    return new UsageError('FILE_ACCESS_FAILED', `cannot ${errno.syscall} ${errno.path}: ${errno.code}: check the path and its permissions, or pass another one`, { cause: e });
  }
  if (e.name.startsWith('KafkaJS'))
    return new KafkaOperationError(
      'KAFKA_OPERATION_FAILED',
      `the broker could not be used (${e.message}): check --brokers, KAFKA_BROKERS or the config's brokers, and that the broker is up`,
      { cause: e },
    );
  return new InvariantError('UNEXPECTED_ERROR', `${e.name}: ${e.message} (a bug: rerun with --debug and report the stack)`, { cause: e });
}

/** 2 for usage; a processor halted on a failure retrying cannot fix also exits 2 (DESIGN.md: "halt the processor with exit 2"), so a supervisor tells it from a crash. */
function exitCodeOf(error: ExoArmurError): 1 | 2 {
  return error.recovery === 'usage' || error.code === 'PROCESSING_HALTED' ? 2 : 1;
}

export function cliFailure(error: unknown): CliFailure {
  const own = asExoArmurError(error);
  const message = own.message.replace(/\s*\n\s*/g, ' ').trim();
  const raised = error instanceof Error ? error : own;
  return { line: `exoarmur: ${message} [${own.code}]\n`, exitCode: exitCodeOf(own), stack: raised.stack ?? String(raised) };
}
