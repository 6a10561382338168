/**
 * The soak's offered load, run in the background while faults land: a tick of seeded telemetry
 * (with duplicates and late events) every second on one kept producer, a tenant kill switch
 * toggled now and then, and an operator who follows the committed audit trail and decides every
 * approval it asks for (two signed approvals for a quorum, or a signed deny). A send the cluster
 * refuses (it is down) is counted and the load goes on: what was really delivered is read back
 * from the input topics at the end, and every acknowledged delivery must be among it.
 */
import { nativeOutgoing } from '../reality/live.js';
import { buildAction } from '../operator/sign.js';
import { signAction } from '../../processor/operator-signing.js';
import type { AuditRecordV1, OperatorActionV1 } from '../../processor/core/types.js';
import type { PublishTarget } from '../operator/publish.js';
import { settleWithin } from '../lib/poll.js';
import { SeededRandom } from '../lib/seeded-random.js';
import type { Delivery } from '../reality/analysis.js';
import { PARTITIONS, type RunContext } from '../reality/run-context.js';
import { loadTick, SOAK_T0_MS, SOAK_TENANTS } from './plan.js';

export const SOAK_ACTORS = ['soak-op-1', 'soak-op-2'] as const;
/**
 * How long the end of the load waits for its last sends and decisions: a send to a cluster without
 * quorum is never answered (kafkajs retries an idempotent send forever), and a fault that threw against
 * such a cluster must still reach the run's clean-up.
 */
export const LOAD_END_GRACE_MS = 60_000;
/** A tenant kill switch flips every this many ticks. */
const KILL_SWITCH_EVERY = 45;

export interface LoadStats {
  ticks: number;
  offered: number;
  acknowledged: number;
  sendsRefused: number;
  actionsPublished: number;
  actionsRefused: number;
  /** Per tick: ms since the load started, and the lines it offered. */
  timeline: Array<{ atMs: number; offered: number }>;
}

type ApprovalRequested = AuditRecordV1<'approval_requested'>;

export class SoakLoad {
  readonly stats: LoadStats = { ticks: 0, offered: 0, acknowledged: 0, sendsRefused: 0, actionsPublished: 0, actionsRefused: 0, timeline: [] };
  /** Every delivery the cluster acknowledged, with its coordinates. */
  readonly acknowledged: Delivery[] = [];
  readonly startedAtMs = Date.now();
  private readonly random: SeededRandom;
  private readonly operatorRandom: SeededRandom;
  private readonly recent: string[] = [];
  private readonly stop = new AbortController();
  private readonly approvals: ApprovalRequested[] = [];
  private readonly seenApprovals = new Set<string>();
  private running: Promise<void> | undefined;
  private following: Promise<void> | undefined;
  private killSwitchOn = false;

  constructor(
    private readonly ctx: RunContext,
    seed: number,
    private readonly perTick: number,
  ) {
    this.random = new SeededRandom(seed);
    this.operatorRandom = new SeededRandom(seed ^ 0x5eed);
  }

  start(): void {
    this.running = this.loop();
    this.following = this.ctx.kafka
      .followAudit(
        PARTITIONS,
        (record) => {
          // The follower reads from the start again after a rebalance of its own: each approval is decided once.
          if (record.event_kind !== 'approval_requested') return;
          const requested = record as ApprovalRequested;
          if (this.seenApprovals.has(requested.payload.approval_id)) return;
          this.seenApprovals.add(requested.payload.approval_id);
          this.approvals.push(requested);
        },
        this.stop.signal,
      )
      .catch((error: unknown) => this.ctx.log(`soak: the operator's audit follower stopped: ${String(error)}`));
  }

  /** Ends the load: 'settled' once the last tick's sends and decisions are done, 'abandoned' if they are not within LOAD_END_GRACE_MS. */
  finish(): Promise<'settled' | 'abandoned'> {
    this.stop.abort();
    return settleWithin([this.running, this.following], LOAD_END_GRACE_MS);
  }

  private async loop(): Promise<void> {
    for (let tick = 0; !this.stop.signal.aborted; tick += 1) {
      const due = this.startedAtMs + tick * 1000;
      const wait = due - Date.now();
      if (wait > 0) await this.pause(wait);
      if (this.stop.signal.aborted) break;
      await this.offerTick(tick);
      if (tick > 0 && tick % KILL_SWITCH_EVERY === 0) await this.toggleKillSwitch(tick);
      await this.decideApprovals();
    }
  }

  /** Waits `ms` or until the load is stopped (a timer, not a guessed sleep: the tick rate is the offered load). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.stop.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      this.stop.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async offerTick(tick: number): Promise<void> {
    const { lines } = loadTick(this.random, tick, this.perTick, this.recent);
    this.stats.ticks += 1;
    this.stats.offered += lines.length;
    this.stats.timeline.push({ atMs: Date.now() - this.startedAtMs, offered: lines.length });
    try {
      const delivered = await this.ctx.kafka.offer(lines.map(nativeOutgoing));
      this.acknowledged.push(...delivered);
      this.stats.acknowledged += delivered.length;
    } catch {
      this.stats.sendsRefused += 1;
    }
  }

  private async publish(action: OperatorActionV1, target: PublishTarget): Promise<void> {
    try {
      await this.ctx.kafka.publishAction(action, target);
      this.stats.actionsPublished += 1;
    } catch {
      this.stats.actionsRefused += 1;
    }
  }

  private key(actor: string): string {
    return this.ctx.keys.get(actor)!.private_key_pem;
  }

  private async toggleKillSwitch(tick: number): Promise<void> {
    this.killSwitchOn = !this.killSwitchOn;
    const tenant = SOAK_TENANTS[1];
    const action = signAction(
      buildAction({
        action: this.killSwitchOn ? 'kill_switch_on' : 'kill_switch_off',
        tenant_id: tenant,
        correlation_id: 'soak-kill-switch',
        scope: 'tenant',
        actor_id: SOAK_ACTORS[0],
        decided_at: new Date(SOAK_T0_MS + tick * 1000).toISOString(),
        reason: 'soak: tenant kill switch drill',
      }),
      this.key(SOAK_ACTORS[0]),
    );
    await this.publish(action, { allPartitions: PARTITIONS });
  }

  /** Every approval asked for so far: two approvals (a quorum) for three in four, a deny for the rest. */
  private async decideApprovals(): Promise<void> {
    for (const requested of this.approvals.splice(0)) {
      const p = requested.payload;
      const approve = this.operatorRandom.int(4) !== 0;
      const actors = approve ? SOAK_ACTORS.slice(0, p.requirement === 'quorum' ? 2 : 1) : [SOAK_ACTORS[0]];
      for (const actor of actors) {
        const action = signAction(
          buildAction({
            action: approve ? 'approve' : 'deny',
            tenant_id: requested.tenant_id,
            correlation_id: requested.correlation_id,
            approval_id: p.approval_id,
            intent_hash: p.intent_hash,
            actor_id: actor,
            decided_at: new Date(Date.parse(requested.event_time) + 30_000).toISOString(),
            reason: approve ? null : 'soak: operator deny',
          }),
          this.key(actor),
        );
        await this.publish(action, { partition: p.partition });
      }
    }
  }
}
