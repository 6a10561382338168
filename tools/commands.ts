/**
 * Every `exoarmur` subcommand, registered here and nowhere else. A subcommand is listed only
 * once it is really implemented.
 */
import type { CommandModule } from 'yargs';
import { brokerCommand } from './broker/command.js';
import { replayCommand } from './replay/command.js';
import { topicsCommand } from './topics/command.js';
import { verifyCommand } from './verify/command.js';
import { viewerCommand } from './viewer/command.js';

export const commands: CommandModule<any, any>[] = [
  brokerCommand,
  topicsCommand,
  viewerCommand,
  replayCommand,
  verifyCommand,
];
