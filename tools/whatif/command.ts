/**
 * `exoarmur whatif --config candidate.json (--recorded DIR | --run RUN_ID | --topic-prefix P)`:
 * what a candidate policy would have decided on a finished run's recorded inputs. Reads only;
 * writes nothing to any topic.
 */
import { resultsTopic } from '../../processor/config/defaults.js';
import { writeFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { BROKERS_OPTION_DESCRIBE, readConfigFile } from '../../processor/config/index.js';
import { UsageError } from '../../processor/errors.js';
import { topicNames } from '../../processor/io/topics.js';
import { commandBrokers } from '../lib/brokers.js';
import { topicsForRun } from '../reality/naming.js';
import { loadRecordedRun } from '../record/load.js';
import { readRecordedRun } from '../replay/replay.js';
import { whatIf, type Decision, type WhatIfReport } from './whatif.js';

interface WhatIfArgs {
  config?: string;
  recorded?: string;
  run?: string;
  'topic-prefix'?: string;
  brokers?: string;
  out?: string;
}

/** How many changed events the summary on stdout lists (--out writes every one). */
const LISTED = 20;

function shown(d: Decision): string {
  return `${d.verdict ?? '-'} ${d.rule ?? '-'} approval ${d.approval} ${d.final ?? '-'}`;
}

export function summaryLines(report: WhatIfReport, out: string | undefined): string[] {
  const lines = [`whatif ${report.run_id}: ${report.changed} of ${report.events} events would change`];
  for (const c of report.changes.slice(0, LISTED)) {
    lines.push(`  partition ${c.partition} offset ${c.offset} ${c.idempotency_key} (${c.before.actionClass ?? 'no intent'}): ${shown(c.before)} -> ${shown(c.after)}`);
  }
  if (report.changed > LISTED) lines.push(`  … ${report.changed} in all${out === undefined ? '; --out FILE writes every one' : ` (see ${out})`}`);
  const moved = Object.entries(report.by_rule).filter(([, t]) => t.before !== t.after);
  if (moved.length > 0) lines.push(`rules (before -> after): ${moved.map(([rule, t]) => `${rule} ${t.before} -> ${t.after}`).join(', ')}`);
  const classes = Object.entries(report.changed_by_class);
  if (classes.length > 0) lines.push(`changed per class: ${classes.map(([c, n]) => `${c} ${n}`).join(', ')}`);
  return lines;
}

export const whatifCommand: CommandModule<object, WhatIfArgs> = {
  command: 'whatif',
  describe: "decide a finished run's recorded inputs again with a candidate config and report every event whose verdict, rule, approval or final state would change",
  builder: (y: Argv) =>
    y
      .option('config', { type: 'string', describe: 'the candidate: a partial config (e.g. {"policy": {...}}) merged over the config each input was decided with' })
      .option('recorded', { type: 'string', describe: 'a recorded-run directory (exoarmur record), read offline' })
      .option('run', { type: 'string', describe: 'run id (ULID) of a reality run, read from the broker' })
      .option('topic-prefix', { type: 'string', describe: 'prefix of the run\'s topic names instead of --run ("" for the default names)' })
      .option('brokers', { type: 'string', describe: BROKERS_OPTION_DESCRIBE })
      .option('out', { type: 'string', describe: 'write the whole report (JSON) here' }) as Argv<WhatIfArgs>,
  handler: async (args) => {
    if (args.config === undefined) {
      throw new UsageError('WHATIF_CANDIDATE_MISSING', 'whatif needs --config FILE: the candidate config to decide the recorded inputs with');
    }
    const prefix = args['topic-prefix'];
    if ([args.recorded, args.run, prefix].filter((s) => s !== undefined).length !== 1) {
      throw new UsageError('WHATIF_SOURCE_MISSING', 'whatif needs exactly one of --recorded DIR, --run RUN_ID or --topic-prefix PREFIX: the finished run to decide again');
    }
    const candidate = readConfigFile(args.config);
    let source;
    if (args.recorded !== undefined) {
      const { meta, recorded } = await loadRecordedRun(args.recorded);
      source = { recorded, topics: meta.topics, runId: meta.run_id };
    } else {
      const topics = args.run !== undefined ? topicsForRun(args.run) : topicNames({ prefix });
      source = { recorded: await readRecordedRun({ brokers: commandBrokers(args), topics }), topics, runId: args.run ?? topics.audit };
    }
    const report = whatIf(source.recorded, {
      runId: source.runId,
      telemetryTopic: source.topics.telemetry,
      operatorTopic: source.topics.operator_actions,
      resultsTopic: resultsTopic(source.topics),
      candidate,
    });
    if (args.out !== undefined) await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${summaryLines(report, args.out).join('\n')}\n`);
  },
};
