/** Gate 4 (deployment), judged from what the compose phase did as the bundle's compose files show it (tools/bundle/compose-facts.ts). Pure. */
import { judge, type Gate } from './gate-judge.js';

/**
 * Gate 4 reads what the compose phase did: either no Docker engine could run here (why, and the command
 * that enables one), or the system was brought up with docker-compose and the scenario played against it.
 */
export type DeploymentEvidence =
  | { engine: 'unavailable'; reason: string; enable: string }
  /** The caller left the compose phase out (`--no-compose`); nothing was tried. */
  | { engine: 'skipped'; reason: string }
  | {
      engine: 'ran';
      /** Which compose path ran: the production file's pinned Redpanda, or the air-gapped Apache Kafka images. */
      flavour: 'redpanda' | 'airgap-kafka';
      compose_file: string;
      compose_file_sha256: string;
      /** Why the compose phase stopped before its comparison; null when it played to the end. */
      failure: string | null;
      /** Scenario events whose decisions were compared with the embedded run's. */
      events_compared: number;
      mismatches: readonly string[];
      /** What the bundle's compose files fail to show (a file missing, a hash off, an embedded decision not what the audit export says). */
      evidence_problems: readonly string[];
      processor_kills: number;
      broker_kills: number;
      /** False for a --no-faults run: the kills are then not required. */
      faults_required: boolean;
      /** `docker-compose down -v` succeeded (containers and volumes gone). */
      down: boolean;
    };

/** PASS only when compose ran the scenario through kills of both containers and decided exactly as the embedded run. */
export function deploymentGate(e: DeploymentEvidence): Gate {
  if (e.engine === 'unavailable')
    return { n: 4, name: 'DEPLOYMENT', status: 'UNPROVEN', evidence: `${e.reason}; docker-compose deployment cannot be exercised here (to enable: ${e.enable})` };
  if (e.engine === 'skipped') return { n: 4, name: 'DEPLOYMENT', status: 'UNPROVEN', evidence: `${e.reason}; docker-compose deployment not exercised in this run` };
  const broker =
    e.flavour === 'redpanda'
      ? 'path redpanda: Redpanda (production docker-compose.yml)'
      : 'path airgap-kafka: air-gapped Apache Kafka KRaft (docker-compose.airgap.yml, images built by make images)';
  return judge(
    4,
    [
      [e.failure === null, `compose run failed: ${e.failure ?? ''}`],
      [e.evidence_problems.length === 0, `compose evidence does not hold: ${e.evidence_problems.slice(0, 3).join('; ')}`],
      [e.events_compared > 0, 'no scenario event compared'],
      [e.mismatches.length === 0, `${e.mismatches.length} decision(s) differ from the embedded run: ${e.mismatches.slice(0, 3).join('; ')}`],
      [e.processor_kills > 0 || !e.faults_required, 'the processor container was never killed'],
      [e.broker_kills > 0 || !e.faults_required, 'the broker container was never killed'],
      [e.down, 'docker-compose down -v failed'],
    ],
    `docker-compose up on ${broker}: ${e.compose_file} sha256 ${e.compose_file_sha256.slice(0, 12)}; scenario played with docker kill of the processor ${e.processor_kills}x and the broker ${e.broker_kills}x (each up again); ${e.events_compared} scenario events decided as in the embedded run (intent hash, verdict, rule, approval, final state); down -v done`,
  );
}
