#!/usr/bin/env node
/**
 * `exoarmur` — the thin CLI entry. Subcommands live in tools/<name>/ and are listed in commands.ts.
 * Every failure, from argument parsing to a command's last await, ends in `fail`: one line on
 * stderr and exit 2 or 1 (tools/lib/cli-failure.ts); `--debug` adds the stack trace.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands.js';
import { UsageError } from '../processor/errors.js';
import { asCliFailure, exitCodeOf, failureLine } from './lib/cli-failure.js';

const args = hideBin(process.argv);
// Read before parsing, so a parse failure honours it too.
const debug = args.includes('--debug');

function fail(error: unknown): never {
  const failure = asCliFailure(error);
  if (debug) process.stderr.write(`${failure.stack ?? ''}\n${error === failure ? '' : `caused by: ${(error as Error)?.stack ?? String(error)}\n`}`);
  process.stderr.write(`${failureLine(failure)}\n`);
  process.exit(exitCodeOf(failure));
}

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

const cli = yargs(args)
  .scriptName('exoarmur')
  .strict()
  .option('debug', { type: 'boolean', default: false, global: true, describe: 'print the stack trace of a failure' })
  .demandCommand(1, 'name a subcommand')
  .fail((msg, err) => {
    // yargs reports its own parse errors as a message and no error: those are usage errors.
    throw err ?? new UsageError('ARGUMENTS_INVALID', `${msg}: \`exoarmur --help\` lists the commands, \`exoarmur <command> --help\` their options`);
  })
  .help();

for (const command of commands) cli.command(command);

try {
  await cli.parseAsync();
} catch (error) {
  fail(error);
}
