#!/usr/bin/env node
/** `exoarmur` — the thin CLI entry. Subcommands live in tools/<name>/ and are listed in commands.ts. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands.js';
import { ExoArmurError } from '../processor/errors.js';

const cli = yargs(hideBin(process.argv))
  .scriptName('exoarmur')
  .strict()
  .demandCommand(1, 'Name a subcommand; `exoarmur --help` lists them.')
  .fail((msg, err, y) => {
    if (err instanceof ExoArmurError) {
      process.stderr.write(`exoarmur: ${err.message} [${err.code}]\n`);
    } else if (err) {
      process.stderr.write(`exoarmur: ${err.stack ?? String(err)}\n`);
    } else {
      process.stderr.write(`${y.help().toString?.() ?? ''}\nexoarmur: ${msg}\n`);
    }
    process.exit(err instanceof ExoArmurError ? 2 : 1);
  })
  .help();

for (const command of commands) cli.command(command);

await cli.parseAsync();
