/** `exoarmur reality [--scenario DIR] [--out DIR] [--brokers LIST]` — prove the gates, write the bundle. */
import type { CommandModule } from 'yargs';
import { runReality } from './run.js';

interface RealityArgs {
  scenario: string;
  out: string;
  brokers?: string;
  secure: boolean;
}

export const realityCommand: CommandModule<object, RealityArgs> = {
  command: 'reality',
  describe: 'run a scenario end to end on a real broker with faults and write the evidence bundle',
  builder: (y) =>
    y
      .option('scenario', { type: 'string', default: 'fixtures/scenarios/default', describe: 'scenario directory (scenario.jsonl, config.json)' })
      .option('out', { type: 'string', default: 'artifacts', describe: 'the bundle goes to <out>/<run_id>/' })
      .option('brokers', { type: 'string', describe: 'use this broker (host:port) instead of starting the embedded one' })
      .option('secure', {
        type: 'boolean',
        default: false,
        describe: 'embedded broker with SASL/SCRAM over TLS and role ACLs; the processor runs as User:processor (bundle: security.json)',
      }) as never,
  handler: async (args) => {
    const started = Date.now();
    const result = await runReality({ scenarioDir: args.scenario, outDir: args.out, brokers: args.brokers, secure: args.secure });
    process.stdout.write(result.passFail);
    process.stdout.write(`bundle: ${result.bundleDir} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    process.exitCode = result.overall === 'PASS' ? 0 : 1;
  },
};
