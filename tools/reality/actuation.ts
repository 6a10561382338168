/**
 * The run's actuation, closing the loop alert -> decision -> action -> result: a webhook receiver
 * (`exoarmur receiver`, its own process on a free loopback port, every request logged to the
 * bundle) and the reference actuator (`exoarmur actuate --driver webhook`) over the run's execute
 * topic, both started once the scenario has played and stopped by PID at the end of the run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionResultV1 } from '../../processor/core/types.js';
import { ExoArmurError } from '../../processor/errors.js';
import { BUNDLE_FILES } from '../bundle/files.js';
import { CliChild } from '../lib/children.js';
import { pollUntil } from '../lib/poll.js';
import { withProgress } from '../lib/progress.js';
import { secureChildEnv } from '../lib/secure-clients.js';
import { secureBrokerOf } from './broker-control.js';
import type { Actuation, RunContext } from './run-context.js';

/** Attempts per intent before gave_up, and the per-attempt timeout, as the actuator is run here. */
const MAX_ATTEMPTS = 5;
const TIMEOUT_MS = 5000;

function childError(what: string, child: CliChild): ExoArmurError {
  return new ExoArmurError('CHILD_COMMAND_FAILED', `${what} exited: ${child.failure()}`);
}

/** Starts the receiver, waits for its port, then starts the actuator against it. */
export async function startActuation(ctx: RunContext, dirs: { work: string; bundle: string }): Promise<Actuation> {
  const portFile = join(dirs.work, 'receiver.port');
  const receiver = new CliChild(['receiver', '--host', '127.0.0.1', '--port', '0', '--log-file', join(dirs.bundle, BUNDLE_FILES.actuatorRequests), '--port-file', portFile]);
  const port = await pollUntil(() => (existsSync(portFile) ? Number(readFileSync(portFile, 'utf8').trim()) || undefined : undefined), {
    timeoutMs: 30_000,
    intervalMs: 100,
    what: 'the webhook receiver to listen',
    giveUp: () => (receiver.running ? undefined : childError('the webhook receiver', receiver)),
  });
  const url = `http://127.0.0.1:${port}/actuate`;
  const env = ctx.broker.secure === null ? process.env : secureChildEnv(secureBrokerOf(ctx.broker), 'actuator');
  const actuator = new CliChild(
    [
      'actuate',
      '--config',
      ctx.configFile,
      '--brokers',
      ctx.broker.brokers,
      '--driver',
      'webhook',
      '--url',
      url,
      '--timeout-ms',
      String(TIMEOUT_MS),
      '--max-attempts',
      String(MAX_ATTEMPTS),
      '--log-file',
      join(dirs.bundle, BUNDLE_FILES.actuatorLog),
    ],
    env,
  );
  ctx.log(`actuation: receiver on ${url} (pid ${receiver.child.pid}), actuator pid ${actuator.child.pid}`);
  return { receiver, actuator, url };
}

/** Waits until the results topic holds a final result for every intent on the execute topic. */
export async function awaitResults(ctx: RunContext, actuation: Actuation): Promise<ExecutionResultV1[]> {
  const follow = ctx.kafka.followResults();
  const intents = new Set<string>();
  const done = new Set<string>();
  const results: ExecutionResultV1[] = [];
  return withProgress(ctx.log, { what: 'the actuator to perform every released intent', status: () => `${done.size}/${intents.size} results` }, () =>
    pollUntil(
      async () => {
        const gained = await follow();
        for (const intent of gained.execute) intents.add(intent.intent_id);
        for (const result of gained.results) {
          results.push(result);
          done.add(result.intent_id);
        }
        return [...intents].every((id) => done.has(id)) ? results : undefined;
      },
      {
        timeoutMs: 300_000,
        intervalMs: 1000,
        what: 'a result for every execute intent',
        giveUp: () => (actuation.actuator.running ? undefined : childError('the actuator', actuation.actuator)),
      },
    ),
  );
}

/** SIGTERM to each by PID: the actuator finishes or aborts its transaction, the receiver closes. */
export async function stopActuation(actuation: Actuation | undefined): Promise<void> {
  if (actuation === undefined) return;
  await actuation.actuator.kill('SIGTERM');
  await actuation.receiver.kill('SIGTERM');
}

/** "n succeeded, n failed, n gave_up", for the run's log. */
export function outcomeCounts(results: readonly ExecutionResultV1[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'none';
}
