#!/usr/bin/env node
/** `exoarmur` — the thin CLI entry. Subcommands live in tools/<name>/ and are listed in commands.ts. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands.js';
import { UsageError } from '../processor/errors.js';
import { cliFailure } from './lib/failure.js';
import { setToolLibraryLog } from '../processor/io/client.js';

const argv = hideBin(process.argv);
const cli = yargs(argv)
  .scriptName('exoarmur')
  .strict()
  .demandCommand(1, 'name a subcommand')
  .option('debug', { type: 'boolean', default: false, global: true, describe: 'on failure, print the stack trace as well' })
  .option('verbose', { type: 'boolean', default: false, global: true, describe: 'show the Kafka client library logs of this command on stderr' })
  .middleware((args) => setToolLibraryLog(args.verbose ? 'verbose' : 'quiet'))
  // A parse error (msg, no err) becomes a usage error; everything is reported by the one handler below.
  .fail((msg, err) => {
    throw err ?? new UsageError('CLI_USAGE', `${msg}: see exoarmur --help, or exoarmur <command> --help`);
  })
  .help();

for (const command of commands) cli.command(command);

try {
  await cli.parseAsync();
} catch (error) {
  const failure = cliFailure(error);
  process.stderr.write(failure.line);
  if (argv.includes('--debug')) process.stderr.write(`${failure.stack}\n`);
  process.exitCode = failure.exitCode;
}
