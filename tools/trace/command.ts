/** `exoarmur trace <id> [--bundle DIR | --config FILE --brokers LIST] [--json]` — the decision story of one event, intent, approval, action or correlation. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadEffectiveConfig } from '../../processor/config/index.js';
import { decodeRecord } from '../../processor/codec/index.js';
import type { AuditRecordV1, DeadLetterV1 } from '../../processor/core/types.js';
import { UsageError } from '../../processor/errors.js';
import { kafkaForConfig } from '../../processor/io/client.js';
import { readTopic } from '../../processor/io/read.js';
import { storyText, traceStory } from './story.js';
import { withConnect } from '../lib/cli-options.js';

interface TraceArgs {
  id: string;
  bundle?: string;
  config?: string;
  brokers?: string;
  json: boolean;
}

function bundleAudit(dir: string): AuditRecordV1[] {
  const file = join(dir, 'audit_export.jsonl');
  if (!existsSync(file)) throw new UsageError('BUNDLE_NOT_FOUND', `${file} does not exist: give --bundle the artifacts/<run_id>/ directory a reality run wrote`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditRecordV1);
}

export const traceCommand: CommandModule<object, TraceArgs> = {
  command: 'trace <id>',
  describe: 'the decision story of an event_id, correlation_id, intent, approval or action id: receipt to outcome, rule descriptions beside rule ids (rejected events too)',
  builder: (y) =>
    withConnect(y, "the processor's JSON config file (topics, brokers)")
      .positional('id', { type: 'string', demandOption: true, describe: 'event_id, correlation_id, intent_id, approval_id, action_id or audit_id' })
      .option('bundle', { type: 'string', describe: 'read an evidence bundle (artifacts/<run_id>/) instead of the broker' })
      .option('json', { type: 'boolean', default: false, describe: 'the story as JSON (every record whole)' }) as Argv<TraceArgs>,
  handler: async (args) => {
    let audit: AuditRecordV1[];
    let telemetryTopic: string | undefined;
    const deadLetters: string[] = [];
    let source: string;
    if (args.bundle !== undefined) {
      audit = bundleAudit(args.bundle);
      source = `bundle ${args.bundle}`;
    } else {
      const effective = loadEffectiveConfig({ file: args.config, env: process.env, brokers: args.brokers });
      const { topics } = effective.config;
      telemetryTopic = topics.telemetry;
      const kafka = kafkaForConfig(effective, { clientId: 'exoarmur-trace', topics: [topics.audit, topics.dlq] });
      audit = [];
      await readTopic(kafka, {
        topic: topics.audit,
        purpose: 'trace: reading the audit trail',
        onRecord: ({ message }) => {
          const decoded = decodeRecord('audit', message.value, message.headers);
          if (decoded.ok) audit.push(decoded.value as AuditRecordV1);
        },
      });
      // A rejected event's receipt names its dead letter, whose raw bytes still carry the event's ids.
      await readTopic(kafka, {
        topic: topics.dlq,
        purpose: 'trace: reading the dead letters',
        onRecord: ({ message }) => {
          const decoded = decodeRecord('dlq', message.value, message.headers);
          if (!decoded.ok) return;
          const letter = decoded.value as DeadLetterV1;
          if (letter.value !== null && Buffer.from(letter.value).toString('utf8').includes(args.id)) deadLetters.push(letter.dead_letter_id);
        },
      });
      source = `audit topic ${topics.audit}`;
    }
    const story = traceStory(audit, args.id, { ...(telemetryTopic === undefined ? {} : { telemetryTopic }), also: deadLetters });
    if (story === null) {
      throw new UsageError(
        'TRACE_NOT_FOUND',
        `no audit record in the ${source} (${audit.length} records) names ${args.id}: check the id, or the --config / --bundle it belongs to`,
      );
    }
    process.stdout.write(args.json ? `${JSON.stringify(story)}\n` : storyText(story));
  },
};
