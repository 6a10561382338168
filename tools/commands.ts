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
import { processCommand } from './process/command.js';
import { injectCommand } from './inject/command.js';
import { inspectCommand } from './inspect/command.js';
import { realityCommand } from './reality/command.js';
import { operatorCommand } from './operator/command.js';
import { benchCommand } from './bench/command.js';
import { recordCommand } from './record/command.js';
import { actuateCommand } from './actuate/command.js';
import { receiverCommand } from './actuate/receiver-command.js';
import { statusCommand } from './status/command.js';
import { traceCommand } from './trace/command.js';
import { hostileCommand } from './hostile/command.js';
import { keygenCommand } from './keygen/command.js';
import { proveCommand, verifyProofCommand } from './proof/command.js';
import { whatifCommand } from './whatif/command.js';

// Each command has its own argument type; the table only hands them to yargs, which checks each.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  brokerCommand,
  topicsCommand,
  viewerCommand,
  processCommand,
  injectCommand,
  inspectCommand,
  realityCommand,
  operatorCommand,
  statusCommand,
  traceCommand,
  replayCommand,
  verifyCommand,
  benchCommand,
  recordCommand,
  actuateCommand,
  receiverCommand,
  hostileCommand,
  keygenCommand,
  proveCommand,
  verifyProofCommand,
  whatifCommand,
];
