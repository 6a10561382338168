/**
 * The processor's Prometheus metrics (prom-client), counted from its own named log events
 * (log-events.ts): every figure is something the service log also says, so a scrape and the log
 * cannot disagree, and no part of the shell carries metrics plumbing. Readiness: the consumer runs
 * and no task is between task_starting and task_ready (being fenced and restored).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Topics } from '../config/index.js';
import type { DecisionSummary } from '../engine/decision-summary.js';
import type { LogEvent } from '../log-events.js';

type Line = Record<string, unknown> & { event?: LogEvent; partition?: number };

export class ProcessorMetrics {
  readonly registry = new Registry();
  private consumerRunning = false;
  private halted = false;
  private readonly starting = new Set<number>();
  private readonly lag = new Gauge({
    name: 'exoarmur_consumer_lag',
    help: 'records behind the log end after the last committed batch, per input partition',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });
  private readonly inputs = new Counter({
    name: 'exoarmur_inputs_total',
    help: 'consumed inputs by receipt kind',
    labelNames: ['receipt_kind'] as const,
    registers: [this.registry],
  });
  private readonly outputs = new Counter({
    name: 'exoarmur_outputs_total',
    help: 'records committed to each output topic',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });
  private readonly verdicts = new Counter({
    name: 'exoarmur_verdicts_total',
    help: 'safety gate verdicts by rule',
    labelNames: ['rule', 'verdict'] as const,
    registers: [this.registry],
  });
  private readonly pending = new Gauge({
    name: 'exoarmur_pending_approvals',
    help: 'pending approvals of a partition after its last committed batch',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  private readonly requested = new Counter({ name: 'exoarmur_approvals_requested_total', help: 'approvals requested', registers: [this.registry] });
  private readonly expired = new Counter({
    name: 'exoarmur_approvals_expired_total',
    help: 'approvals expired (stream time passed them, or a late action)',
    registers: [this.registry],
  });
  private readonly deadLetters = new Counter({ name: 'exoarmur_dead_letters_total', help: 'inputs dead-lettered', registers: [this.registry] });
  private readonly halts = new Counter({ name: 'exoarmur_halts_total', help: 'processing halts on a failure retrying cannot fix', registers: [this.registry] });
  private readonly batches = new Counter({
    name: 'exoarmur_batches_committed_total',
    help: 'committed transactions (batches)',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });
  private readonly transaction = new Histogram({
    name: 'exoarmur_transaction_duration_seconds',
    help: "time to write and commit one batch's transaction",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly restore = new Gauge({
    name: 'exoarmur_restore_duration_seconds',
    help: "duration of a partition's last state restore",
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  private readonly ready = new Gauge({ name: 'exoarmur_ready', help: '1 when the consumer runs and no task is restoring', registers: [this.registry] });

  constructor(private readonly topics: Topics) {
    collectDefaultMetrics({ register: this.registry, prefix: 'exoarmur_process_' });
  }

  /** One parsed service-log line. */
  observe(line: Line): void {
    const partition = typeof line.partition === 'number' ? line.partition : undefined;
    switch (line.event) {
      case 'consumer_running':
        this.consumerRunning = true;
        break;
      case 'group_joined':
        // A rebalance drops every task; the ones that get batches start (and restore) again.
        this.starting.clear();
        break;
      case 'task_starting':
        if (partition !== undefined) this.starting.add(partition);
        break;
      case 'task_ready':
      case 'task_start_failed':
        if (partition !== undefined) this.starting.delete(partition);
        break;
      case 'state_restored':
        if (partition !== undefined && typeof line['restore_ms'] === 'number') this.restore.set({ partition: String(partition) }, line['restore_ms'] / 1000);
        break;
      case 'batch_committed':
        this.onBatch(line, partition);
        break;
      case 'processing_halted':
        this.halts.inc();
        this.halted = true;
        break;
      case 'processor_stopped':
        this.consumerRunning = false;
        break;
      default:
        break;
    }
    this.ready.set(this.isReady() ? 1 : 0);
  }

  private onBatch(line: Line, partition: number | undefined): void {
    const topic = String(line['topic']);
    if (partition !== undefined) this.lag.set({ topic, partition: String(partition) }, Number(line['lag'] ?? 0));
    this.batches.inc({ topic });
    const outputs = (line['outputs'] ?? {}) as Record<string, number>;
    for (const [role, count] of Object.entries(outputs)) {
      const name = (this.topics as unknown as Record<string, string>)[role] ?? role;
      this.outputs.inc({ topic: name }, count);
    }
    if (typeof line['txn_ms'] === 'number') this.transaction.observe(line['txn_ms'] / 1000);
    const decisions = line['decisions'] as DecisionSummary | undefined;
    if (decisions === undefined) return;
    for (const [kind, count] of Object.entries(decisions.receipts)) this.inputs.inc({ receipt_kind: kind }, count);
    for (const [key, count] of Object.entries(decisions.verdicts)) {
      const [rule, verdict] = key.split(':');
      this.verdicts.inc({ rule: rule!, verdict: verdict! }, count);
    }
    if (decisions.dead_letters > 0) this.deadLetters.inc(decisions.dead_letters);
    if (decisions.approvals_requested > 0) this.requested.inc(decisions.approvals_requested);
    if (decisions.approvals_expired > 0) this.expired.inc(decisions.approvals_expired);
    if (decisions.pending_approvals !== null && partition !== undefined) this.pending.set({ partition: String(partition) }, decisions.pending_approvals);
  }

  isReady(): boolean {
    return this.consumerRunning && !this.halted && this.starting.size === 0;
  }

  isHealthy(): boolean {
    return !this.halted;
  }
}
