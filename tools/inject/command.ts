/** `exoarmur inject FILE.jsonl [--topic T] [--raw] [--brokers LIST]` — check telemetry lines, then send them to the broker. */
import { readFile } from 'node:fs/promises';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../processor/errors.js';
import { createKafka } from '../../processor/io/client.js';
import { DEFAULT_CONFIG } from '../../processor/config/index.js';
import { checkTelemetryLines, injectLines, jsonlLines } from './inject.js';
import { BROKERS_OPTION_DESCRIBE } from '../../processor/config/index.js';
import { commandBrokers } from '../lib/brokers.js';

interface InjectArgs {
  file: string;
  topic: string;
  raw: boolean;
  brokers?: string;
}

export const injectCommand: CommandModule<object, InjectArgs> = {
  command: 'inject <file>',
  describe: 'send telemetry JSON lines (at least once, keyed tenant_id:correlation_id)',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'JSONL file, one TelemetryEventV1 per line' })
      .option('topic', { type: 'string', default: DEFAULT_CONFIG.topics.telemetry, describe: 'telemetry topic' })
      .option('raw', { type: 'boolean', default: false, describe: 'send every line as it is, unchecked (invalid lines become dead letters)' })
      .option('brokers', { type: 'string', describe: BROKERS_OPTION_DESCRIBE })
      .option('config', { type: 'string', describe: 'a config file whose "brokers" is the broker rule\'s last source' }) as never,
  handler: async (args) => {
    let text: string;
    try {
      text = await readFile(args.file, 'utf8');
    } catch (error) {
      throw new UsageError('INJECT_FILE_UNREADABLE', `cannot read ${args.file}: give an existing JSONL file`, { cause: error });
    }
    const lines = jsonlLines(text);
    if (!args.raw) checkTelemetryLines(lines, args.file);
    const brokers = commandBrokers(args);
    const report = await injectLines(createKafka({ brokers, clientId: 'exoarmur-inject', topics: [args.topic] }), args.topic, lines);
    process.stdout.write(`${JSON.stringify({ topic: args.topic, ...report })}\n`);
  },
};
