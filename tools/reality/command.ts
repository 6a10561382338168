/** `exoarmur reality [--scenario DIR] [--out DIR] [--brokers LIST] [--seed S] [--no-faults] [--no-compose] [--secure]` — prove the gates, write the bundle. */
import type { CommandModule } from 'yargs';
import { runReality } from './run.js';

interface RealityArgs {
  scenario: string;
  out: string;
  brokers?: string;
  seed?: string;
  faults: boolean;
  compose: boolean;
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
      .option('seed', { type: 'string', describe: 'places the kills added to a scenario without fault steps (default: the run id)' })
      .option('faults', { type: 'boolean', default: true, describe: 'inject faults; --no-faults injects none and leaves gate 2 UNPROVEN' })
      .option('compose', {
        type: 'boolean',
        default: true,
        describe: 'play the scenario again on docker-compose (gate 4) wherever a Docker engine can run; --no-compose leaves gate 4 UNPROVEN',
      })
      .option('secure', {
        type: 'boolean',
        default: false,
        describe: 'embedded broker with SASL/SCRAM over TLS and role ACLs; the processor runs as User:processor (bundle: security.json)',
      }) as never,
  handler: async (args) => {
    const started = Date.now();
    const result = await runReality({
      scenarioDir: args.scenario,
      outDir: args.out,
      brokers: args.brokers,
      seed: args.seed,
      noFaults: !args.faults,
      compose: args.compose,
      secure: args.secure,
    });
    process.stdout.write(result.passFail);
    process.stdout.write(`bundle: ${result.bundleDir} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    process.exitCode = result.overall === 'PASS' ? 0 : 1;
  },
};
