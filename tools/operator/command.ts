/**
 * `exoarmur operator keygen|pending|approve|deny|kill-switch|contained|keep-contained` — the human side of DESIGN §2 step 8.
 * Every command but keygen takes the processor's `--config` (topic names, brokers, the operator
 * registry) so it reads and writes the same topics the processor uses.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadEffectiveConfig } from '../../processor/config/index.js';
import type { EffectiveConfig } from '../../processor/config/types.js';
import type { Topics } from '../../processor/config/index.js';
import { ExoArmurError, UsageError } from '../../processor/errors.js';
import { kafkaForConfig, type Kafka } from '../../processor/io/client.js';
import { withConnect, type ConnectArgs } from '../lib/cli-options.js';
import { withProgress } from '../lib/progress.js';
import { auditEnds, verdictText, waitForVerdicts } from './verdict.js';
import { decideApproval, readSigner, sendKeepContained, setKillSwitch, type PublishedDecision, type Signer } from './actions.js';
import { containmentText, containmentViews } from './containments.js';
import { pendingTable, pendingViews, readOperatorState } from './approvals.js';
import { killSwitchText, killSwitchViews } from './kill-switches.js';
import { generateOperatorKey, registryEntry } from './sign.js';

interface WaitArgs {
  wait: boolean;
  'wait-timeout': number;
}

function withWait<T>(y: Argv<T>): Argv<T & WaitArgs> {
  return y
    .option('wait', { type: 'boolean', default: false, describe: "wait for the processor's verdict on this action (audit trail); exit 1 when it is rejected" })
    .option('wait-timeout', { type: 'number', default: 60, describe: 'seconds --wait waits for the verdict' }) as Argv<T & WaitArgs>;
}

/**
 * Publishes through `publish`; with --wait, then reads the processor's verdict on that very
 * record from the audit trail (read from where the audit partitions ended before publishing).
 */
async function publishAndMaybeWait(args: WaitArgs, kafka: Kafka, effective: EffectiveConfig, publish: () => Promise<PublishedDecision>): Promise<void> {
  const auditTopic = effective.config.topics.audit;
  const from = args.wait ? await auditEnds(kafka, auditTopic) : new Map<number, bigint>();
  const decision = await publish();
  printDecision(decision);
  if (!args.wait) return;
  const verdicts = await withProgress(
    (line) => process.stderr.write(`${line}\n`),
    { what: `the processor's verdict on action ${decision.action.action_id}` },
    () => waitForVerdicts(kafka, auditTopic, decision.published, from, args['wait-timeout'] * 1000),
  );
  const { text, rejected } = verdictText(decision.action.action_id, verdicts);
  process.stdout.write(text);
  if (rejected.length > 0) {
    const first = rejected[0]!;
    throw new ExoArmurError(
      'ACTION_REJECTED',
      `the processor rejected ${decision.action.action} ${decision.action.action_id}${rejected.length > 1 ? ` on ${rejected.length} partitions` : ''}: ${first.reason_code} — ${first.reason}`,
    );
  }
}

interface SignerArgs {
  actor: string;
  key: string;
}

/** The options every signed action takes: who signs, with which key. */
function withSigner<T>(y: Argv<T>): Argv<T & SignerArgs> {
  return y
    .option('actor', { type: 'string', demandOption: true, describe: 'your operator id, as registered in the config' })
    .option('key', { type: 'string', demandOption: true, describe: 'your private key file (from keygen)' }) as Argv<T & SignerArgs>;
}

const withConfig = <T>(y: Argv<T>): Argv<T & ConnectArgs> => withConnect(y, "the processor's JSON config file (topics, brokers, operator registry)");

/** The config and a client that fails fast, naming them, when the broker or the topics the command needs are missing. */
/**
 * Every signed action's handler: read the signer, connect with the topics the action needs (the
 * audit topic too with --wait), then publish it and, with --wait, print the processor's verdict.
 */
async function sendSigned(
  args: ConnectArgs & SignerArgs & WaitArgs,
  needs: readonly Exclude<keyof Topics, 'results' | 'actuator_state' | 'audit'>[],
  send: (kafka: Kafka, effective: EffectiveConfig, signer: Signer) => Promise<PublishedDecision>,
): Promise<void> {
  const signer = readSigner(args.actor, args.key);
  const { effective, kafka } = connect(args, args.wait ? [...needs, 'audit'] : needs);
  await publishAndMaybeWait(args, kafka, effective, () => send(kafka, effective, signer));
}

function connect(args: ConnectArgs, needs: readonly Exclude<keyof Topics, 'results' | 'actuator_state'>[]): { effective: EffectiveConfig; kafka: Kafka } {
  const effective = loadEffectiveConfig({ file: args.config, env: process.env, brokers: args.brokers });
  const topics = needs.map((key) => effective.config.topics[key]);
  return { effective, kafka: kafkaForConfig(effective, { clientId: 'exoarmur-operator', topics }) };
}

function printDecision(decision: PublishedDecision): void {
  const { action, published } = decision;
  process.stdout.write(
    `${JSON.stringify({ action_id: action.action_id, action: action.action, actor_id: action.actor_id, approval_id: action.approval_id, tenant_id: action.tenant_id, scope: action.scope, ...(action.action === 'keep_contained' ? { intent_id: action.intent_id, keep_until: action.keep_until } : {}), decided_at: action.decided_at, topic: published.topic, partitions: published.partitions, offsets: published.offsets })}\n`,
  );
}

interface KeygenArgs {
  actor: string;
  out: string;
  force: boolean;
}

const keygenCommand: CommandModule<object, KeygenArgs> = {
  command: 'keygen',
  describe: 'make an Ed25519 key for an operator: writes <out>/<actor>.key (0600), prints the registry entry for the config',
  builder: (y) =>
    y
      .option('actor', { type: 'string', demandOption: true, describe: 'the operator id the key signs as' })
      .option('out', { type: 'string', default: '.exoarmur/operators', describe: 'directory for the private key file' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite an existing key file' }) as Argv<KeygenArgs>,
  handler: (args) => {
    if (!/^[A-Za-z0-9._@-]+$/.test(args.actor)) {
      throw new UsageError('ACTOR_INVALID', `actor id "${args.actor}" must be letters, digits, ".", "_", "@" or "-": it names the key file and the registry entry`);
    }
    const key = generateOperatorKey(args.actor);
    mkdirSync(args.out, { recursive: true, mode: 0o700 });
    const file = resolve(join(args.out, `${args.actor}.key`));
    if (existsSync(file) && !args.force) {
      throw new UsageError('KEY_EXISTS', `${file} already exists: keep using it, pass --force to replace it, or choose another --out`);
    }
    // mode applies on creation only; chmod covers --force over an existing file.
    writeFileSync(file, key.private_key_pem, { mode: 0o600 });
    chmodSync(file, 0o600);
    process.stderr.write(`private key written to ${file} (mode 0600); add the entry below to the config's "operators" and restart the processor\n`);
    process.stdout.write(`${JSON.stringify(registryEntry(key))}\n`);
  },
};

interface PendingArgs extends ConnectArgs {
  tenant?: string;
  json: boolean;
}

const pendingCommand: CommandModule<object, PendingArgs> = {
  command: 'pending',
  describe: 'list pending approvals with the stream time left before each expires, and the kill switches (state changelog, read_committed)',
  builder: (y) =>
    withConfig(y)
      .option('tenant', { type: 'string', describe: 'only this tenant' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per line instead of a table' }) as Argv<PendingArgs>,
  handler: async (args) => {
    const { effective, kafka } = connect(args, ['state']);
    const state = await readOperatorState(kafka, effective.config.topics.state);
    const views = pendingViews(state.approvals, args.tenant, { streamTimes: state.streamTimes, now: new Date() });
    const switches = killSwitchViews(state.killSwitches);
    // JSON lines stay one approval each (scripts map them); `exoarmur status --json` carries the switches.
    process.stdout.write(args.json ? views.map((v) => `${JSON.stringify(v)}\n`).join('') : pendingTable(views) + killSwitchText(switches));
  },
};

interface DecideArgs extends ConnectArgs, SignerArgs {
  approval_id: string;
  reason?: string;
}

function decideCommand(action: 'approve' | 'deny'): CommandModule<object, DecideArgs & WaitArgs> {
  return {
    command: `${action} <approval_id>`,
    describe: action === 'approve' ? 'sign and send an approval of a pending intent' : 'sign and send a denial of a pending intent (needs --reason)',
    builder: (y) =>
      withSigner(withWait(withConfig(y)))
        .positional('approval_id', { type: 'string', demandOption: true, describe: 'from `exoarmur operator pending`' })
        .option('reason', { type: 'string', describe: action === 'deny' ? 'why the intent must not run (required)' : 'optional note, recorded' }) as Argv<DecideArgs & WaitArgs>,
    handler: async (args) => {
      if (action === 'deny' && (args.reason === undefined || args.reason.trim() === '')) {
        throw new UsageError('REASON_REQUIRED', 'deny needs a reason: pass --reason TEXT saying why the intent must not run');
      }
      await sendSigned(args, ['state', 'operator_actions'], (kafka, effective, signer) =>
        decideApproval(kafka, effective, { action, approval_id: args.approval_id, signer, reason: args.reason ?? null }),
      );
    },
  };
}

interface KillSwitchArgs extends ConnectArgs, SignerArgs {
  state: 'on' | 'off';
  tenant?: string;
  reason: string;
}

const killSwitchCommand: CommandModule<object, KillSwitchArgs & WaitArgs> = {
  command: 'kill-switch <state>',
  describe: 'turn the global (or, with --tenant, a tenant) kill switch on or off; written to every partition',
  builder: (y) =>
    withSigner(withWait(withConfig(y)))
      .positional('state', { choices: ['on', 'off'] as const, demandOption: true, describe: 'on: deny every non-A0 intent; off: restore' })
      .option('tenant', { type: 'string', describe: 'only this tenant (default: global)' })
      .option('reason', { type: 'string', demandOption: true, describe: 'why (required, recorded)' }) as Argv<KillSwitchArgs & WaitArgs>,
  handler: async (args) => {
    await sendSigned(args, ['operator_actions'], (kafka, effective, signer) =>
      setKillSwitch(kafka, effective, { on: args.state === 'on', signer, reason: args.reason, ...(args.tenant === undefined ? {} : { tenant: args.tenant }) }),
    );
  },
};

interface ContainedArgs extends ConnectArgs {
  tenant?: string;
  all: boolean;
  json: boolean;
}

const containedCommand: CommandModule<object, ContainedArgs> = {
  command: 'contained',
  describe: 'list released containments with a self-revert: when each reverts (stream time), which an operator kept (state changelog, read_committed)',
  builder: (y) =>
    withConfig(y)
      .option('tenant', { type: 'string', describe: 'only this tenant' })
      .option('all', { type: 'boolean', default: false, describe: 'also the reverted ones the state still remembers' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per line instead of text' }) as Argv<ContainedArgs>,
  handler: async (args) => {
    const { effective, kafka } = connect(args, ['state']);
    const state = await readOperatorState(kafka, effective.config.topics.state);
    const views = containmentViews(state.containments, state.streamTimes, { all: args.all, ...(args.tenant === undefined ? {} : { tenant: args.tenant }) });
    process.stdout.write(args.json ? views.map((v) => `${JSON.stringify(v)}\n`).join('') : containmentText(views));
  },
};

interface KeepArgs extends ConnectArgs, SignerArgs {
  intent_id: string;
  until?: string;
  reason: string;
}

const keepContainedCommand: CommandModule<object, KeepArgs & WaitArgs> = {
  command: 'keep-contained <intent_id>',
  describe: 'keep a released containment in force: without --until its self-revert is cancelled (no end until a later action); with --until it reverts then instead',
  builder: (y) =>
    withSigner(withWait(withConfig(y)))
      .positional('intent_id', { type: 'string', demandOption: true, describe: 'the containment intent, from `exoarmur operator contained`' })
      .option('until', { type: 'string', describe: "the new end (RFC 3339), after the partition's stream time and the end in force; leave out to keep with no end" })
      .option('reason', { type: 'string', demandOption: true, describe: 'why it stays contained (required, recorded)' }) as Argv<KeepArgs & WaitArgs>,
  handler: async (args) => {
    await sendSigned(args, ['state', 'operator_actions'], (kafka, effective, signer) =>
      sendKeepContained(kafka, effective, { intent_id: args.intent_id, keep_until: args.until ?? null, signer, reason: args.reason }),
    );
  },
};

export const operatorCommand: CommandModule = {
  command: 'operator',
  describe: 'human decisions: keys, pending approvals, signed approve/deny, kill switches, keeping containments',
  builder: (y) =>
    y
      .command(keygenCommand as CommandModule)
      .command(pendingCommand as CommandModule)
      .command(decideCommand('approve') as CommandModule)
      .command(decideCommand('deny') as CommandModule)
      .command(killSwitchCommand as CommandModule)
      .command(containedCommand as CommandModule)
      .command(keepContainedCommand as CommandModule)
      .demandCommand(1, 'Name an action: keygen, pending, approve, deny, kill-switch, contained, keep-contained.'),
  handler: () => undefined,
};
