/** `exoarmur inspect TOPIC` — print committed records as JSON lines, Avro decoded. */
import type { CommandModule } from 'yargs';
import { UsageError } from '../../processor/errors.js';
import { createKafka } from '../../processor/io/client.js';
import { inspectJson, inspectRecord } from './decode.js';
import { readTopic, type ReadFrom } from '../../processor/io/read.js';
import { BROKERS_OPTION_DESCRIBE } from '../../processor/config/index.js';
import { commandBrokers } from '../lib/brokers.js';

interface InspectArgs {
  topic: string;
  from: string;
  limit?: number;
  follow: boolean;
  partition?: number;
  brokers?: string;
}

function parseFrom(from: string): ReadFrom {
  if (from === 'earliest' || from === 'latest') return from;
  if (/^\d+$/.test(from)) return BigInt(from);
  throw new UsageError('INSPECT_FROM_INVALID', `--from ${from} is not earliest, latest or an offset: pass e.g. --from earliest or --from 42`);
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <topic>',
  describe: 'print committed records of a topic as JSON lines (read_committed, Avro decoded)',
  builder: (y) =>
    y
      .positional('topic', { type: 'string', demandOption: true })
      .option('from', { type: 'string', default: 'earliest', describe: 'earliest | latest | OFFSET (per partition)' })
      .option('limit', { type: 'number', describe: 'stop after N records' })
      .option('follow', { type: 'boolean', default: false, describe: 'keep printing new records until interrupted' })
      .option('partition', { type: 'number', describe: 'read only this partition' })
      .option('brokers', { type: 'string', describe: BROKERS_OPTION_DESCRIBE })
      .option('config', { type: 'string', describe: 'a config file whose "brokers" is the broker rule\'s last source' }) as never,
  handler: async (args) => {
    const from = parseFrom(args.from);
    const brokers = commandBrokers(args);
    const kafka = createKafka({ brokers, clientId: 'exoarmur-inspect', topics: [args.topic] });
    const abort = new AbortController();
    process.once('SIGINT', () => abort.abort());
    process.once('SIGTERM', () => abort.abort());
    await readTopic(kafka, {
      topic: args.topic,
      from,
      follow: args.follow,
      signal: abort.signal,
      ...(args.limit === undefined ? {} : { limit: args.limit }),
      ...(args.partition === undefined ? {} : { partitions: [args.partition] }),
      onRecord: ({ partition, message }) => process.stdout.write(`${inspectJson(inspectRecord(args.topic, partition, message))}\n`),
    });
  },
};
